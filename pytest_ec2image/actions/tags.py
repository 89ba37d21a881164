"""CreateTags, DeleteTags and DescribeTags on images and snapshots, with AWS's tag rules.

A request names all its resources before any is changed: one unknown id fails the whole
request and tags nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from types import MappingProxyType

from ..access import find_images, find_snapshot, may_restore, may_see
from ..errors import Ec2Error, missing
from ..store import RegionState, RegistryState
from ..validation import check_tag, check_tag_count, is_resource_id, parse_tags
from ..wire.query import group, scalars
from ..wire.xml import XmlOut
from .context import RequestContext, dry_run
from .filters import Filter, TagEntry, match_all, tag_filters
from .paging import read_page

#: Any EC2 resource id (``i-…``, ``vol-…``): well-formed, but not a kind the fake tags.
_OTHER_ID = re.compile(r"^[a-z]+(?:-[a-z]+)*-(?:[0-9a-f]{8}|[0-9a-f]{17})$")


def _resource_ids(ctx: RequestContext) -> list[str]:
    resource_ids = list(dict.fromkeys(scalars(ctx.params, "ResourceId")))
    if not resource_ids:
        raise missing("resourceIdSet")
    for resource_id in resource_ids:
        if is_resource_id("ami", resource_id) or is_resource_id("snap", resource_id):
            continue
        if _OTHER_ID.match(resource_id):
            raise Ec2Error(
                "InvalidID",
                f"The ID '{resource_id}' is not valid: pytest-ec2image tags only images "
                "(ami-) and snapshots (snap-)",
            )
        raise Ec2Error("InvalidID", f"The ID '{resource_id}' is not valid")
    return resource_ids


def _tags_of(
    region: RegionState, account_id: str, resource_ids: list[str]
) -> dict[str, Mapping[str, str]]:
    """Each resource's current tags, or the error :mod:`~pytest_ec2image.access` answers:
    images first (every unknown image id at once), then snapshots."""
    image_ids = [r for r in resource_ids if r.startswith("ami-")]
    images = dict(zip(image_ids, find_images(region, image_ids, account_id, "see"), strict=True))
    return {
        r: images[r].tags if r in images else find_snapshot(region, r, account_id, "see").tags
        for r in resource_ids
    }


def _store(region: RegionState, updates: dict[str, dict[str, str]]) -> None:
    for resource_id, tags in updates.items():
        frozen = MappingProxyType(tags)
        if resource_id.startswith("ami-"):
            region.replace(replace(region.images[resource_id], tags=frozen))
        else:
            region.snapshots[resource_id] = replace(region.snapshots[resource_id], tags=frozen)


def create_tags(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """CreateTags: add or overwrite tags; at most 50 tags on a resource afterwards."""
    resource_ids = _resource_ids(ctx)
    if not any(k.startswith("Tag.") for k in ctx.params):
        raise missing("tagSet")
    tags = parse_tags(ctx.params, "Tag")

    def add(have: Mapping[str, str]) -> dict[str, str]:
        merged = {**have, **tags}
        check_tag_count(merged)
        return merged

    _retag(state, ctx, out, resource_ids, add)


def delete_tags(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DeleteTags: a key alone deletes that key whatever its value; a key with a value (even
    empty) only when the value matches; no ``Tag.N`` at all deletes every user tag."""
    resource_ids = _resource_ids(ctx)
    wanted: list[tuple[str, str | None]] = []
    for index, entry in group(ctx.params, "Tag"):
        if "Key" not in entry:
            raise missing(f"Tag.{index}.Key")
        check_tag(entry["Key"], entry.get("Value", ""))
        wanted.append((entry["Key"], entry.get("Value")))

    def remove(have: Mapping[str, str]) -> dict[str, str]:
        if not wanted:
            # User tags only: ``aws:`` tags are AWS's and survive.
            return {k: v for k, v in have.items() if k.startswith("aws:")}
        kept = dict(have)
        for key, value in wanted:
            if key in kept and (value is None or kept[key] == value):
                del kept[key]
        return kept

    _retag(state, ctx, out, resource_ids, remove)


def _retag(
    state: RegistryState,
    ctx: RequestContext,
    out: XmlOut,
    resource_ids: list[str],
    change: Callable[[Mapping[str, str]], dict[str, str]],
) -> None:
    """After DryRun, give every resource the tags ``change`` makes of its current ones, all
    or none: ``change`` refuses a resource's new tags by raising, before anything is stored."""
    dry_run(ctx)
    with state.lock:
        region = state.region(ctx.region)
        current = _tags_of(region, ctx.account_id, resource_ids)
        updates = {r: change(have) for r, have in current.items()}
        _store(region, updates)
    out.add(out.root, "return", "true")


def describe_tags(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DescribeTags over the images and snapshots of the region, filtered and paginated."""
    params = ctx.params
    filters = tag_filters(params)
    paging = read_page(ctx)
    page_size, offset = paging.size, paging.after
    dry_run(ctx)
    with state.lock:
        region = state.region(ctx.region)
        rows: list[TagEntry] = []
        for entry in _entries(region, ctx.account_id, filters):
            if match_all(filters, entry):
                rows.append(entry)
                if page_size is not None and len(rows) > offset + page_size:
                    break
    end = offset + page_size if page_size is not None else len(rows)
    tag_set = out.add(out.root, "tagSet")
    for entry in rows[offset:end]:
        item = out.item(tag_set)
        out.add(item, "resourceId", entry.resource_id)
        out.add(item, "resourceType", entry.resource_type)
        out.add(item, "key", entry.key)
        out.add(item, "value", entry.value)
    if len(rows) > end:
        out.add(out.root, "nextToken", paging.token(end))


def _entries(
    region: RegionState, account_id: str, filters: list[Filter[TagEntry]]
) -> Iterator[TagEntry]:
    """Tag rows of the images the caller can see, then of the snapshots, in registration
    order; an exact ``resource-id`` filter reads only those resources."""
    resources: list[tuple[str, str, Mapping[str, str]]] = []
    exact_ids = next(
        (f.exact for f in filters if f.name == "resource-id" and f.exact is not None), None
    )

    if exact_ids is not None:
        for resource_id in dict.fromkeys(exact_ids):
            image = region.images.get(resource_id)
            if image is not None and may_see(image, account_id):
                resources.append((resource_id, "image", image.tags))
            elif resource_id in region.snapshots:
                snapshot = region.snapshots[resource_id]
                if may_restore(snapshot, account_id):
                    resources.append((resource_id, "snapshot", snapshot.tags))
    else:
        for image in region.images.values():
            if image.tags and may_see(image, account_id):
                resources.append((image.image_id, "image", image.tags))
        for snapshot in region.snapshots.values():
            if snapshot.tags and may_restore(snapshot, account_id):
                resources.append((snapshot.snapshot_id, "snapshot", snapshot.tags))
    for resource_id, resource_type, tags in resources:
        for tag_key, tag_value in tags.items():
            yield TagEntry(resource_id, resource_type, tag_key, tag_value, tags)
