"""``Filter.N`` for DescribeImages, DescribeSnapshots and DescribeTags: AWS's filter names,
``*``/``?`` wildcards and ``\\`` escapes.

Filters are ANDed, the values of one filter ORed, names and values case-sensitive
(reference 4.2). Each action has a table: filter name -> the values a resource has for it;
``tag:<key>`` is handled apart, from the resource's tags.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Final, Generic, NamedTuple, TypeVar

from ..errors import Ec2Error, missing
from ..model import Image, Snapshot
from ..wire.query import group

T = TypeVar("T")
ValuesOf = Callable[[T], list[str]]


def _bool(value: bool | None) -> list[str]:
    return [] if value is None else ["true" if value else "false"]


def _one(value: str | int | None) -> list[str]:
    return [] if value is None else [str(value)]


def _never(_: object) -> list[str]:
    return []


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


#: DescribeImages filter name -> the values an image has for it (every name of the botocore
#: model's list; names for features the fake does not model, such as watermarks or scan
#: results, are valid and match no image, as they match no image that lacks the feature).
IMAGE_FILTERS: Final[dict[str, ValuesOf[Image]]] = {
    "architecture": lambda i: [i.architecture],
    "block-device-mapping.delete-on-termination": _ebs_values("delete_on_termination"),
    "block-device-mapping.device-name": lambda i: [m.device_name for m in i.block_device_mappings],
    "block-device-mapping.snapshot-id": _ebs_values("snapshot_id"),
    "block-device-mapping.volume-size": _ebs_values("volume_size"),
    "block-device-mapping.volume-type": _ebs_values("volume_type"),
    "block-device-mapping.encrypted": _ebs_values("encrypted"),
    "boot-mode": lambda i: _one(i.boot_mode),
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
    "source-instance-id": _never,
    "sriov-net-support": lambda i: _one(i.sriov_net_support),
    "state": lambda i: [i.state],
    "state-reason-code": lambda i: [i.state_reason.code] if i.state_reason else [],
    "state-reason-message": lambda i: [i.state_reason.message] if i.state_reason else [],
    "tag-key": lambda i: list(i.tags),
    "tag-value": lambda i: list(i.tags.values()),
    "virtualization-type": lambda i: [i.virtualization_type],
    **dict.fromkeys(
        (
            "image-watermark.source-image-creation-time",
            "image-watermark.source-image-id",
            "image-watermark.source-image-region",
            "image-watermark.watermark-creation-time",
            "image-watermark.watermark-key",
            "instance-type-specification.supported-instance-type",
            "instance-type-specification.unsupported-instance-type",
            "public-ssm-parameter-name",
            "scan-result.critical-fix-available-since",
            "scan-result.finding-scan-date",
            "scan-result.high-fix-available-since",
            "scan-result.highest-finding-severity-label",
            "scan-result.informational-fix-available-since",
            "scan-result.low-fix-available-since",
            "scan-result.medium-fix-available-since",
        ),
        _never,
    ),
}


#: DescribeSnapshots filter name -> the values a snapshot has for it.
SNAPSHOT_FILTERS: Final[dict[str, ValuesOf[Snapshot]]] = {
    "description": _never,
    "encrypted": lambda s: _bool(s.encrypted),
    "owner-alias": _never,
    "owner-id": lambda s: [s.owner_id],
    "progress": lambda s: [s.progress],
    "snapshot-id": lambda s: [s.snapshot_id],
    "start-time": _never,
    "status": lambda s: [s.state],
    "storage-tier": lambda s: ["standard"],
    "transfer-type": lambda s: ["standard"],
    "tag-key": lambda s: list(s.tags),
    "tag-value": lambda s: list(s.tags.values()),
    "volume-id": lambda s: [s.volume_id],
    "volume-size": lambda s: [str(s.size)],
}


class TagEntry(NamedTuple):
    """One row of DescribeTags: a tag of a resource, with all the resource's tags beside it
    (``tag:<key>`` filters select resources)."""

    resource_id: str
    resource_type: str
    key: str
    value: str
    tags: Mapping[str, str]


#: DescribeTags filter name -> the values a tag row has for it.
TAG_FILTERS: Final[dict[str, ValuesOf[TagEntry]]] = {
    "key": lambda t: [t.key],
    "resource-id": lambda t: [t.resource_id],
    "resource-type": lambda t: [t.resource_type],
    "value": lambda t: [t.value],
}


@lru_cache(maxsize=1024)
def compile_value(value: str) -> re.Pattern[str] | str:
    """A filter value as a regex when it has wildcards, else the literal to compare with."""
    if "*" not in value and "?" not in value and "\\" not in value:
        return value
    parts: list[str] = []
    literal: list[str] = []
    wild = False
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
            literal.append(escaped)
        elif char in ("*", "?"):
            parts.append(".*" if char == "*" else ".?")
            wild = True
        else:
            parts.append(re.escape(char))
            literal.append(char)
    # Escapes without a wildcard (``a\\*b``) are still a literal, which index lookups can use.
    return re.compile("".join(parts), re.DOTALL) if wild else "".join(literal)


class Filter(Generic[T]):
    """One ``Filter.N``: a name and the values any of which a resource must match."""

    __slots__ = ("_patterns", "_values_of", "name", "values")

    def __init__(
        self,
        name: str,
        values: Sequence[str],
        table: Mapping[str, ValuesOf[T]],
        tags_of: Callable[[T], Mapping[str, str]],
    ) -> None:
        self.name = name
        self.values = tuple(values)
        if name.startswith("tag:"):
            key = name[4:]

            def tag_value(resource: T) -> list[str]:
                tags = tags_of(resource)
                return [tags[key]] if key in tags else []

            self._values_of: ValuesOf[T] = tag_value
        elif name in table:
            self._values_of = table[name]
        else:
            raise Ec2Error("InvalidParameterValue", f"The filter '{name}' is invalid")
        self._patterns = [compile_value(v) for v in self.values]

    @property
    def exact(self) -> tuple[str, ...] | None:
        """The literal values, when none of them has a wildcard (index lookups use these)."""
        literals = tuple(p for p in self._patterns if isinstance(p, str))
        return literals if len(literals) == len(self._patterns) else None

    def matches(self, resource: T) -> bool:
        """Whether any of the resource's values for this filter matches any filter value."""
        for have in self._values_of(resource):
            for pattern in self._patterns:
                if (have == pattern) if isinstance(pattern, str) else pattern.fullmatch(have):
                    return True
        return False


