"""The EC2 actions the fake serves, one handler each, and the table the server routes on.

A handler reads ``ctx.params`` (already known to hold only the action's parameters), raises
:class:`Ec2Error` for anything AWS rejects, and appends its answer's members to ``out``.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final

from . import register
from .errors import Ec2Error, missing
from .filters import ImageFilter, match_all
from .model import Image
from .protocol import XmlOut, group, scalars
from .render import add_image
from .store import RegionState, RegistryState
from .validation import (
    check_range,
    check_tag_count,
    is_resource_id,
    parse_bool,
    parse_int,
    parse_tags,
)


@dataclass(slots=True)
class RequestContext:
    """One request as a handler sees it."""

    action: str
    version: str
    seed: bool
    params: dict[str, str]
    region: str
    account_id: str
    request_id: str
    image_id: str | None = None


Handler = Callable[[RegistryState, RequestContext, XmlOut], None]


@dataclass(frozen=True, slots=True)
class Action:
    """A served action: its handler and the parameter shapes it knows per API generation
    (``seed_params`` is ``None`` when the action did not exist in 2009-10-31)."""

    handler: Handler
    params: frozenset[str]
    seed_params: frozenset[str] | None


def _dry_run(ctx: RequestContext) -> None:
    if "DryRun" in ctx.params and parse_bool("dryRun", ctx.params["DryRun"]):
        raise Ec2Error("DryRunOperation")


def _not_found(image_ids: list[str]) -> Ec2Error:
    # AWS's brackets are real and it declined to drop them (reference 4.1).
    return Ec2Error(
        "InvalidAMIID.NotFound", f"The image id '[{', '.join(image_ids)}]' does not exist"
    )


def _check_image_id(image_id: str) -> None:
    if not (
        is_resource_id("ami", image_id)
        or is_resource_id("aki", image_id)
        or is_resource_id("ari", image_id)
    ):
        raise Ec2Error("InvalidAMIID.Malformed", f'Invalid id: "{image_id}" (expecting "ami-...")')


# --- RegisterImage ---------------------------------------------------------------------------


def register_image(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """RegisterImage: syntax checks, DryRun, then the state checks and the insert, atomically."""
    request = register.parse(ctx.params, seed=ctx.seed)
    if request.dry_run:
        raise Ec2Error("DryRunOperation")
    if request.name is None and state.strict and not ctx.seed:
        raise missing("name")
    with state.lock:
        region = state.region(ctx.region)
        root_device_type, root_device_name = register.resolve_backing(request)
        if request.image_location is not None:
            _check_manifest(state, region, request.image_location)
        book = register.SnapshotBook(
            region.snapshots,
            frozenset(region.missing_snapshots),
            state.strict,
            ctx.account_id,
            ctx.region,
        )
        mappings = register.resolve_mappings(request, book)
        if state.strict:
            missing_ids = [
                i
                for i in (request.kernel_id, request.ramdisk_id)
                if i is not None and i not in region.images
            ]
            if missing_ids:
                raise _not_found(missing_ids)
        name = request.name
        if name is None:
            assert request.image_location is not None  # parse() requires one or the other
            name = register.derive_name(request.image_location)
            register.check_name(name, seed=ctx.seed)
        holder = region.name_holder(ctx.account_id, name)
        if holder is not None:
            raise Ec2Error(
                "InvalidAMIName.Duplicate", f"AMI name {name} is already in use by AMI {holder}"
            )
        image = Image(
            image_id=state.new_image_id(region, short=ctx.seed),
            name=name,
            owner_id=ctx.account_id,
            region=ctx.region,
            creation_date=state.clock.next_date(),
            description=request.description,
            architecture=request.architecture or "i386",
            image_location=request.image_location or f"{ctx.account_id}/{name}",
            root_device_type=root_device_type,
            root_device_name=root_device_name,
            block_device_mappings=mappings,
            virtualization_type=request.virtualization_type or "paravirtual",
            ena_support=request.ena_support,
            sriov_net_support=request.sriov_net_support,
            boot_mode=request.boot_mode,
            tpm_support=request.tpm_support,
            uefi_data=request.uefi_data,
            imds_support=request.imds_support,
            kernel_id=request.kernel_id,
            ramdisk_id=request.ramdisk_id,
            billing_products=request.billing_products,
            tags=MappingProxyType(request.tags),
            api_version=ctx.version,
        )
        region.insert(image)
        for snapshot in book.recorded:
            region.snapshots[snapshot.snapshot_id] = snapshot
    ctx.image_id = image.image_id
    out.add(out.root, "imageId", image.image_id)


def _check_manifest(state: RegistryState, region: RegionState, location: str) -> None:
    if location in region.missing_manifests or (state.strict and location not in region.manifests):
        raise Ec2Error("InvalidManifest")


# --- DescribeImages --------------------------------------------------------------------------

_OWNER_ALIASES: Final = frozenset({"amazon", "aws-marketplace", "aws-backup-vault"})


def describe_images(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DescribeImages by id, owner, executable-by and filters, paginated."""
    params = ctx.params
    image_ids = scalars(params, "ImageId")
    for image_id in image_ids:
        _check_image_id(image_id)
    owners = scalars(params, "Owner")
    for owner in owners:
        if (
            owner != "self"
            and owner not in _OWNER_ALIASES
            and not (owner.isdigit() and len(owner) == 12)
        ):
            raise Ec2Error("InvalidUserID.Malformed", f'Invalid user id: "{owner}"')
    executable_by = scalars(params, "ExecutableBy")
    filters = [
        ImageFilter(
            entry.get("Name", ""),
            [
                v
                for _, v in sorted(
                    (int(k.split(".")[1]), v) for k, v in entry.items() if k.startswith("Value.")
                )
            ],
        )
        for _, entry in group(params, "Filter")
    ]
    page_size = None
    if "MaxResults" in params:
        page_size = parse_int("maxResults", params["MaxResults"])
        check_range("maxResults", page_size, 5, 1000, "MaxResults")
        if image_ids:
            raise Ec2Error(
                "InvalidParameterCombination",
                "The parameter imageIdsSet cannot be used with the parameter maxResults",
            )
    include_deprecated = parse_bool("includeDeprecated", params.get("IncludeDeprecated", "false"))
    include_disabled = parse_bool("includeDisabled", params.get("IncludeDisabled", "false"))
    query_key = zlib.crc32(
        repr(
            sorted((k, v) for k, v in params.items() if k not in ("NextToken", "MaxResults"))
        ).encode()
    )
    offset = _read_token(params["NextToken"], query_key) if "NextToken" in params else 0
    _dry_run(ctx)

    owner_ids = {ctx.account_id if o == "self" else o for o in owners}
    with state.lock:
        region = state.region(ctx.region)
        if image_ids:
            absent = [i for i in image_ids if i not in region.images]
            if absent:
                raise _not_found(absent)
            candidates = [region.images[i] for i in dict.fromkeys(image_ids)]
        else:
            candidates = _candidates_by_name(region, filters)

        def visible(image: Image) -> bool:
            mine = image.owner_id == ctx.account_id
            if (
                owners
                and image.owner_id not in owner_ids
                and (image.image_owner_alias not in owners)
            ):
                return False
            if executable_by and not (
                ("all" in executable_by and image.public)
                or ({"self", ctx.account_id} & set(executable_by) and (mine or image.public))
            ):
                return False
            if image.state == "disabled" and not include_disabled:
                return False
            if image.deprecation_time and not (include_deprecated or mine or image_ids):
                return False
            return mine or image.public

        shown: list[tuple[Image, str]] = []
        for image in candidates:
            if not visible(image):
                continue
            displayed = _displayed_state(state, image)
            viewed = image if displayed == image.state else replace(image, state=displayed)  # type: ignore[arg-type]
            if match_all(filters, viewed):
                shown.append((image, displayed))
        page = shown[offset : offset + page_size] if page_size else shown[offset:]
        for image, _ in page:
            state.describe_views[image.image_id] = state.describe_views.get(image.image_id, 0) + 1
    images_set = out.add(out.root, "imagesSet")
    for image, displayed in page:
        add_image(out, images_set, image, displayed, seed=ctx.seed)
    if page_size and offset + page_size < len(shown):
        out.add(out.root, "nextToken", _make_token(offset + page_size, query_key))


