"""EC2 API versions, and which of the two API generations serves a request.

The legacy generation is the API as the 2009-10-31 RegisterImage page documents it (and every
version before it); every later version is served by today's rules (SPEC 4.2).
"""

from __future__ import annotations

from typing import Final

#: Every EC2 API version AWS released, oldest first. EC2 has not released one since 2016-11-15:
#: features added since then are served under that version.
API_VERSIONS: Final[frozenset[str]] = frozenset(
    (
        "2006-06-26",
        "2006-10-01",
        "2006-11-01",
        "2007-01-03",
        "2007-01-19",
        "2007-03-01",
        "2007-08-29",
        "2008-02-01",
        "2008-05-05",
        "2008-08-08",
        "2008-12-01",
        "2009-03-01",
        "2009-04-04",
        "2009-07-15",
        "2009-08-15",
        "2009-10-31",
        "2009-11-30",
        "2010-06-15",
        "2010-08-31",
        "2010-11-15",
        "2011-01-01",
        "2011-02-28",
        "2011-05-15",
        "2011-07-15",
        "2011-11-01",
        "2011-12-01",
        "2011-12-15",
        "2012-03-01",
        "2012-04-01",
        "2012-05-01",
        "2012-06-01",
        "2012-06-15",
        "2012-07-20",
        "2012-08-15",
        "2012-10-01",
        "2012-12-01",
        "2013-02-01",
        "2013-06-15",
        "2013-07-15",
        "2013-08-15",
        "2013-10-01",
        "2013-10-15",
        "2014-02-01",
        "2014-05-01",
        "2014-06-15",
        "2014-09-01",
        "2014-10-01",
        "2015-03-01",
        "2015-04-15",
        "2015-10-01",
        "2016-04-01",
        "2016-09-15",
        "2016-11-15",
    )
)
#: The last version of the legacy API generation (the 2009 RegisterImage page the project grew
#: from): requests without ``Version`` are served as this one.
LEGACY_VERSION: Final = "2009-10-31"


def is_legacy_version(version: str) -> bool:
    """Whether ``version`` is served by the legacy generation's rules (2009-10-31 or earlier)."""
    return version <= LEGACY_VERSION