def _image_tags(image: Image) -> Mapping[str, str]:
    return image.tags


def _snapshot_tags(snapshot: Snapshot) -> Mapping[str, str]:
    return snapshot.tags


def _entry_tags(entry: TagEntry) -> Mapping[str, str]:
    return entry.tags


def parse_filters(
    params: Mapping[str, str],
    table: Mapping[str, ValuesOf[T]],
    tags_of: Callable[[T], Mapping[str, str]],
) -> list[Filter[T]]:
    """The request's ``Filter.N.Name``/``Filter.N.Value.M``, values ordered by M."""
    filters: list[Filter[T]] = []
    for index, entry in group(params, "Filter"):
        if "Name" not in entry:
            raise missing(f"Filter.{index}.Name")
        values = [
            value
            for _, value in sorted(
                (int(key[6:]), value) for key, value in entry.items() if key.startswith("Value.")
            )
        ]
        filters.append(Filter(entry["Name"], values, table, tags_of))
    return filters


def image_filters(params: Mapping[str, str]) -> list[Filter[Image]]:
    """DescribeImages' filters."""
    return parse_filters(params, IMAGE_FILTERS, _image_tags)


def snapshot_filters(params: Mapping[str, str]) -> list[Filter[Snapshot]]:
    """DescribeSnapshots' filters."""
    return parse_filters(params, SNAPSHOT_FILTERS, _snapshot_tags)


def tag_filters(params: Mapping[str, str]) -> list[Filter[TagEntry]]:
    """DescribeTags' filters."""
    return parse_filters(params, TAG_FILTERS, _entry_tags)


def match_all(filters: Iterable[Filter[T]], resource: T) -> bool:
    """Whether ``resource`` passes every filter."""
    return all(f.matches(resource) for f in filters)
