"""DescribeImages filters: AWS's filter names, with ``*``/``?`` wildcards and ``\\`` escapes.

Filters are ANDed, the values of one filter ORed, names and values case-sensitive
(reference 4.2).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Final

from .errors import Ec2Error
from .model import Image


def _bool(value: bool | None) -> list[str]:
    return [] if value is None else ["true" if value else "false"]


def _one(value: str | int | None) -> list[str]:
    return [] if value is None else [str(value)]


def _ebs_values(attribute: str) -> Callable[[Image], list[str]]:
    def values(image: Image) -> list[str]:
        out: list[str] = []
        for mapping in image.block_device_mappings:
            if mapping.ebs is None:
                continue
            value = getattr(mapping.ebs, attribute)
            out.extend(_bool(value) if isinstance(value, bool) else _one(value))
        return out

    return values


#: Filter name -> the values an image has for it. ``tag:<key>`` is handled apart.
FILTERS: Final[dict[str, Callable[[Image], list[str]]]] = {
    "architecture": lambda i: [i.architecture],
    "block-device-mapping.delete-on-termination": _ebs_values("delete_on_termination"),
    "block-device-mapping.device-name": lambda i: [m.device_name for m in i.block_device_mappings],
    "block-device-mapping.snapshot-id": _ebs_values("snapshot_id"),
    "block-device-mapping.volume-size": _ebs_values("volume_size"),
    "block-device-mapping.volume-type": _ebs_values("volume_type"),
    "block-device-mapping.encrypted": _ebs_values("encrypted"),
    "creation-date": lambda i: [i.creation_date],
    "description": lambda i: _one(i.description),
    "ena-support": lambda i: _bool(i.ena_support),
    "free-tier-eligible": lambda i: ["false"],
    "hypervisor": lambda i: [i.hypervisor],
    "image-allowed": lambda i: ["true"],
    "image-id": lambda i: [i.image_id],
    "image-type": lambda i: [i.image_type],
    "is-public": lambda i: _bool(i.public),
    "kernel-id": lambda i: _one(i.kernel_id),
    "manifest-location": lambda i: [i.image_location],
    "name": lambda i: [i.name],
    "owner-alias": lambda i: _one(i.image_owner_alias),
    "owner-id": lambda i: [i.owner_id],
    "platform": lambda i: _one(i.platform),
    "product-code": lambda i: [code for code, _ in i.product_codes],
    "product-code.type": lambda i: [kind for _, kind in i.product_codes],
    "ramdisk-id": lambda i: _one(i.ramdisk_id),
    "root-device-name": lambda i: _one(i.root_device_name),
    "root-device-type": lambda i: [i.root_device_type],
    "source-image-id": lambda i: _one(i.source_image_id),
    "source-image-region": lambda i: _one(i.source_image_region),
    "source-instance-id": lambda i: [],
    "sriov-net-support": lambda i: _one(i.sriov_net_support),
    "state": lambda i: [i.state],
    "state-reason-code": lambda i: [i.state_reason.code] if i.state_reason else [],
    "state-reason-message": lambda i: [i.state_reason.message] if i.state_reason else [],
    "tag-key": lambda i: list(i.tags),
    "tag-value": lambda i: list(i.tags.values()),
    "virtualization-type": lambda i: [i.virtualization_type],
}


@lru_cache(maxsize=1024)
def compile_value(value: str) -> re.Pattern[str] | str:
    """A filter value as a regex when it has wildcards, else the literal to compare with."""
    if "*" not in value and "?" not in value and "\\" not in value:
        return value
    parts: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if escaped not in ("*", "?", "\\"):
                raise Ec2Error(
                    "InvalidParameterValue",
                    f"Invalid filter value: The escape sequence '\\{escaped}' is invalid",
                )
            parts.append(re.escape(escaped))
        elif char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".?")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


class ImageFilter:
    """One ``Filter.N``: a name and the values any of which an image must match."""

    __slots__ = ("_patterns", "_values_of", "name", "values")

    def __init__(self, name: str, values: Sequence[str]) -> None:
        self.name = name
        self.values = tuple(values)
        if name.startswith("tag:"):
            key = name[4:]
            self._values_of: Callable[[Image], list[str]] = lambda i: (
                [i.tags[key]] if key in i.tags else []
            )
        elif name in FILTERS:
            self._values_of = FILTERS[name]
        else:
            raise Ec2Error("InvalidParameterValue", f"The filter '{name}' is invalid")
        self._patterns = [compile_value(v) for v in self.values]

    @property
    def exact(self) -> tuple[str, ...] | None:
        """The literal values, when none of them has a wildcard (index lookups use these)."""
        if all(isinstance(p, str) for p in self._patterns):
            return self.values
        return None

    def matches(self, image: Image) -> bool:
        """Whether any of the image's values for this filter matches any filter value."""
        for have in self._values_of(image):
            for pattern in self._patterns:
                if (have == pattern) if isinstance(pattern, str) else pattern.fullmatch(have):
                    return True
        return False


def match_all(filters: Iterable[ImageFilter], image: Image) -> bool:
    """Whether ``image`` passes every filter."""
    return all(f.matches(image) for f in filters)
