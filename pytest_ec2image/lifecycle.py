"""The time rules of an image's lifecycle: when a deprecation time may be set, and when
deregistration protection still refuses a DeregisterImage.

Handler modules share these (EnableImageDeprecation, the protection actions, DeregisterImage)
and never import each other, so the rules live here. "Now" is always the registry's clock
(``Ec2Registry.clock``), so a test moves through a cooldown by setting it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from .ids import format_date
from .model import Image
from .wire.timestamps import parse_timestamp

#: How long protection enabled ``WithCooldown`` keeps refusing deregistration after it is
#: disabled (M16:EnableImageDeregistrationProtectionRequest.WithCooldown: "24 hours").
COOLDOWN: Final = timedelta(hours=24)
#: The furthest ``DeprecateAt`` may lie: from now, and for a public image from its creation.
MAX_DEPRECATION_YEARS: Final = 10
MAX_PUBLIC_DEPRECATION_YEARS: Final = 2


def round_to_minute(moment: datetime) -> datetime:
    """AWS "rounds the seconds to the nearest minute" (M16). [INFERRED] half up (``:30`` goes
    up, ``:29.999`` down): fractional seconds are dropped first."""
    minute = moment.replace(second=0, microsecond=0)
    return minute + timedelta(minutes=1) if moment.second >= 30 else minute


def add_years(moment: datetime, years: int) -> datetime:
    """The same calendar date ``years`` later (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def cooldown_end(now: datetime) -> str:
    """When a cooldown starting ``now`` ends, as DescribeImages shows it after
    ``disabled after `` ([INFERRED] EC2's date format, reference 7)."""
    return format_date(now + COOLDOWN)


def _passed(moment: str, now: datetime) -> bool:
    parsed = parse_timestamp(moment)
    # A preload may hold any text; the fake's own dates always parse.
    return parsed <= now if parsed is not None else moment <= format_date(now)


def deregistration_refusal(image: Image, now: datetime) -> str | None:
    """Why DeregisterImage must refuse ``image`` now (protection on, or its cooldown still
    running), or ``None`` when it may go."""
    if image.deregistration_protection != "disabled":
        return (
            f"The image {image.image_id} can't be deregistered because deregistration "
            f"protection is enabled ({image.deregistration_protection}). Disable it first "
            f"with DisableImageDeregistrationProtection."
        )
    until = image.deregistration_cooldown_until
    if until is not None and not _passed(until, now):
        return (
            f"The image {image.image_id} can't be deregistered until {until}: its "
            f"deregistration protection was disabled with a 24-hour cooldown."
        )
    return None


def cooldown_over(image: Image, now: datetime) -> bool:
    """Whether ``image`` records a cooldown that has ended by ``now``."""
    until = image.deregistration_cooldown_until
    return until is not None and _passed(until, now)
