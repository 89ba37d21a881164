"""Why an injected fault did not fire: the lines the ``ec2-registry calls`` report section adds
for each fault that fired fewer times than asked, with every call of its action and the reason
that call did not meet it."""

from __future__ import annotations

from collections.abc import Sequence

from .faults import Fault, FaultMatcherError
from .model import Call


def explain_unspent(faults: Sequence[Fault], calls: Sequence[Call], limit: int = 10) -> list[str]:
    """Report lines for faults that did not fire as asked, each with the calls of its action
    and why they did not meet it."""
    lines: list[str] = []
    for fault in faults:
        times = "" if fault.times is None else f" of {fault.times}"
        lines.append(f"fault fired {fault.hits}{times} time(s): {fault.describe()}")
        if fault.kind == "fail_image":
            continue
        candidates = [
            (index, call)
            for index, call in enumerate(calls)
            if call.action == fault.action and call.fault is not fault
        ]
        if not candidates:
            other = "other " if fault.hits else ""
            lines.append(f"  no {other}{fault.action} call was made")
            continue
        for index, call in candidates[:limit]:
            lines.append(f"  {call.summary()}: {_why_not(fault, index, call)}")
        if len(candidates) > limit:
            lines.append(f"  ... and {len(candidates) - limit} more {fault.action} call(s)")
    return lines


def _why_not(fault: Fault, index: int, call: Call) -> str:
    if index < fault.since:
        return "made before the fault was added"
    try:
        mismatch = fault.mismatch(call)
    except FaultMatcherError as error:
        return str(error)
    if mismatch is not None:
        return mismatch
    if call.fault is not None:
        return f"answered by another fault ({call.fault.describe()})"
    if fault.after_commit and not call.ok:
        return f"failed with {call.error_code}; after_commit faults fire only on calls that succeed"
    if not call.ok:
        return f"rejected with {call.error_code} before faults apply"
    return "matched, but arrived while the fault was spent or cancelled"
