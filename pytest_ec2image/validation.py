"""Checks shared by the actions: booleans, integers, enums, ids, names, device names and tags.

Each raises :class:`Ec2Error` with AWS's code; where AWS's exact text is known it is used
verbatim, otherwise the message follows EC2's ``Value (v) for parameter p is invalid.`` template
and names the bad value.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Final

from .errors import Ec2Error, invalid_enum, invalid_value, missing
from .ids import is_account_id
from .wire.query import group

MAX_TAGS_PER_RESOURCE: Final = 50
MAX_TAG_KEY: Final = 127
MAX_TAG_VALUE: Final = 256

_HEX_ID = {
    prefix: re.compile(rf"^{prefix}-(?:[0-9a-f]{{8}}|[0-9a-f]{{17}})$")
    for prefix in ("ami", "aki", "ari", "snap")
}
_DEVICE = re.compile(
    r"^(?:/dev/)?(?:(?:sd|xvd)[a-z]{1,2}|hd[a-z])(?:[1-9][0-9]?)?$"
    r"|^/dev/nvme[0-9]{1,2}n[0-9]{1,2}(?:p[0-9]{1,2})?$"
)
_MODERN_NAME = re.compile(r"^[A-Za-z0-9()\[\] ./\-'@_]{3,128}$")
_LEGACY_NAME = re.compile(r"^[A-Za-z0-9(),/\-_]{3,128}$")
_TRAILING_DIGITS = re.compile(r"p?[0-9]+$")
_INTEGER = re.compile(r"^[0-9]{1,10}$")


#: ``InvalidAMIName.Malformed`` under 2009-10-31 (reference 3.2 gives only today's text).
LEGACY_NAME_MESSAGE: Final = (
    "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, "
    "'(', ')', ',', '/', '-' and '_' (API version 2009-10-31): {name}"
)


def is_resource_id(prefix: str, value: str) -> bool:
    """Whether ``value`` is ``prefix-`` + 8 or 17 lower-case hex digits."""
    return bool(_HEX_ID[prefix].match(value))


def parse_bool(location_name: str, value: str) -> bool:
    """``true``/``false`` (any case) -> bool; anything else is ``InvalidParameterValue``."""
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise invalid_value(location_name, value, "Expected: 'true' or 'false'.")


def parse_int(location_name: str, value: str) -> int:
    """A non-negative decimal integer of at most 10 digits."""
    if not _INTEGER.match(value):
        raise invalid_value(location_name, value, "Expected: a whole number.")
    return int(value)


def check_range(location_name: str, value: int, low: int, high: int, what: str) -> None:
    """``low <= value <= high`` or ``InvalidParameterValue`` naming the range."""
    if not low <= value <= high:
        raise invalid_value(location_name, str(value), f"{what} must be between {low} and {high}.")


def check_enum(location_name: str, value: str, allowed: Collection[str]) -> str:
    """``value`` if it is one of ``allowed``, else ``Invalid value 'v' for x.``"""
    if value not in allowed:
        raise invalid_enum(location_name, value)
    return value


def is_device_name(value: str) -> bool:
    """Whether ``value`` is a device name EC2 takes (``/dev/sda1``, ``xvdb``, ``/dev/nvme0n1``)."""
    return bool(_DEVICE.match(value))


def same_device(mapped: str, root: str) -> bool:
    """Whether a mapping's device is the root device, allowing a partition number on either
    side (AWS keeps AMIs whose root ``/dev/sda1`` is mapped as ``/dev/sda`` and vice versa)."""
    if mapped == root:
        return True
    return _TRAILING_DIGITS.sub("", mapped) == root or _TRAILING_DIGITS.sub("", root) == mapped


def check_tag(key: str, value: str) -> None:
    """AWS's rules for one tag: a key of 1-127 characters not starting ``aws:``, a value of at
    most 256."""
    if key.startswith("aws:"):
        raise Ec2Error(
            "InvalidParameterValue",
            f"Value ( {key} ) for parameter key is invalid. "
            "Tag keys starting with 'aws:' are reserved for internal use",
        )
    if not key:
        raise invalid_value("key", key, "Tag keys must be between 1 and 127 characters long.")
    if len(key) > MAX_TAG_KEY:
        raise invalid_value("key", key, f"Tag keys must be at most {MAX_TAG_KEY} characters long.")
    if len(value) > MAX_TAG_VALUE:
        raise invalid_value(
            "value", value, f"Tag values must be at most {MAX_TAG_VALUE} characters long."
        )


def parse_tags(entries: Mapping[str, str], prefix: str, *, where: str = "") -> dict[str, str]:
    """``{prefix}.N.Key``/``.Value`` -> an ordered dict, each tag checked, keys unique.

    A tag without ``Value`` gets the empty string, as AWS documents. ``where`` is the wire
    path of ``entries`` (``TagSpecification.1.``), so a missing key is named in full.
    """
    tags: dict[str, str] = {}
    for index, tag in group(entries, prefix):
        if "Key" not in tag:
            raise missing(f"{where}{prefix}.{index}.Key")
        key, value = tag["Key"], tag.get("Value", "")
        check_tag(key, value)
        if key in tags:
            raise invalid_value("key", key, "Duplicate tag key.")
        tags[key] = value
    return tags


def check_tag_count(tags: Mapping[str, str]) -> None:
    """At most 50 tags on one resource (``TagLimitExceeded``)."""
    if len(tags) > MAX_TAGS_PER_RESOURCE:
        raise Ec2Error(
            "TagLimitExceeded",
            f"The maximum number of tags ({MAX_TAGS_PER_RESOURCE}) for a resource has been "
            f"reached: {len(tags)} were given",
        )


def check_image_id(image_id: str) -> None:
    """``ami-``/``aki-``/``ari-`` + 8 or 17 hex digits, or ``InvalidAMIID.Malformed``."""
    if not (
        is_resource_id("ami", image_id)
        or is_resource_id("aki", image_id)
        or is_resource_id("ari", image_id)
    ):
        raise Ec2Error("InvalidAMIID.Malformed", f'Invalid id: "{image_id}" (expecting "ami-...")')


def check_user(value: str, allowed: frozenset[str]) -> None:
    """An account id or one of ``allowed`` (``self``, ``all``, ...), else
    ``InvalidUserID.Malformed``."""
    if value not in allowed and not is_account_id(value):
        raise Ec2Error("InvalidUserID.Malformed", f'Invalid user id: "{value}"')


def check_name(name: str, *, legacy: bool) -> None:
    """3-128 characters of the generation's charset, or ``InvalidAMIName.Malformed``.

    Today's message is AWS's verbatim text. No 2009 text survives, so the legacy one says which
    characters that version takes (comma yes, period no) and names the rejected name.
    """
    if legacy:
        if not _LEGACY_NAME.match(name):
            raise Ec2Error("InvalidAMIName.Malformed", LEGACY_NAME_MESSAGE.format(name=name))
    elif not _MODERN_NAME.match(name):
        raise Ec2Error("InvalidAMIName.Malformed")


def check_description(description: str) -> None:
    """At most 255 characters (AWS's CreateSnapshot wording)."""
    if len(description) > 255:
        raise invalid_value("description", description, "It exceeds 255 characters")


def check_snapshot_id(snapshot_id: str) -> None:
    """``snap-`` + 8 or 17 hex digits, or ``InvalidSnapshotID.Malformed``."""
    if not is_resource_id("snap", snapshot_id):
        raise Ec2Error(
            "InvalidSnapshotID.Malformed", f'Invalid id: "{snapshot_id}" (expecting "snap-...")'
        )
