"""Injected failures: a :class:`Fault` says which calls fail and how; the plan hands them out.

Faults are consumed in the order they were added: a call gets the first fault that is for its
action, matches its ``when`` and has hits left. Delays are a separate layer (a call can be both
delayed and failed). Everything is guarded by locks, because the server answers requests on
many threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, final

from .errors import fault_message, status_for
from .model import Image, StateReason

if TYPE_CHECKING:
    from .model import Call

FaultKind = Literal["fail", "delay", "disconnect", "fail_image"]
#: ``when``: wire parameters that must all be present with these values, or a callable that
#: takes the :class:`~pytest_ec2image.Call` being served (action, params, version, region...).
Matcher = Mapping[str, str | int | bool] | Callable[["Call"], bool]

#: Faults that decide the answer (at most one per call); delays only hold it back.
TERMINAL: tuple[FaultKind, ...] = ("fail", "disconnect")
_KINDS = frozenset(("fail", "delay", "disconnect", "fail_image"))


class FaultMatcherError(Exception):
    """A ``when=`` callable raised; the call answers ``InternalError`` and the test fails."""


def _wire_text(key: str, value: object) -> str:
    # EC2's wire booleans are lower case; ints are sent as decimal text.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    raise TypeError(
        f"when={{{key!r}: {value!r}}}: values are compared with the wire text of the parameter, "
        f"so they must be str, int or bool, not {type(value).__name__}"
    )


@final
class Fault:
    """One injected failure, as returned by ``Ec2Registry.fail``, ``throttle``, ``delay``,
    ``disconnect`` and ``fail_image``.

    ``hits`` counts the calls it answered; ``remaining`` is how many more it will answer
    (``None``: every matching call until :meth:`cancel`). The call a fault answered carries it
    as ``Call.fault``. ``region`` is set for faults added through an ``in_region`` view (they
    match only calls to that region) and for ``fail_image``.
    """

    __slots__ = (
        "_cancelled",
        "_hits",
        "_lock",
        "_released",
        "_since",
        "action",
        "after_commit",
        "code",
        "image_name",
        "kind",
        "message",
        "reason",
        "region",
        "seconds",
        "status",
        "times",
        "when",
    )

    def __init__(
        self,
        action: str,
        kind: FaultKind,
        *,
        code: str | None = None,
        message: str | None = None,
        status: int | None = None,
        times: int | None = 1,
        when: Matcher | None = None,
        after_commit: bool = False,
        seconds: float = 0.0,
        image_name: str | None = None,
        reason: str | None = None,
        region: str | None = None,
    ) -> None:
        if kind not in _KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        if not isinstance(action, str) or not action:
            raise TypeError(
                f"action must be an EC2 action name such as 'RegisterImage', got {action!r}"
            )
        if times is not None and (isinstance(times, bool) or not isinstance(times, int)):
            raise TypeError(f"times must be a whole number or None (always), got {times!r}")
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1, or None (always), got {times}")
        if not isinstance(after_commit, bool):
            raise TypeError(f"after_commit must be True or False, got {after_commit!r}")
        if kind == "fail":
            if not isinstance(code, str) or not code:
                raise TypeError(
                    "code must be an EC2 error code such as 'InvalidAMIName.Duplicate', "
                    f"got {code!r}"
                )
            if status is None:
                status = status_for(code)
            elif isinstance(status, bool) or not isinstance(status, int):
                raise TypeError(f"status must be an HTTP status code, got {status!r}")
            elif not 400 <= status <= 599:
                # Anything else is not an error to an SDK: botocore would parse the error
                # document as a successful answer.
                raise ValueError(f"status must be an HTTP error status (400-599), got {status}")
            if message is None:
                message = fault_message(code)
            elif not isinstance(message, str):
                raise TypeError(f"message must be a str, got {message!r}")
        self.action = action
        self.kind: FaultKind = kind
        self.code = code
        self.message = message
        self.status = status
        self.times = times
        self.when: Matcher | None = _normalize_when(when)
        self.after_commit = after_commit
        self.seconds = seconds
        self.image_name = image_name
        self.reason = reason
        self.region = region
        self._hits = 0
        # Index in the call log when the fault was added: earlier calls could not meet it.
        self._since = 0
        self._cancelled = False
        self._lock = threading.Lock()
        # Set on cancel(): releases requests a delay fault is holding.
        self._released = threading.Event()

    # --- state -----------------------------------------------------------------------------

    @property
    def hits(self) -> int:
        """How many calls this fault has answered so far."""
        return self._hits

    @property
    def since(self) -> int:
        """The call log's length when the fault was added: earlier calls could not meet it."""
        return self._since

    @property
    def remaining(self) -> int | None:
        """Calls this fault will still answer; ``None`` means unlimited, 0 spent or cancelled."""
        if self._cancelled:
            return 0
        if self.times is None:
            return None
        return max(self.times - self._hits, 0)

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled

    def cancel(self) -> None:
        """Stop this fault: later calls are served normally, and requests it is delaying are
        answered at once."""
        with self._lock:
            self._cancelled = True
        self._released.set()

    def take(self) -> bool:
        """Count one hit if any remain (thread-safe); whether this call gets the fault."""
        with self._lock:
            if self._cancelled or (self.times is not None and self._hits >= self.times):
                return False
            self._hits += 1
            return True

    def hold(self) -> None:
        """Wait out a delay (cut short by :meth:`cancel`)."""
        self._released.wait(self.seconds)

    # --- matching --------------------------------------------------------------------------

    def matches(self, call: Call) -> bool:
        """Whether ``call`` is one this fault is for (action, then ``when``)."""
        return self.mismatch(call) is None

    def mismatch(self, call: Call) -> str | None:
        """Why ``call`` is not one this fault is for, or ``None`` when it is."""
        if call.action != self.action:
            return f"action is {call.action or '(none)'}, not {self.action}"
        if self.region is not None and call.region != self.region:
            return f"region is {call.region}, not {self.region}"
        when = self.when
        if when is None:
            return None
        if callable(when):
            try:
                matched = when(call)
            except Exception as error:
                raise FaultMatcherError(
                    f"the when= callable of {self!r} raised {type(error).__name__}: {error}"
                ) from error
            return None if matched else f"when={_callable_name(when)} returned {matched!r}"
        problems = []
        for key, want in when.items():
            got = call.params.get(key)
            if got is None:
                problems.append(f"{key} not sent (wanted {want!r})")
            elif got != want:
                problems.append(f"{key}={got!r}, wanted {want!r}")
        return "; ".join(problems) or None

    # --- text ------------------------------------------------------------------------------

    def describe(self) -> str:
        """One line for reports, e.g. ``RegisterImage fail RequestLimitExceeded (503) x2``."""
        if self.kind == "fail":
            what = f"{self.code} ({self.status})"
        elif self.kind == "delay":
            what = f"{self.seconds:g}s"
        elif self.kind == "fail_image":
            what = f"next image named {self.image_name!r} in {self.region}"
        else:
            what = "no answer"
        parts = [self.action, self.kind, what, "always" if self.times is None else f"x{self.times}"]
        if self.when is not None:
            when = self.when
            shown = (
                _callable_name(when)
                if callable(when)
                else "{" + ", ".join(f"{k}={v!r}" for k, v in when.items()) + "}"
            )
            parts.append(f"when {shown}")
        if self.region is not None and self.kind != "fail_image":
            parts.append(f"in {self.region}")
        if self.after_commit:
            parts.append("after commit")
        return " ".join(parts)

    def __repr__(self) -> str:
        remaining = "unlimited" if self.remaining is None else self.remaining
        state = ", cancelled" if self._cancelled else ""
        return f"<Fault {self.describe()}: hits={self._hits}, remaining={remaining}{state}>"


