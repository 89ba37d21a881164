"""CopyImage: an image of ``SourceRegion`` copied into the region the request was sent to.

The region of the request is the SigV4 scope's (a boto3 client of ``eu-west-1`` copies into
``eu-west-1``), so each region's state is real: the copy, its new snapshots and its name live
there. ``ClientToken`` makes a retry answer the first copy's id instead of copying again.
"""

from __future__ import annotations

import re
from dataclasses import replace
from types import MappingProxyType
from typing import Final

from ..access import find_image, may_restore
from ..errors import Ec2Error, combination, invalid_value, missing
from ..model import BlockDeviceMapping, Image, Snapshot
from ..store import RegionState, RegistryState
from ..validation import (
    check_description,
    check_image_id,
    check_name,
    check_tag_count,
    parse_bool,
    parse_int,
    parse_tags,
)
from ..wire.query import group
from ..wire.xml import XmlOut
from .context import RequestContext, dry_run

_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}$")
MAX_CLIENT_TOKEN: Final = 128


def _tag_specifications(params: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """``(image tags, snapshot tags)`` from ``TagSpecification.N``."""
    image_tags: dict[str, str] = {}
    snapshot_tags: dict[str, str] = {}
    for index, spec in group(params, "TagSpecification"):
        resource_type = spec.get("ResourceType")
        if resource_type is None:
            raise missing(f"TagSpecification.{index}.ResourceType")
        if resource_type not in ("image", "snapshot"):
            raise invalid_value(
                "resourceType",
                resource_type,
                "CopyImage can tag the image and its snapshots only: the resource type must "
                "be 'image' or 'snapshot'.",
            )
        target = image_tags if resource_type == "image" else snapshot_tags
        target.update(parse_tags(spec, "Tag", where=f"TagSpecification.{index}."))
    check_tag_count(image_tags)
    check_tag_count(snapshot_tags)
    return image_tags, snapshot_tags


def copy_image(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """CopyImage: syntax checks, DryRun, then idempotency, source, name and the insert."""
    params = ctx.params
    for wire, location in (
        ("Name", "name"),
        ("SourceImageId", "sourceImageId"),
        ("SourceRegion", "sourceRegion"),
    ):
        if not params.get(wire):
            raise missing(location)
    name, source_id, source_region = params["Name"], params["SourceImageId"], params["SourceRegion"]
    check_name(name, legacy=False)
    description = params.get("Description")
    if description is not None:
        check_description(description)
    check_image_id(source_id)
    if not _REGION.match(source_region):
        raise invalid_value(
            "sourceRegion", source_region, "Expected: a region name such as us-east-1."
        )
    token = params.get("ClientToken")
    if token is not None and len(token) > MAX_CLIENT_TOKEN:
        raise invalid_value("clientToken", token, f"It exceeds {MAX_CLIENT_TOKEN} characters")
    encrypted = parse_bool("encrypted", params.get("Encrypted", "false"))
    if "KmsKeyId" in params and not encrypted:
        raise combination("KmsKeyId requires Encrypted=true: only an encrypted copy has a key")
    copy_tags = parse_bool("copyImageTags", params.get("CopyImageTags", "false"))
    image_tags, snapshot_tags = _tag_specifications(params)
    if "SnapshotCopyCompletionDurationMinutes" in params:
        parse_int(
            "snapshotCopyCompletionDurationMinutes", params["SnapshotCopyCompletionDurationMinutes"]
        )
    dry_run(ctx)

    fingerprint = tuple(sorted((k, v) for k, v in params.items() if k != "DryRun"))
    with state.lock:
        target = state.region(ctx.region)
        if token:
            prior = target.client_tokens.get(token)
            if prior is not None:
                if prior[0] != fingerprint:
                    raise Ec2Error(
                        "IdempotentParameterMismatch",
                        f"The client token '{token}' was used by an earlier CopyImage request "
                        "with different parameters",
                    )
                ctx.image_id = prior[1]
                out.add(out.root, "imageId", prior[1])
                return
        origin = state.region(source_region)
        source = find_image(origin, source_id, ctx.account_id, "use")
        if source.state != "available":
            raise Ec2Error("InvalidAMIID.Unavailable")
        _check_storage_access(origin, source, ctx.account_id)
        holder = target.name_holder(ctx.account_id, name)
        if holder is not None:
            raise Ec2Error(
                "InvalidAMIName.Duplicate", f"AMI name {name} is already in use by AMI {holder}"
            )
        if copy_tags:
            image_tags = {
                **{k: v for k, v in source.tags.items() if not k.startswith("aws:")},
                **image_tags,
            }
            check_tag_count(image_tags)
        mappings = _copy_mappings(state, target, ctx, source, encrypted, snapshot_tags)
        image = replace(
            source,
            image_id=state.new_image_id(target, short=False),
            name=name,
            owner_id=ctx.account_id,
            region=ctx.region,
            creation_date=state.clock.next_date(),
            description=description,
            image_location=(
                f"{ctx.account_id}/{name}"
                if source.root_device_type == "ebs"
                else source.image_location
            ),
            block_device_mappings=mappings,
            tags=MappingProxyType(image_tags),
            source_image_id=source_id,
            source_image_region=source_region,
            state="available",
            state_reason=None,
            # Sharing, deprecation and protection are the source's own attributes: a copy
            # starts private, with none of them (reference aws-image-pipeline 8).
            public=False,
            launch_permissions=(),
            organization_arns=(),
            organizational_unit_arns=(),
            image_owner_alias=None,
            deprecation_time=None,
            deregistration_protection="disabled",
            deregistration_cooldown_until=None,
            api_version=ctx.version,
        )
        target.insert(image)
        if token:
            target.client_tokens[token] = (fingerprint, image.image_id)
    ctx.image_id, ctx.created = image.image_id, True
    out.add(out.root, "imageId", image.image_id)


def _check_storage_access(region: RegionState, source: Image, account_id: str) -> None:
    """Another account's image is copied only if each of its snapshots may be restored by the
    caller: launch permission on an image does not reach its storage (reference
    aws-image-pipeline 3.4). A snapshot the registry was never told of (lenient mode) is
    taken as readable [INFERRED], as lenient mode takes it as existing."""
    if source.owner_id == account_id:
        return
    for mapping in source.block_device_mappings:
        snapshot_id = mapping.ebs.snapshot_id if mapping.ebs is not None else None
        snapshot = region.snapshots.get(snapshot_id) if snapshot_id is not None else None
        if snapshot is not None and not may_restore(snapshot, account_id):
            raise Ec2Error(
                "InvalidRequest", "You do not have permission to access the storage of this ami"
            )


def _copy_mappings(
    state: RegistryState,
    target: RegionState,
    ctx: RequestContext,
    source: Image,
    encrypted: bool,
    snapshot_tags: dict[str, str],
) -> tuple[BlockDeviceMapping, ...]:
    """The source's mappings, each EBS snapshot copied to a new snapshot of the target."""
    copied: list[BlockDeviceMapping] = []
    for mapping in source.block_device_mappings:
        ebs = mapping.ebs
        if ebs is None or ebs.snapshot_id is None:
            copied.append(mapping)
            continue
        # An encrypted snapshot can never be copied unencrypted (M16:CopyImage.Encrypted).
        is_encrypted = encrypted or bool(ebs.encrypted)
        snapshot = Snapshot(
            snapshot_id=state.ids.resource_id("snap"),
            owner_id=ctx.account_id,
            region=ctx.region,
            size=ebs.volume_size or 8,
            encrypted=is_encrypted,
            declared=False,
            tags=MappingProxyType(dict(snapshot_tags)),
        )
        target.snapshots[snapshot.snapshot_id] = snapshot
        copied.append(
            replace(
                mapping, ebs=replace(ebs, snapshot_id=snapshot.snapshot_id, encrypted=is_encrypted)
            )
        )
    return tuple(copied)
