"""Injected failures: a :class:`Fault` says which calls fail and how; the plan hands them out.

Faults of one action are consumed in the order they were added; a fault with ``times`` left is
used before any fault added after it. Everything here is guarded by one lock, because the
server answers requests on many threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .errors import DEFAULT_MESSAGES, status_for

if TYPE_CHECKING:
    from .model import Call

FaultKind = Literal["fail", "delay", "disconnect"]
Matcher = Mapping[str, str] | Callable[["Call"], bool]


@dataclass(eq=False, kw_only=True)
class Fault:
    """One injected failure. ``hits`` counts the calls it answered; ``remaining`` is how many
    more it will answer (``None``: every matching call until :meth:`cancel`)."""

    action: str
    kind: FaultKind
    code: str | None = None
    message: str | None = None
    status: int | None = None
    times: int | None = 1
    when: Matcher | None = None
    after_commit: bool = False
    seconds: float = 0.0
    hits: int = 0
    cancelled: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.code is not None:
            self.status = self.status if self.status is not None else status_for(self.code)
            self.message = (
                self.message
                if self.message is not None
                else DEFAULT_MESSAGES.get(self.code, self.code)
            )

    @property
    def remaining(self) -> int | None:
        """Calls this fault will still answer; ``None`` means unlimited."""
        if self.cancelled:
            return 0
        if self.times is None:
            return None
        return max(self.times - self.hits, 0)

    def cancel(self) -> None:
        """Stop this fault: later calls are served normally."""
        self.cancelled = True

    def describe(self) -> str:
        """``RegisterImage fail InvalidAMIName.Duplicate x2 (hit 1)`` for reports."""
        what = self.code or (f"{self.seconds:g}s" if self.kind == "delay" else "")
        times = "always" if self.times is None else f"x{self.times}"
        return f"{self.action} {self.kind} {what} {times} (hit {self.hits})".replace("  ", " ")

    def matches(self, call: Call) -> bool:
        """Whether ``call`` is one this fault is for (action, then ``when``)."""
        if call.action != self.action:
            return False
        if self.when is None:
            return True
        if callable(self.when):
            return bool(self.when(call))
        return all(call.params.get(k) == v for k, v in self.when.items())

    def take(self) -> bool:
        """Count one hit if any remain; thread-safe."""
        with self._lock:
            remaining = self.remaining
            if remaining == 0:
                return False
            self.hits += 1
            return True


class FaultPlan:
    """The faults of one registry, in the order they were added."""

    __slots__ = ("_faults", "_lock")

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        """Queue ``fault`` after the ones already added."""
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Forget every fault."""
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        """Faults that can still fire."""
        with self._lock:
            return [f for f in self._faults if f.remaining != 0]

    def take(self, call: Call, kinds: tuple[FaultKind, ...]) -> Fault | None:
        """The first fault of one of ``kinds`` that matches ``call`` and has hits left, used."""
        for fault in self.active():
            if fault.kind in kinds and fault.matches(call) and fault.take():
                return fault
        return None