def _candidates_by_name(region: RegionState, filters: list[ImageFilter]) -> list[Image]:
    """With an exact ``name`` filter, only the images holding those names: no full scan."""
    for image_filter in filters:
        if image_filter.name == "name" and image_filter.exact is not None:
            ids = [
                image_id
                for name in image_filter.exact
                for image_id in region.by_name.get(name, {}).values()
            ]
            return [region.images[i] for i in ids]
    return list(region.images.values())


def _displayed_state(state: RegistryState, image: Image) -> str:
    if (
        image.state == "available"
        and state.describe_views.get(image.image_id, 0) < state.pending_describes
    ):
        return "pending"
    return image.state


def _make_token(offset: int, query_key: int) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{query_key}".encode()).decode()


def _read_token(token: str, query_key: int) -> int:
    try:
        offset, key = base64.urlsafe_b64decode(token.encode()).decode().split(":")
        if int(key) == query_key and int(offset) >= 0:
            return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise Ec2Error(
        "InvalidPaginationToken",
        f"The pagination token '{token}' is not valid or is expired for this request.",
    )


# --- DeregisterImage -------------------------------------------------------------------------


def deregister_image(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DeregisterImage, optionally deleting the snapshots no other image uses."""
    image_id = ctx.params.get("ImageId")
    if not image_id:
        raise missing("imageId")
    _check_image_id(image_id)
    delete_snapshots = parse_bool(
        "deleteAssociatedSnapshots", ctx.params.get("DeleteAssociatedSnapshots", "false")
    )
    _dry_run(ctx)
    with state.lock:
        region = state.region(ctx.region)
        image = region.images.get(image_id)
        if image is None:
            if image_id in region.deregistered:
                raise Ec2Error("InvalidAMIID.Unavailable")
            raise _not_found([image_id])
        if image.owner_id != ctx.account_id:
            raise Ec2Error("AuthFailure", f"Not authorized for image:{image_id}", status=400)
        region.remove(image_id)
        results: list[tuple[str, str]] = []
        if delete_snapshots:
            in_use = {s for other in region.images.values() for s in other.snapshot_ids}
            for snapshot_id in image.snapshot_ids:
                if snapshot_id in in_use:
                    results.append((snapshot_id, "skipped"))
                elif region.snapshots.pop(snapshot_id, None) is not None:
                    results.append((snapshot_id, "success"))
                else:
                    results.append((snapshot_id, "client-error"))
    ctx.image_id = image_id
    out.add(out.root, "return", "true")
    if delete_snapshots:
        result_set = out.add(out.root, "deleteSnapshotResultSet")
        for snapshot_id, code in results:
            item = out.item(result_set)
            out.add(item, "snapshotId", snapshot_id)
            out.add(item, "returnCode", code)


# --- CreateTags ------------------------------------------------------------------------------


def create_tags(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """CreateTags on images and snapshots: all resources are checked before any is tagged."""
    resource_ids = scalars(ctx.params, "ResourceId")
    if not resource_ids:
        raise missing("resourceIdSet")
    if not any(k.startswith("Tag.") for k in ctx.params):
        raise missing("tagSet")
    tags = parse_tags(ctx.params, "Tag")
    for resource_id in resource_ids:
        if not (is_resource_id("ami", resource_id) or is_resource_id("snap", resource_id)):
            raise Ec2Error("InvalidID", f"The ID '{resource_id}' is not valid")
    _dry_run(ctx)
    with state.lock:
        region = state.region(ctx.region)
        absent_images = [r for r in resource_ids if r.startswith("ami-") and r not in region.images]
        if absent_images:
            raise _not_found(absent_images)
        for resource_id in resource_ids:
            if resource_id.startswith("snap-") and resource_id not in region.snapshots:
                raise Ec2Error(
                    "InvalidSnapshot.NotFound", f"The snapshot '{resource_id}' does not exist."
                )
        updates: dict[str, Mapping[str, str]] = {}
        for resource_id in resource_ids:
            target = region.images.get(resource_id) or region.snapshots[resource_id]
            merged = {**target.tags, **tags}
            check_tag_count(merged)
            updates[resource_id] = MappingProxyType(merged)
        for resource_id, merged_tags in updates.items():
            if resource_id in region.images:
                region.replace(replace(region.images[resource_id], tags=merged_tags))
            else:
                region.snapshots[resource_id] = replace(
                    region.snapshots[resource_id], tags=merged_tags
                )
    out.add(out.root, "return", "true")


# --- the table -------------------------------------------------------------------------------

_DRY_RUN = frozenset({"Action", "Version", "DryRun"})

ACTIONS: Final[dict[str, Action]] = {
    "RegisterImage": Action(register_image, register.MODERN_PARAMS, register.SEED_PARAMS),
    "DescribeImages": Action(
        describe_images,
        _DRY_RUN
        | {
            "ImageId.N",
            "Owner.N",
            "ExecutableBy.N",
            "Filter.N.Name",
            "Filter.N.Value.N",
            "IncludeDeprecated",
            "IncludeDisabled",
            "MaxResults",
            "NextToken",
        },
        frozenset({"Action", "Version", "ImageId.N", "Owner.N", "ExecutableBy.N"}),
    ),
    "DeregisterImage": Action(
        deregister_image,
        _DRY_RUN | {"ImageId", "DeleteAssociatedSnapshots"},
        frozenset({"Action", "Version", "ImageId"}),
    ),
    "CreateTags": Action(
        create_tags, _DRY_RUN | {"ResourceId.N", "Tag.N.Key", "Tag.N.Value"}, None
    ),
}