def _normalize_when(when: Matcher | None) -> Matcher | None:
    if when is None or callable(when):
        return when
    if not isinstance(when, Mapping):
        raise TypeError(
            "when must be a dict of wire parameters (e.g. {'Name': 'web-1'}) or a callable "
            f"taking the Call, got {type(when).__name__}"
        )
    if not when:
        raise ValueError("when={} matches every call: leave when out instead")
    normalized: dict[str, str] = {}
    for key, value in when.items():
        if not isinstance(key, str):
            raise TypeError(f"when keys are wire parameter names (str), got {key!r}")
        normalized[key] = _wire_text(key, value)
    return MappingProxyType(normalized)


def _callable_name(function: Callable[..., object]) -> str:
    name = getattr(function, "__qualname__", None) or type(function).__name__
    return f"{name}()"


def failed_image(image: Image, fault: Fault) -> Image:
    """``image`` in state ``failed``, with ``fault``'s code and reason as its ``stateReason``."""
    reason = StateReason(fault.code or "Server.InternalError", fault.reason or "Image failed")
    return replace(image, state="failed", state_reason=reason)


class FaultPlan:
    """The faults of one registry, in the order they were added."""

    __slots__ = ("_faults", "_lock")

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        # Read without the lock: the serving fast path only needs "were any faults added".
        return bool(self._faults)

    def add(self, fault: Fault, *, since: int = 0) -> Fault:
        """Queue ``fault`` after the ones already added; ``since`` is the call log's length
        then (calls before it are not candidates when explaining a fault that never fired)."""
        fault._since = since
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Forget every fault, cancelling them (delayed requests are answered at once)."""
        with self._lock:
            faults, self._faults = self._faults, []
        for fault in faults:
            fault.cancel()

    def release(self) -> None:
        """Answer every request a delay is holding now, without cancelling anything (the
        test is over; its faults stay readable)."""
        for fault in self.all():
            fault._released.set()

    def all(self) -> list[Fault]:
        """Every fault, spent and cancelled ones included, in the order they were added."""
        with self._lock:
            return list(self._faults)

    def active(self) -> list[Fault]:
        """Faults that can still fire."""
        return [f for f in self.all() if f.remaining != 0]

    def peek(self, call: Call, kinds: tuple[FaultKind, ...]) -> Fault | None:
        """The first fault of one of ``kinds`` with hits left that matches ``call``, unused."""
        for fault in self.active():
            if fault.kind in kinds and fault.matches(call):
                return fault
        return None

    def take(self, call: Call, kinds: tuple[FaultKind, ...]) -> Fault | None:
        """Like :meth:`peek`, but the fault is used (one hit counted)."""
        while True:
            fault = self.peek(call, kinds)
            # A fault another thread used up meanwhile has no hits left: look again.
            if fault is None or fault.take():
                return fault

    def take_failed_image(self, region: str, name: str) -> Fault | None:
        """The armed ``fail_image`` fault for a new image ``name`` in ``region``, used."""
        for fault in self.active():
            if (
                fault.kind == "fail_image"
                and fault.region == region
                and fault.image_name == name
                and fault.take()
            ):
                return fault
        return None

    def unspent(self) -> list[Fault]:
        """Faults that did not fire as often as asked (never, for ``times=None``), for the
        failure report: the usual cause of a fault test that fails is a fault that did not
        match."""
        return [
            f
            for f in self.all()
            if not f.cancelled and (f.hits == 0 or (f.times is not None and f.hits < f.times))
        ]
