"""EnableImageDeprecation and DisableImageDeprecation: set or clear an image's
``deprecationTime``.

AWS's rules (M16, EC2 User Guide "Deprecate an AMI"; reference aws-image-pipeline 6): only the
owner may, the seconds are rounded to the nearest minute, the time may not be in the past nor
more than 10 years ahead (2 years from the creation date for a public image), and a public
image's deprecation can be neither cancelled nor moved later. AWS names no code or text for the
refusals; the ones below are choices (docs/reference/actions/deprecation.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from ..errors import Ec2Error, invalid_value, missing
from ..ids import format_date
from ..lifecycle import (
    MAX_DEPRECATION_YEARS,
    MAX_PUBLIC_DEPRECATION_YEARS,
    add_years,
    round_to_minute,
)
from ..model import Image
from ..store import RegistryState
from ..validation import check_image_id
from ..wire.timestamps import parse_timestamp
from ..wire.xml import XmlOut
from .context import RequestContext, dry_run
from .owned import change_owned_image

_EXPECTED = "Expected an ISO 8601 date and time, such as 2030-01-02T03:04:00.000Z."


def enable_image_deprecation(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """EnableImageDeprecation: the image's ``deprecationTime`` becomes ``DeprecateAt``
    rounded to the minute, shown as ``YYYY-MM-DDTHH:MM:00.000Z``."""
    image_id = ctx.params.get("ImageId")
    if not image_id:
        raise missing("ImageId")
    text = ctx.params.get("DeprecateAt")
    if not text:
        raise missing("DeprecateAt")
    requested = parse_timestamp(text)
    if requested is None:
        raise invalid_value("DeprecateAt", text, _EXPECTED)
    try:
        deprecate_at = round_to_minute(requested)
    except OverflowError:  # 9999-12-31T23:59:30Z: far beyond the 10-year limit anyway
        deprecate_at = datetime.max.replace(tzinfo=timezone.utc)
    now = state.clock.now()
    if deprecate_at < now:
        raise invalid_value(
            "DeprecateAt",
            text,
            f"You can't specify a date in the past: {format_date(deprecate_at)} (rounded to "
            f"the minute) is before the current time {format_date(now)}.",
        )
    latest = add_years(now, MAX_DEPRECATION_YEARS)
    if deprecate_at > latest:
        raise invalid_value(
            "DeprecateAt",
            text,
            f"The deprecation time can be at most {MAX_DEPRECATION_YEARS} years from now "
            f"({format_date(latest)}).",
        )
    check_image_id(image_id)
    dry_run(ctx)

    def deprecate(image: Image) -> Image:
        if image.public:
            _check_public(image, deprecate_at, text)
        return replace(image, deprecation_time=format_date(deprecate_at))

    change_owned_image(state, ctx, image_id, deprecate)
    out.add(out.root, "return", "true")


def _check_public(image: Image, deprecate_at: datetime, text: str) -> None:
    """A public image: at most 2 years from its creation, and never later than the time it
    already has ("to move the deprecation to a later date, you must make the AMI private")."""
    created = parse_timestamp(image.creation_date)
    if created is not None:
        latest = add_years(created, MAX_PUBLIC_DEPRECATION_YEARS)
        if deprecate_at > latest:
            raise invalid_value(
                "DeprecateAt",
                text,
                f"The deprecation time of a public image can be at most "
                f"{MAX_PUBLIC_DEPRECATION_YEARS} years from its creation date "
                f"({format_date(latest)} for {image.image_id}).",
            )
    current = image.deprecation_time
    current_at = parse_timestamp(current) if current is not None else None
    if current_at is not None and deprecate_at > current_at:
        raise Ec2Error(
            "OperationNotPermitted",
            f"The image {image.image_id} is public: its deprecation time ({current}) can't be "
            f"moved to a later date. Make the image private first.",
        )


def disable_image_deprecation(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DisableImageDeprecation: the image no longer has a ``deprecationTime``; ``true`` also
    when it had none (idempotent)."""
    image_id = ctx.params.get("ImageId")
    if not image_id:
        raise missing("ImageId")
    check_image_id(image_id)
    dry_run(ctx)
    change_owned_image(state, ctx, image_id, _undeprecated)
    out.add(out.root, "return", "true")


def _undeprecated(image: Image) -> Image:
    if image.deprecation_time is None:
        return image
    if image.public:
        raise Ec2Error(
            "OperationNotPermitted",
            f"The image {image.image_id} is public: its deprecation time "
            f"({image.deprecation_time}) can't be cancelled. Make the image private first.",
        )
    return replace(image, deprecation_time=None)
