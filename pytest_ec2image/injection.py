"""The fault-injection half of :class:`~pytest_ec2image.Ec2Registry`: ``fail``,
``throttle``, ``delay`` and ``disconnect``, which queue :class:`~pytest_ec2image.Fault`
records that the request pipeline applies to the calls they match.

A base class of ``Ec2Registry`` rather than a module of functions, so that these methods, their
signatures and their docstrings are the registry's own (the ``ec2_fault`` marker binds its
arguments to ``Ec2Registry.fail``), while the facade stays a module one reads in a sitting.
"""

from __future__ import annotations

from .actions import check_fault
from .faults import Fault, Matcher
from .store import RegistryState


class FaultInjection:
    """The methods of :class:`~pytest_ec2image.Ec2Registry` that inject failures."""

    _state: RegistryState
    _region: str
    #: True on an ``in_region`` view: faults added through it apply to its region only.
    _scoped: bool

    def _add_fault(self, fault: Fault) -> Fault:
        check_fault(fault)
        if self._scoped:
            fault.region = self._region
        state = self._state
        with state.lock:
            return state.faults.add(fault, since=len(state.calls))

    def fail(
        self,
        action: str,
        code: str,
        message: str | None = None,
        *,
        status: int | None = None,
        times: int | None = 1,
        when: Matcher | None = None,
        after_commit: bool = False,
    ) -> Fault:
        """The next matching ``action`` calls answer EC2 error ``code``.

        ``status`` defaults from AWS's table for the code (503 for ``RequestLimitExceeded``,
        500 for ``InternalError``, 400 otherwise), ``message`` from AWS's text. ``times=None``
        fails every matching call. ``when`` is a dict of wire parameters that must all match
        (``{"Name": "web-1"}``; ints and bools are compared as their wire text), or a callable
        taking the :class:`Call` being served. ``after_commit=True`` serves the call first (the
        image is registered) and then answers with the error; such a fault fires only on calls
        that succeed.
        """
        return self._add_fault(
            Fault(
                action,
                "fail",
                code=code,
                message=message,
                status=status,
                times=times,
                when=when,
                after_commit=after_commit,
            )
        )

    def throttle(
        self, action: str = "RegisterImage", *, times: int | None = 1, when: Matcher | None = None
    ) -> Fault:
        """``RequestLimitExceeded`` (503) for the next ``times`` calls of ``action``; SDKs retry
        it (botocore: 5 attempts in legacy mode, 3 in standard mode)."""
        return self.fail(action, "RequestLimitExceeded", times=times, when=when)

    def delay(
        self, action: str, seconds: float, *, times: int | None = None, when: Matcher | None = None
    ) -> Fault:
        """Hold ``action`` calls for ``seconds`` before serving them; requests to other actions
        and other matching requests in parallel are not held up by it. A delay combines with
        a ``fail`` or ``disconnect`` fault on the same call. ``cancel()`` releases held calls.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"seconds must be a number, got {seconds!r}")
        if not 0 <= seconds <= 3600:
            raise ValueError(f"seconds must be from 0 to 3600, got {seconds}")
        return self._add_fault(
            Fault(action, "delay", seconds=float(seconds), times=times, when=when)
        )

    def disconnect(
        self,
        action: str = "RegisterImage",
        *,
        times: int | None = 1,
        when: Matcher | None = None,
        after_commit: bool = False,
    ) -> Fault:
        """Close the connection without an answer; SDKs see a connection error and retry.

        With ``after_commit=True`` the call is served first: the lost-response case. For
        RegisterImage (which has no ClientToken) the client's retry then meets
        ``InvalidAMIName.Duplicate`` from the image its first attempt registered.
        """
        return self._add_fault(
            Fault(action, "disconnect", times=times, when=when, after_commit=after_commit)
        )
