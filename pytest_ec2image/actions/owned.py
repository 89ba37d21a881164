"""The step the owner-only image actions share: under the registry lock, find the image the
request names as its owner may (``access.find_image(..., "own")``), change it, store the
change, and let the call log name the image."""

from __future__ import annotations

from collections.abc import Callable

from ..access import find_image
from ..model import Image
from ..store import RegistryState
from .context import RequestContext


def change_owned_image(
    state: RegistryState, ctx: RequestContext, image_id: str, change: Callable[[Image], Image]
) -> Image:
    """Apply ``change`` (which may refuse by raising, before anything is stored) to the
    caller's image ``image_id``; returns the image as stored."""
    with state.lock:
        region = state.region(ctx.region)
        image = change(find_image(region, image_id, ctx.account_id, "own"))
        region.replace(image)
    ctx.image_id = image_id
    return image
