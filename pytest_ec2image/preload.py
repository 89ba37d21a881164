"""What a test puts in the registry through the Python API before its code runs: images,
snapshots and manifests, references made absent, failed images.

They are held to the rules the wire applies (name format, the per-account duplicate rule, tag
rules), so a preload cannot hold what AWS could not. :class:`~pytest_ec2image.Ec2Registry`'s
``add_*``, ``missing_*`` and ``fail_image`` delegate here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, Final

from .faults import Fault, failed_image
from .ids import format_date, is_account_id
from .model import Image, Snapshot, StateReason, mapping_from
from .store import RegistryState
from .validation import check_description, check_name, check_tag, is_resource_id
from .wire.timestamps import parse_timestamp

#: What ``add_image`` (and ``assert_registered``) take: the :class:`Image` fields.
IMAGE_FIELDS: Final = frozenset(f.name for f in fields(Image))


def add_image(state: RegistryState, region_name: str, name: str, fields_: dict[str, Any]) -> Image:
    """Insert an image named ``name`` built from ``fields_`` (``Ec2Registry.add_image``'s
    keywords) into ``region_name``, or the region ``fields_`` names."""
    unknown = sorted(set(fields_) - IMAGE_FIELDS)
    if unknown:
        raise TypeError(f"add_image() got unknown fields: {', '.join(unknown)}")
    check_name(name, legacy=False)
    if fields_.get("description") is not None:
        check_description(fields_["description"])
    with state.lock:
        region_name = fields_.pop("region", region_name)
        region = state.region(region_name)
        owner = fields_.pop("owner_id", state.account_id)
        image_id = fields_.pop("image_id", None) or state.new_image_id(region, short=False)
        if image_id in region.images:
            raise ValueError(f"an image with id {image_id} already exists")
        holder = region.name_holder(owner, name)
        if holder is not None:
            raise ValueError(f"AMI name {name} is already in use by AMI {holder}")
        if "block_device_mappings" in fields_:
            fields_["block_device_mappings"] = tuple(
                mapping_from(m) for m in fields_["block_device_mappings"]
            )
        tags = dict(fields_.pop("tags", {}))
        for key, value in tags.items():
            check_tag(key, value)
        reason = fields_.pop("state_reason", None)
        if isinstance(reason, Mapping):
            reason = StateReason(**reason)
        _sharing_fields(fields_)
        image = Image(
            image_id=image_id,
            name=name,
            owner_id=owner,
            region=region_name,
            creation_date=fields_.pop("creation_date", None) or state.clock.next_date(),
            image_location=fields_.pop("image_location", None) or f"{owner}/{name}",
            tags=MappingProxyType(tags),
            state_reason=reason,
            **fields_,
        )
        region.insert(image)
        return image


def add_snapshot(
    state: RegistryState,
    region_name: str,
    snapshot_id: str | None,
    *,
    size: int,
    encrypted: bool,
    snapshot_state: str,
    create_volume_permissions: Iterable[str] = (),
) -> Snapshot:
    """Declare a snapshot in ``region_name`` (a fresh id when ``snapshot_id`` is ``None``),
    shared with the accounts ``create_volume_permissions`` names (``"all"``: public)."""
    public, accounts = _permissions("create_volume_permissions", create_volume_permissions)
    with state.lock:
        region = state.region(region_name)
        if snapshot_id is None:
            snapshot_id = state.ids.resource_id("snap")
        elif not is_resource_id("snap", snapshot_id):
            raise ValueError(f"{snapshot_id!r} is not a snapshot id (snap- + 8 or 17 hex)")
        if size < 1:
            raise ValueError(f"snapshot size must be at least 1 GiB, got {size}")
        snapshot = Snapshot(
            snapshot_id=snapshot_id,
            owner_id=state.account_id,
            region=region_name,
            size=size,
            encrypted=encrypted,
            state=snapshot_state,
            public=public,
            create_volume_permissions=accounts,
        )
        region.snapshots[snapshot_id] = snapshot
        region.missing_snapshots.discard(snapshot_id)
        return snapshot


#: What ``deregistration_protection`` may be preloaded as.
PROTECTION_STATES: Final = ("disabled", "enabled-without-cooldown", "enabled-with-cooldown")


def _sharing_fields(fields_: dict[str, Any]) -> None:
    """``add_image``'s sharing and lifecycle keywords in the form the record holds them:
    ``launch_permissions`` may hold ``"all"`` (public), ``deprecation_time`` may be a
    ``datetime``, and each value is checked as the wire would check it."""
    if "launch_permissions" in fields_:
        public, accounts = _permissions("launch_permissions", fields_["launch_permissions"])
        fields_["launch_permissions"] = accounts
        fields_["public"] = bool(fields_.get("public")) or public
    for name in ("organization_arns", "organizational_unit_arns"):
        if name in fields_:
            fields_[name] = tuple(dict.fromkeys(fields_[name]))
    # Dates in EC2's own format: DescribeImages compares deprecation times as text.
    for name in ("deprecation_time", "deregistration_cooldown_until"):
        if fields_.get(name) is not None:
            fields_[name] = _date(name, fields_[name])
    if fields_.get("creation_date") is not None:
        _date("creation_date", fields_["creation_date"])  # checked, kept as written
    if fields_.get("state") == "disabled" and (
        fields_.get("public")
        or fields_.get("launch_permissions")
        or fields_.get("organization_arns")
        or fields_.get("organizational_unit_arns")
    ):
        # DisableImage removes every launch permission: AWS cannot hold such an image.
        raise ValueError("a disabled image has no launch permissions (DisableImage removes them)")
    protection = fields_.get("deregistration_protection", "disabled")
    if protection not in PROTECTION_STATES:
        raise ValueError(
            f"deregistration_protection must be one of {', '.join(PROTECTION_STATES)}, "
            f"got {protection!r}"
        )


def _date(name: str, value: Any) -> str:
    """``value`` (a ``datetime`` or ISO 8601 text) as EC2 writes dates, or ``ValueError``."""
    moment = value if isinstance(value, datetime) else None
    if isinstance(value, str):
        moment = parse_timestamp(value)
    if moment is None:
        raise ValueError(f"{name} must be a datetime or an ISO 8601 date and time, got {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return format_date(moment)


def _permissions(name: str, entries: Iterable[str]) -> tuple[bool, tuple[str, ...]]:
    """``(public, account ids)`` from a list of account ids and ``"all"``."""
    if isinstance(entries, str):
        raise TypeError(f"{name} must be a list of account ids (or 'all'), got {entries!r}")
    public, accounts = False, []
    for entry in entries:
        if entry == "all":
            public = True
        elif isinstance(entry, str) and is_account_id(entry):
            accounts.append(entry)
        else:
            raise ValueError(f"{name}: {entry!r} is not a 12-digit account id or 'all'")
    return public, tuple(dict.fromkeys(accounts))


def add_manifest(state: RegistryState, region_name: str, location: str, content: str | None) -> str:
    """Declare the S3 bundle manifest at ``location`` (``None`` content: a valid default)."""
    with state.lock:
        region = state.region(region_name)
        region.manifests[location] = content
        region.missing_manifests.discard(location)
    return location


def missing_snapshot(state: RegistryState, region_name: str, snapshot_id: str) -> None:
    """Make ``snapshot_id`` not exist in ``region_name``, even in lenient mode (a declared
    one is forgotten)."""
    with state.lock:
        region = state.region(region_name)
        region.snapshots.pop(snapshot_id, None)
        region.missing_snapshots.add(snapshot_id)


def missing_manifest(state: RegistryState, region_name: str, location: str) -> None:
    """Make the manifest at ``location`` not exist in ``region_name``, even in lenient mode."""
    with state.lock:
        state.region(region_name).missing_manifests.add(location)


def fail_image(
    state: RegistryState, region_name: str, image_id_or_name: str, reason: str, code: str
) -> Fault:
    """Fail the image ``image_id_or_name`` names in ``region_name`` now, or arm a fault that
    fails the next image registered under that name (``Ec2Registry.fail_image``)."""
    for label, text in (("reason", reason), ("code", code)):
        if not isinstance(text, str) or not text:
            raise TypeError(f"{label} must be a non-empty str, got {text!r}")
    with state.lock:
        region = state.region(region_name)
        image = region.images.get(image_id_or_name)
        if image is None:
            holder = region.name_holder(state.account_id, image_id_or_name)
            image = region.images.get(holder) if holder else None
        fault = Fault(
            "RegisterImage",
            "fail_image",
            image_name=image.name if image else image_id_or_name,
            code=code,
            reason=reason,
            region=region_name,
        )
        if image is not None:
            fault.take()
            region.replace(failed_image(image, fault))
            return fault
        if is_resource_id("ami", image_id_or_name):
            known = ", ".join(f"{i.image_id} ({i.name})" for i in region.images.values())
            raise KeyError(
                f"no image {image_id_or_name!r} in {region_name}; images: {known or 'none'}"
                " (to fail an image registered later, pass its name)"
            )
        check_name(image_id_or_name, legacy=False)
        return state.faults.add(fault, since=len(state.calls))
