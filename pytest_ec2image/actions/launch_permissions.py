"""Launch permissions as ModifyImageAttribute carries them, checked item by item, and applied
to an image.

Two wire forms say the same thing (reference aws-image-pipeline 3.2): the struct form
(``LaunchPermission.Add.N.UserId``, ``.Group``, ``.OrganizationArn``,
``.OrganizationalUnitArn``, and ``.Remove.N.*``) and the older flat form (``UserId.N``,
``UserGroup.N``, ``OrganizationArn.N``, ``OrganizationalUnitArn.N`` under one
``OperationType``). A bad item is ``InvalidAMIAttributeItemValue`` whose item-type word echoes
the form used: ``userId`` for the struct member, ``UserGroup`` for the flat list, as the two
real answers of reference 3.3 show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Final

from ..access import EVERYONE
from ..errors import Ec2Error
from ..ids import format_date, is_account_id
from ..lifecycle import MAX_PUBLIC_DEPRECATION_YEARS, add_years, round_to_minute
from ..model import Image
from ..store import RegionState
from ..wire.query import group, scalars
from ..wire.timestamps import parse_timestamp

# AWS Organizations' documented id patterns: o- + 10-32, ou- + 4-32 + - + 8-32 characters.
_ORGANIZATION_ARN: Final = re.compile(
    r"^arn:aws(?:-[a-z]+)*:organizations::[0-9]{12}:organization/o-[a-z0-9]{10,32}$"
)
_UNIT_ARN: Final = re.compile(
    r"^arn:aws(?:-[a-z]+)*:organizations::[0-9]{12}:ou/o-[a-z0-9]{10,32}"
    r"/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$"
)
#: How long a newly public image may stay undeprecated (UG-DEP: two years from creation).


@dataclass(frozen=True, slots=True)
class Permissions:
    """One side (add or remove) of a launch permission change."""

    accounts: tuple[str, ...] = ()
    everyone: bool = False
    organizations: tuple[str, ...] = ()
    units: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.accounts or self.everyone or self.organizations or self.units)

    def same_as(self, other: Permissions) -> bool:
        """Whether both name the same permissions, in whatever order."""
        return (set(self.accounts), self.everyone, set(self.organizations), set(self.units)) == (
            set(other.accounts),
            other.everyone,
            set(other.organizations),
            set(other.units),
        )


def _bad_item(value: str, item_type: str) -> Ec2Error:
    # AWS echoes the value verbatim, trailing spaces included (packer#1068).
    return Ec2Error(
        "InvalidAMIAttributeItemValue",
        f'Invalid attribute item value "{value}" for {item_type} item type.',
    )


_CHECKS: Final[dict[str, Callable[[str], bool]]] = {
    "account": is_account_id,
    "group": lambda v: v == EVERYONE,
    "organization": lambda v: bool(_ORGANIZATION_ARN.match(v)),
    "unit": lambda v: bool(_UNIT_ARN.match(v)),
}
#: wire member -> (kind, item-type word) of the struct form ...
_STRUCT_MEMBERS: Final = {
    "UserId": ("account", "userId"),
    "Group": ("group", "group"),
    "OrganizationArn": ("organization", "organizationArn"),
    "OrganizationalUnitArn": ("unit", "organizationalUnitArn"),
}
#: ... and of the flat form (list prefix -> (kind, item-type word)).
FLAT_LISTS: Final = {
    "UserId": ("account", "UserId"),
    "UserGroup": ("group", "UserGroup"),
    "OrganizationArn": ("organization", "OrganizationArn"),
    "OrganizationalUnitArn": ("unit", "OrganizationalUnitArn"),
}


def _collect(items: Iterable[tuple[str, str, str]]) -> Permissions:
    """``(kind, value, item-type word)`` triples, each checked, as :class:`Permissions`."""
    # Dicts as ordered sets: a request may name thousands of accounts.
    found: dict[str, dict[str, None]] = {kind: {} for kind in _CHECKS}
    for kind, value, item_type in items:
        if not _CHECKS[kind](value):
            raise _bad_item(value, item_type)
        found[kind][value] = None
    return Permissions(
        accounts=tuple(found["account"]),
        everyone=bool(found["group"]),
        organizations=tuple(found["organization"]),
        units=tuple(found["unit"]),
    )


def struct_side(params: Mapping[str, str], side: str) -> Permissions:
    """``LaunchPermission.{side}.N.*`` (``side`` is ``Add`` or ``Remove``). An entry may set
    several members; each is taken (botocore lets a caller set all four)."""
    return _collect(
        (_STRUCT_MEMBERS[member][0], value, _STRUCT_MEMBERS[member][1])
        for _, entry in group(params, f"LaunchPermission.{side}")
        for member, value in entry.items()
    )


def flat_items(params: Mapping[str, str]) -> Permissions:
    """``UserId.N``, ``UserGroup.N``, ``OrganizationArn.N``, ``OrganizationalUnitArn.N``."""
    return _collect(
        (kind, value, item_type)
        for prefix, (kind, item_type) in FLAT_LISTS.items()
        for value in scalars(params, prefix)
    )


def has_flat_items(params: Mapping[str, str]) -> bool:
    """Whether the request carries any flat launch permission list."""
    return any(name.partition(".")[0] in FLAT_LISTS and "." in name for name in params)


def _merge(held: tuple[str, ...], add: tuple[str, ...], remove: tuple[str, ...]) -> tuple[str, ...]:
    gone = set(remove)
    kept = dict.fromkeys(v for v in held if v not in gone)
    kept.update(dict.fromkeys(add))
    return tuple(kept)


def public_deprecation(image: Image) -> str | None:
    """The deprecation time an image gets when it is made public: its own, or creation date +
    2 years if that is sooner or it has none ([INFERRED] reference 3.4: min(existing,
    creation + 2y), applied at the moment ``all`` is added), rounded to the minute as
    EnableImageDeprecation rounds."""
    created = parse_timestamp(image.creation_date)
    if created is None:  # the fake's own dates always parse; preloads are checked
        return image.deprecation_time
    cap = round_to_minute(add_years(created, MAX_PUBLIC_DEPRECATION_YEARS))
    current = parse_timestamp(image.deprecation_time) if image.deprecation_time else None
    if current is not None and current <= cap:
        return image.deprecation_time
    return format_date(cap)


def check_can_share(region: RegionState, image: Image, add: Permissions) -> None:
    """What AWS refuses before a share changes anything (reference 3.3): any Add on a disabled
    image, and making public an image with an encrypted snapshot or a Marketplace code."""
    if not add:
        return
    if image.state == "disabled":
        # [INFERRED] M16:DisableImage "A disabled AMI can't be shared".
        raise Ec2Error("InvalidAMIID.Unavailable")
    if not add.everyone or image.public:
        return
    for mapping in image.block_device_mappings:
        ebs = mapping.ebs
        if ebs is None:
            continue
        snapshot = region.snapshots.get(ebs.snapshot_id or "")
        if ebs.encrypted or (snapshot is not None and snapshot.encrypted):
            # AWS's text, U+2019 apostrophe included (ods-core#1062).
            raise Ec2Error(
                "UnsupportedOperation",
                "Encrypted snapshots can\u2019t be shared publicly. Specify another snapshot.",
            )
    if any(kind == "marketplace" for _, kind in image.product_codes):
        # [INFERRED] M16: "Images with an AWS Marketplace product code cannot be made public."
        raise Ec2Error(
            "UnsupportedOperation",
            f"Images with an AWS Marketplace product code cannot be made public: {image.image_id}",
        )


def applied(image: Image, add: Permissions, remove: Permissions) -> Image:
    """``image`` with ``remove`` taken away, then ``add`` granted (so an entry named on both
    sides ends up granted). Adding what is held and removing what is not change nothing."""
    public = (image.public and not remove.everyone) or add.everyone
    deprecation = image.deprecation_time
    if public and not image.public:
        deprecation = public_deprecation(image)
    return replace(
        image,
        public=public,
        launch_permissions=_merge(image.launch_permissions, add.accounts, remove.accounts),
        organization_arns=_merge(image.organization_arns, add.organizations, remove.organizations),
        organizational_unit_arns=_merge(image.organizational_unit_arns, add.units, remove.units),
        deprecation_time=deprecation,
    )


def private(image: Image) -> Image:
    """``image`` with every launch permission gone (ResetImageAttribute)."""
    return replace(
        image,
        public=False,
        launch_permissions=(),
        organization_arns=(),
        organizational_unit_arns=(),
    )
