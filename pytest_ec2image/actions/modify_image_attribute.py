"""ModifyImageAttribute and ResetImageAttribute: share an image (launch permissions), change its
description, require IMDSv2; and make it private again.

Which attribute a ModifyImageAttribute request changes (reference aws-image-pipeline 3.2): a
``LaunchPermission.*``, ``Description.Value`` or ``ImdsSupport.Value`` struct decides, and an
``Attribute`` beside it (any case, as Ansible capitalises it) must name the same attribute;
without a struct, ``Attribute`` (case-sensitive) decides and the flat members carry the change.
One attribute per request. Everything is checked before the image changes, under one lock hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final

from ..access import find_image
from ..errors import Ec2Error, combination, invalid_value, missing
from ..store import RegistryState
from ..validation import check_description, check_enum, check_image_id
from ..wire.xml import XmlOut
from .context import RequestContext, dry_run
from .launch_permissions import (
    Permissions,
    applied,
    check_can_share,
    flat_items,
    has_flat_items,
    private,
    struct_side,
)

#: What ``Attribute`` may name (M16's doc lists the first three; productCodes is M14a's).
_ATTRIBUTES: Final = ("description", "imdsSupport", "launchPermission", "productCodes")
_BY_LOWER: Final = {a.lower(): a for a in _ATTRIBUTES}
#: struct parameter prefix -> the attribute it changes.
_STRUCTS: Final = {
    "LaunchPermission": "launchPermission",
    "Description": "description",
    "ImdsSupport": "imdsSupport",
}
IMDS_V2: Final = "v2.0"
_LAUNCH_ONLY: Final = (
    "OperationType, UserId, UserGroup, OrganizationArn and OrganizationalUnitArn can be used "
    "only when the Attribute parameter is launchPermission"
)


@dataclass(frozen=True, slots=True)
class _Change:
    """What one request changes: launch permissions (``add``/``remove``) or one value."""

    attribute: str
    add: Permissions = field(default_factory=Permissions)
    remove: Permissions = field(default_factory=Permissions)
    value: str | None = None


def _product_codes_refused() -> Ec2Error:
    # [INFERRED] M16 documents ProductCode.N as "Not supported." (reference 3.3).
    return Ec2Error(
        "UnsupportedOperation",
        "Adding product codes to an AMI is not supported (ProductCode.N, Attribute=productCodes).",
    )


def _refuse_others(params: dict[str, str], attribute: str) -> None:
    """Members that belong to another attribute than the one the request changes."""
    if any(name.startswith("ProductCode.") for name in params):
        raise combination("ProductCode cannot be combined with another attribute")
    if attribute == "launchPermission":
        if "Value" in params:
            raise combination(
                "Value can be used only when the Attribute parameter is description or imdsSupport"
            )
    elif "OperationType" in params or has_flat_items(params):
        raise combination(_LAUNCH_ONLY)


def _read_struct(params: dict[str, str], prefix: str, attribute: str | None) -> _Change:
    chosen = _STRUCTS[prefix]
    if attribute is not None:
        named = _BY_LOWER.get(attribute.lower())
        if named is None:
            raise invalid_value("attribute", attribute, "Unknown attribute.")
        if named != chosen:
            raise combination(
                f"Attribute={attribute} and {prefix} name two attributes: you can specify only "
                "one attribute at a time"
            )
    if chosen != "launchPermission":
        if "Value" in params:
            raise combination(f"Value and {prefix}.Value cannot be used together")
        _refuse_others(params, chosen)
        return _Change(chosen, value=params[f"{prefix}.Value"])
    _refuse_others(params, chosen)
    if "OperationType" in params:
        check_enum("operationType", params["OperationType"], ("add", "remove"))
    # Packer sends each share twice, as UserId.N and as LaunchPermission.Add.N.UserId: the
    # flat lists are checked, and the struct says what changes (reference 3.2). Flat lists
    # that say something else than the struct side they stand for (Add, or what
    # OperationType names) are refused rather than ignored.
    flat = flat_items(params)
    add, remove = struct_side(params, "Add"), struct_side(params, "Remove")
    side = remove if params.get("OperationType") == "remove" else add
    if flat and not flat.same_as(side):
        raise combination(
            "The flat launch permission lists (UserId.N, UserGroup.N, ...) and "
            f"LaunchPermission.{'Remove' if side is remove else 'Add'} name different "
            "permissions: give one form, or the same permissions in both"
        )
    return _Change(chosen, add=add, remove=remove)


def _read_change(params: dict[str, str]) -> _Change:
    """The one attribute change the request asks for, every member checked."""
    attribute = params.get("Attribute")
    prefixes = [p for p in _STRUCTS if any(name.startswith(p + ".") for name in params)]
    if len(prefixes) > 1:
        raise combination(
            f"{' and '.join(prefixes)} name {len(prefixes)} attributes: you can specify only "
            "one attribute at a time"
        )
    if prefixes:
        return _read_struct(params, prefixes[0], attribute)
    if attribute is None:
        if has_flat_items(params):
            # AWS's real answer to UserId.N without Attribute (packer#2305).
            raise missing("LaunchPermission")
        if any(name.startswith("ProductCode.") for name in params):
            raise _product_codes_refused()
        raise missing("Attribute")
    if attribute not in _ATTRIBUTES:
        raise invalid_value("attribute", attribute, "Unknown attribute.")
    if attribute == "productCodes":
        raise _product_codes_refused()
    _refuse_others(params, attribute)
    if attribute != "launchPermission":
        if "Value" not in params:
            raise missing("Value")
        return _Change(attribute, value=params["Value"])
    operation = params.get("OperationType")
    if operation is None:
        raise missing("OperationType")
    check_enum("operationType", operation, ("add", "remove"))
    items = flat_items(params)
    if not items:
        # [INFERRED] no text known: name the members that carry the change.
        raise missing("UserId, UserGroup, OrganizationArn or OrganizationalUnitArn")
    return _Change(attribute, add=items) if operation == "add" else _Change(attribute, remove=items)


def _check_value(change: _Change) -> None:
    value = change.value or ""
    if change.attribute == "description":
        check_description(value)
    elif change.attribute == "imdsSupport" and value != IMDS_V2:
        # [INFERRED] M16: "Set to v2.0 ... After you set the value to v2.0, you can't undo it."
        raise invalid_value(
            "imdsSupport", value, "The only valid value is v2.0, and once set it can't be undone."
        )


def modify_image_attribute(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """ModifyImageAttribute: launch permissions (both forms), description, IMDS support."""
    params = ctx.params
    image_id = params.get("ImageId")
    if not image_id:
        raise missing("imageId")
    change = _read_change(params)
    _check_value(change)
    check_image_id(image_id)
    dry_run(ctx)
    with state.lock:
        region = state.region(ctx.region)
        image = find_image(region, image_id, ctx.account_id, "own")
        if change.attribute == "launchPermission":
            check_can_share(region, image, change.add)
            changed = applied(image, change.add, change.remove)
        elif change.attribute == "description":
            # [INFERRED] an empty value clears the description.
            changed = replace(image, description=change.value or None)
        else:
            changed = replace(image, imds_support=IMDS_V2)
        if changed != image:
            region.replace(changed)
    ctx.image_id = image_id
    out.add(out.root, "return", "true")


def reset_image_attribute(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """ResetImageAttribute: launch permissions back to private (accounts, ``all``,
    organizations and OUs), the only attribute AWS resets."""
    params = ctx.params
    image_id = params.get("ImageId")
    if not image_id:
        raise missing("imageId")
    attribute = params.get("Attribute")
    if not attribute:
        raise missing("attribute")
    if attribute != "launchPermission":
        # [INFERRED] M16's enum has launchPermission only; no text known.
        raise invalid_value(
            "attribute", attribute, "Only the launchPermission attribute can be reset."
        )
    check_image_id(image_id)
    dry_run(ctx)
    with state.lock:
        region = state.region(ctx.region)
        image = find_image(region, image_id, ctx.account_id, "own")
        changed = private(image)
        if changed != image:
            region.replace(changed)
    ctx.image_id = image_id
    out.add(out.root, "return", "true")
