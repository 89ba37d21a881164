"""One EC2 call while it is served, HTTP aside: the draft of its :class:`~.model.Call` record
and the faults applied to it before and after its handler runs.
"""

from __future__ import annotations

from typing import Any

from ..errors import Ec2Error
from ..faults import TERMINAL, Fault, FaultPlan, failed_image
from ..model import Call
from ..store import RegistryState


class Disconnect(Exception):
    """Raised to drop the connection without an answer."""


class CallDraft:
    """A Call being built while its request is served."""

    __slots__ = (
        "access_key",
        "action",
        "auth",
        "body",
        "duration",
        "error_code",
        "error_message",
        "fault",
        "image_id",
        "method",
        "params",
        "region",
        "request_id",
        "status",
        "version",
    )

    def __init__(self, method: str, region: str, request_id: str) -> None:
        self.method, self.region, self.request_id = method, region, request_id
        self.action = ""
        self.params: dict[str, str] = {}
        self.version = ""
        self.status = 0
        self.auth: Any = "none"
        self.access_key: str | None = None
        self.error_code: str | None = None
        self.error_message: str | None = None
        self.image_id: str | None = None
        self.fault: Fault | None = None
        self.body: bytes | None = None
        self.duration = 0.0

    def fail(self, error: Ec2Error) -> None:
        """Answer ``error``: its status, code and message become the call's."""
        self.status, self.error_code, self.error_message = (error.status, error.code, error.message)

    def as_call(self) -> Call:
        """The :class:`Call` record of what is known so far (the final one once answered)."""
        return Call(
            action=self.action,
            params=dict(self.params),
            version=self.version,
            method=self.method,
            status=self.status,
            request_id=self.request_id,
            region=self.region,
            error_code=self.error_code,
            error_message=self.error_message,
            image_id=self.image_id,
            fault=self.fault,
            access_key=self.access_key,
            auth=self.auth,
            duration=self.duration,
        )


def faults_before(plan: FaultPlan, call: CallDraft) -> Fault | None:
    """Apply ``call``'s delay and its fault, unless that fault is ``after_commit``: it is
    returned (not yet used) to apply once the call has been served."""
    probe = call.as_call()
    delay = plan.take(probe, ("delay",))
    while True:
        fault = plan.peek(probe, TERMINAL)
        # take() fails only when another request used the fault's last hit meanwhile.
        if fault is None or fault.after_commit or fault.take():
            break
    now = fault if fault is not None and not fault.after_commit else None
    call.fault = now or delay
    if delay is not None:
        delay.hold()
    if now is not None:
        _apply(now)
    return fault


def faults_after(
    state: RegistryState, call: CallDraft, pending: Fault | None, *, created: bool
) -> None:
    """After a successful call: fail the image it ``created`` if an armed ``fail_image``
    names it, then apply an ``after_commit`` fault (if no other request used its last hit
    meanwhile)."""
    if created and call.image_id is not None:
        with state.lock:
            region = state.region(call.region)
            image = region.images.get(call.image_id)
            if image is not None:
                doom = state.faults.take_failed_image(call.region, image.name)
                if doom is not None:
                    region.replace(failed_image(image, doom))
                    call.fault = call.fault or doom
    if pending is not None and pending.take():
        call.fault = pending
        _apply(pending)


def _apply(fault: Fault) -> None:
    """Answer as ``fault`` says: no answer at all, or its error."""
    if fault.kind == "disconnect":
        raise Disconnect
    assert fault.code is not None
    assert fault.message is not None
    raise Ec2Error(fault.code, fault.message, fault.status)
