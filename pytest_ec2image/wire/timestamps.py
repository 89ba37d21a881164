"""ISO-8601 timestamps as clients put them on the wire (``DeprecateAt``).

botocore sends ``2030-01-02T03:04:35Z``, or six fractional digits when the caller's
``datetime`` has microseconds; the AWS CLI example sends milliseconds; AWS's own sample URL
carries the value in double quotes (reference aws-image-pipeline 1.1). [INFERRED] So the parser
takes 0 to 9 fractional digits, ``Z``, a ``+hh:mm``/``+hhmm`` offset or none (UTC), and strips
one pair of surrounding quotes.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"(?:(?P<z>[Zz])|(?P<sign>[+-])(?P<off_h>\d{2}):?(?P<off_m>\d{2}))?"
)


def parse_timestamp(text: str) -> datetime | None:
    """``text`` as an aware UTC datetime, or ``None`` when it is not an ISO-8601 date and time
    (digits beyond microseconds are dropped: nothing finer reaches the store)."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    year, month, day = (int(part) for part in match["date"].split("-"))
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    offset = timedelta(0)
    if match["sign"]:
        offset = timedelta(hours=int(match["off_h"]), minutes=int(match["off_m"]))
        if match["sign"] == "-":
            offset = -offset
    try:
        moment = datetime(
            year,
            month,
            day,
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
            int(fraction),
            tzinfo=timezone(offset),
        ).astimezone(timezone.utc)
    except ValueError:  # 2030-02-30, hour 24, an offset of a day or more
        return None
    except OverflowError:  # 9999-12-31T23:00-01:00 is past the last datetime
        return None
    return moment
