"""Reproducible ids and strictly increasing creation dates.

Ids come from a random stream seeded by (base seed, scope): in pytest the scope is the test's
node id, so a test's ids depend only on the seed and the order of its own calls.
"""

from __future__ import annotations

import argparse
import random
import threading
import uuid
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Final

ClockSource = datetime | Callable[[], datetime]

#: Seeds are whole numbers from 0 to this (what ``--ec2-registry-seed`` and ``--seed`` take).
MAX_SEED: Final = 2**63 - 1

_ONE_MS = timedelta(milliseconds=1)


def seed_value(text: str) -> int:
    """Parse a seed: a whole number from 0 to ``MAX_SEED``.

    The ``type=`` converter of ``--ec2-registry-seed`` and of ``serve --seed``: argparse shows
    the ``ArgumentTypeError`` text as it is, so the message names the bad value.
    """
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a valid seed: expected a whole number such as 12345"
        ) from None
    if not 0 <= seed <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid seed: expected 0 to {MAX_SEED}")
    return seed


class IdSource:
    """Generates resource ids (``ami-0…``) and request ids (UUIDs) from one seeded stream."""

    __slots__ = ("_lock", "_random", "scope", "seed")

    def __init__(self, seed: int, scope: str = "") -> None:
        self.seed = seed
        self.scope = scope
        # crc32 keeps the per-scope seed stable across processes (str hashes are salted).
        self._random = random.Random((seed << 32) | zlib.crc32(scope.encode("utf-8")))
        self._lock = threading.Lock()

    def resource_id(self, prefix: str, *, short: bool = False) -> str:
        """``prefix-`` + 8 hex digits (pre-2016 style) or ``0`` + 16 hex digits (today's)."""
        with self._lock:
            if short:
                return f"{prefix}-{self._random.getrandbits(32):08x}"
            return f"{prefix}-0{self._random.getrandbits(64):016x}"

    def request_id(self) -> str:
        """A lower-case UUID4, as EC2's ``requestId``."""
        with self._lock:
            return str(uuid.UUID(int=self._random.getrandbits(128), version=4))


def is_account_id(value: str) -> bool:
    """Whether ``value`` is a 12-digit AWS account id."""
    return len(value) == 12 and value.isdigit()


def format_date(moment: datetime) -> str:
    """``2026-11-26T10:11:12.000Z``: EC2's creation date format (UTC, milliseconds)."""
    utc = moment.astimezone(timezone.utc) if moment.tzinfo not in (None, timezone.utc) else moment
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def utc_now() -> datetime:
    """The current UTC time (the default clock)."""
    return datetime.now(timezone.utc)


class CreationClock:
    """Hands out creation dates that never repeat and never go backwards.

    ``source`` is a fixed ``datetime`` or a callable returning one; two dates in the same
    millisecond are spread 1 ms apart, so image creation order is always visible in the dates.
    Setting ``source`` starts a new sequence: a test that sets a fixed datetime gets that date
    for its next image, whatever dates the preloads took from the default clock before.
    """

    __slots__ = ("_last", "_lock", "_source")

    def __init__(self, source: ClockSource = utc_now) -> None:
        self._source: ClockSource = source
        self._last: datetime | None = None
        self._lock = threading.Lock()

    @property
    def source(self) -> ClockSource:
        """The time source: a fixed ``datetime`` or a callable returning one."""
        return self._source

    @source.setter
    def source(self, source: ClockSource) -> None:
        if not isinstance(source, datetime) and not callable(source):
            raise TypeError(f"clock must be a datetime or a callable returning one, got {source!r}")
        with self._lock:
            self._source = source
            self._last = None

    def now(self) -> datetime:
        """The source's current time, as an aware UTC datetime."""
        source = self._source
        moment = source if isinstance(source, datetime) else source()
        if moment.tzinfo is timezone.utc:
            return moment
        if moment.tzinfo is None:
            return moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc)

    def next_date(self) -> str:
        """The next creation date, formatted for the wire."""
        with self._lock:
            now = self.now()
            moment = now.replace(microsecond=now.microsecond // 1000 * 1000)
            if self._last is not None and moment <= self._last:
                moment = self._last + _ONE_MS
            self._last = moment
            return format_date(moment)
