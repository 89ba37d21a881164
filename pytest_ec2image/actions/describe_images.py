"""DescribeImages: by id, owner, executable-by and filters, paginated.

Lookups by id and by exact name go through the region's indexes; only a query that names
neither walks the images, in registration order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Final

from ..access import executable_by, may_see
from ..errors import image_not_found
from ..ids import format_date
from ..model import Image
from ..store import RegionState, RegistryState
from ..validation import check_image_id, check_user, parse_bool
from ..wire.query import scalars
from ..wire.render import add_image_item
from ..wire.xml import XmlOut
from .context import RequestContext, dry_run
from .filters import Filter, image_filters, match_all
from .paging import read_page

OWNER_ALIASES: Final = frozenset({"amazon", "aws-marketplace", "aws-backup-vault"})


class _Scope:
    """Who may see an image, from the request's Owner.N, ExecutableBy.N and Include* flags."""

    __slots__ = (
        "account_id",
        "by_id",
        "executable_by",
        "include_deprecated",
        "include_disabled",
        "now",
        "owner_ids",
        "owners",
    )

    def __init__(self, ctx: RequestContext, now: str, *, by_id: bool) -> None:
        params = ctx.params
        self.account_id = ctx.account_id
        self.owners = frozenset(scalars(params, "Owner"))
        self.owner_ids = {ctx.account_id if o == "self" else o for o in self.owners}
        self.executable_by = frozenset(
            ctx.account_id if e == "self" else e for e in scalars(params, "ExecutableBy")
        )
        self.include_deprecated = parse_bool(
            "includeDeprecated", params.get("IncludeDeprecated", "false")
        )
        self.include_disabled = parse_bool(
            "includeDisabled", params.get("IncludeDisabled", "false")
        )
        self.now = now
        self.by_id = by_id

    def sees(self, image: Image) -> bool:
        if not may_see(image, self.account_id):
            return False
        mine = image.owner_id == self.account_id
        if (
            self.owners
            and image.owner_id not in self.owner_ids
            and image.image_owner_alias not in self.owners
        ):
            return False
        if self.executable_by and not any(
            executable_by(image, who, self.account_id) for who in self.executable_by
        ):
            return False
        if image.state == "disabled" and not self.include_disabled:
            return False
        # Owners always see their deprecated images; others only on request or by id.
        deprecated = image.deprecation_time is not None and image.deprecation_time <= self.now
        return not deprecated or self.include_deprecated or mine or self.by_id


def describe_images(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DescribeImages by id, owner, executable-by and filters, paginated."""
    params = ctx.params
    image_ids = list(dict.fromkeys(scalars(params, "ImageId")))
    for image_id in image_ids:
        check_image_id(image_id)
    for owner in scalars(params, "Owner"):
        check_user(owner, OWNER_ALIASES | {"self"})
    for user in scalars(params, "ExecutableBy"):
        check_user(user, frozenset({"self", "all"}))
    filters = image_filters(params)
    paging = read_page(ctx, ids=image_ids, ids_name="imageIdsSet")
    page_size, after = paging.size, paging.after
    scope = _Scope(ctx, format_date(state.clock.now()), by_id=bool(image_ids))
    dry_run(ctx)

    with state.lock:
        region = state.region(ctx.region)
        if image_ids:
            absent = [
                i for i in image_ids if i not in region.images and i not in region.deregistered
            ]
            if absent:
                raise image_not_found(absent)
            candidates: Iterable[Image] = _by_id(state, region, image_ids)
        else:
            indexed = _indexed(region, filters)
            candidates = region.images.values() if indexed is None else indexed
        shown: list[tuple[Image, str]] = []
        for image in candidates:
            if after and region.order.get(image.image_id, 0) <= after:
                continue
            if not scope.sees(image):
                continue
            displayed = _displayed_state(state, image)
            viewed = image if displayed == image.state else replace(image, state=displayed)  # type: ignore[arg-type]
            if match_all(filters, viewed):
                shown.append((image, displayed))
                # One past the page says whether another page follows.
                if page_size is not None and len(shown) > page_size:
                    break
        page = shown[:page_size] if page_size is not None else shown
        for image, displayed in page:
            views = (
                state.deregistered_views if displayed == "deregistered" else state.describe_views
            )
            if views is state.deregistered_views or state.pending_describes:
                views[image.image_id] = views.get(image.image_id, 0) + 1
        last = region.order.get(page[-1][0].image_id, 0) if page else 0
    images_set = out.add(out.root, "imagesSet")
    for image, displayed in page:
        # [INFERRED] Always there for the caller's own images (aws-nuke reads it from every
        # owned image, reference 7), never for others': protection is the owner's business.
        protection = (
            image.deregistration_protection_status if image.owner_id == ctx.account_id else None
        )
        add_image_item(out, images_set, image, displayed, legacy=ctx.legacy, protection=protection)
    if page_size is not None and len(shown) > page_size:
        out.add(out.root, "nextToken", paging.token(last))


def _by_id(state: RegistryState, region: RegionState, image_ids: list[str]) -> list[Image]:
    """The images ``image_ids`` name: registered ones, and deregistered ones in state
    ``deregistered`` for their first ``deregistered_describes`` views (AWS shows them "for a
    short interval"), after which they are left out of the answer, with no error."""
    found: list[Image] = []
    for image_id in image_ids:
        image = region.images.get(image_id)
        if image is not None:
            found.append(image)
        elif state.deregistered_views.get(image_id, 0) < state.deregistered_describes:
            found.append(replace(region.deregistered[image_id], state="deregistered"))
    return found


def _indexed(region: RegionState, filters: list[Filter[Image]]) -> list[Image] | None:
    """The only images an exact ``name`` or ``image-id`` filter can match, in registration
    order, from the indexes; ``None`` when no filter allows an index lookup."""
    for image_filter in filters:
        exact = image_filter.exact
        if exact is None:
            continue
        if image_filter.name == "name":
            ids = [i for name in exact for i in region.by_name.get(name, {}).values()]
        elif image_filter.name == "image-id":
            ids = [i for i in exact if i in region.images]
        else:
            continue
        return sorted((region.images[i] for i in set(ids)), key=lambda i: region.order[i.image_id])
    return None


def _displayed_state(state: RegistryState, image: Image) -> str:
    """``pending`` for an available image's first ``pending_describes`` views."""
    if (
        image.state == "available"
        and state.pending_describes
        and state.describe_views.get(image.image_id, 0) < state.pending_describes
    ):
        return "pending"
    return image.state
