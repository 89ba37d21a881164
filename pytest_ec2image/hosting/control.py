"""The JSON control API under ``/_ec2image/``: the Python API of :class:`Ec2Registry` for test
suites written in other languages, which drive the fake started by ``python -m pytest_ec2image
serve``.

``GET state``, ``GET calls``, ``GET faults``, ``POST reset``, ``POST faults``. These are not EC2
actions: they draw no request id (so they cannot shift a test's ids), are not in the call log,
meet no injected fault, and answer JSON, with ``{"error": "..."}`` naming the problem on 4xx.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from werkzeug.wrappers import Request, Response

from ..faults import Fault
from ..registry import state_of

if TYPE_CHECKING:
    from ..model import Call
    from ..registry import Ec2Registry

PREFIX: Final = "/_ec2image"
#: A fault is a few hundred bytes of JSON; anything near this is a mistake, not a fault.
MAX_BODY_BYTES: Final = 64 * 1024

Json = dict[str, Any]


class ControlError(Exception):
    """A request the control API refuses; ``str()`` is the message the client sees."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def is_control_path(path: str) -> bool:
    """Whether ``path`` belongs to the control API rather than to the EC2 endpoint."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def handle(request: Request, registry: Ec2Registry | None) -> Response:
    """Answer one control request against ``registry`` (``None``: no registry is bound)."""
    route = request.path[len(PREFIX) :].strip("/")
    methods = _ROUTES.get(route)
    if methods is None:
        return _json(
            404,
            {
                "error": f"no control endpoint {request.path!r}",
                "endpoints": _INDEX,
            },
        )
    endpoint = methods.get(request.method)
    if endpoint is None:
        allowed = ", ".join(sorted(methods))
        answer = _json(
            405, {"error": f"{request.method} {request.path} is not allowed; use {allowed}"}
        )
        answer.headers["Allow"] = allowed
        return answer
    if registry is None:
        return _json(503, {"error": "no registry is bound to this server right now"})
    try:
        status, body = endpoint(registry, request)
    except ControlError as error:
        return _json(error.status, {"error": str(error)})
    return _json(status, body)


# --- endpoints ---------------------------------------------------------------------------------


def _index(registry: Ec2Registry, request: Request) -> tuple[int, Json]:
    return 200, {"endpoint_url": registry.endpoint_url, "endpoints": _INDEX}


def _state(registry: Ec2Registry, request: Request) -> tuple[int, Json]:
    core = state_of(registry)
    with core.lock:
        regions = {name: core.regions[name] for name in core.regions}
        body: Json = {
            "seed": registry.seed,
            "region": core.default_region,
            "account_id": core.account_id,
            "strict": core.strict,
            "pending_describes": core.pending_describes,
            "deregistered_describes": core.deregistered_describes,
            "verify_signatures": core.verify_signatures,
            "access_keys": {key: c.account_id for key, c in registry.credentials.items()},
            "regions": {
                name: {
                    "images": [to_json(i) for i in region.images.values()],
                    "snapshots": [to_json(s) for s in region.snapshots.values()],
                    "manifests": [
                        {"location": loc, "content": content}
                        for loc, content in region.manifests.items()
                    ],
                    "missing_snapshots": sorted(region.missing_snapshots),
                    "missing_manifests": sorted(region.missing_manifests),
                }
                for name, region in regions.items()
            },
        }
    body["faults"] = [fault_json(f) for f in core.faults.active()]
    return 200, body


def _calls(registry: Ec2Registry, request: Request) -> tuple[int, Json]:
    action = request.args.get("action")
    calls = registry.calls.of(action) if action else list(registry.calls)
    return 200, {"calls": [call_json(c) for c in calls]}


def _reset(registry: Ec2Registry, request: Request) -> tuple[int, Json]:
    registry.reset()
    return 200, {"reset": True}


def _list_faults(registry: Ec2Registry, request: Request) -> tuple[int, Json]:
    return 200, {"faults": [fault_json(f) for f in state_of(registry).faults.active()]}


def _add_fault(registry: Ec2Registry, request: Request) -> tuple[int, Json]:
    spec = _read_object(request)
    kind = spec.pop("kind", None)
    if kind is None:
        raise ControlError(f"missing 'kind': one of {', '.join(FAULT_KINDS)}")
    if not isinstance(kind, str) or kind not in FAULT_KINDS:
        raise ControlError(f"unknown kind {kind!r}: expected one of {', '.join(FAULT_KINDS)}")
    params = _parameters(registry, kind)
    target = registry
    if "region" in spec:
        # As ``registry.in_region(region).<kind>(...)``: that region's state, or its calls.
        region = spec.pop("region")
        if not isinstance(region, str) or not region:
            raise ControlError(f"{kind}: 'region' must be a region name, got {region!r}")
        target = registry.in_region(region)
    takes = [*params, "region"]
    unknown = sorted(set(spec) - set(params))
    if unknown:
        raise ControlError(
            f"{kind} does not take {', '.join(map(repr, unknown))} (it takes {', '.join(takes)})"
        )
    missing = [name for name, required in params.items() if required and name not in spec]
    if missing:
        raise ControlError(f"{kind} needs {', '.join(map(repr, missing))}")
    for name, value in spec.items():
        problem = _CHECKS.get(name, _json_scalar)(value)
        if problem:
            raise ControlError(f"{kind}: {name!r} must be {problem}, got {value!r}")
    try:
        result = getattr(target, kind)(**spec)
    except KeyError as error:
        raise ControlError(f"{kind}: {error.args[0] if error.args else error}") from None
    except (TypeError, ValueError) as error:
        raise ControlError(f"{kind}: {error}") from None
    body: Json = {"kind": kind}
    if isinstance(result, Fault):
        body["fault"] = fault_json(result)
    elif result is not None:
        body["image"] = to_json(result)
    return 201, body


# --- JSON shapes -------------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """A record (Image, Snapshot, ...) as plain JSON data: dataclasses become objects, mappings
    objects, tuples lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [to_json(v) for v in value]
    return value


def fault_json(fault: Fault) -> Json:
    """A fault as the control API shows it, with its ``hits`` and ``remaining``."""
    when: Any = fault.when
    if callable(when):
        when = f"<callable {getattr(when, '__qualname__', repr(when))}>"
    elif when is not None:
        when = dict(when)
    return {
        "action": fault.action,
        "kind": fault.kind,
        "code": fault.code,
        "message": fault.message,
        "status": fault.status,
        "seconds": fault.seconds,
        "times": fault.times,
        "when": when,
        "after_commit": fault.after_commit,
        # fail_image arms a fault for an image not registered yet: which one, and why.
        "image_name": getattr(fault, "image_name", None),
        "reason": getattr(fault, "reason", None),
        "region": getattr(fault, "region", None),
        "hits": fault.hits,
        "remaining": fault.remaining,
    }


def call_json(call: Call) -> Json:
    """A served call as the control API shows it (``fault`` is the fault's description)."""
    body = {f.name: getattr(call, f.name) for f in dataclasses.fields(call)}
    body["params"] = dict(call.params)
    body["fault"] = None if call.fault is None else call.fault.describe()
    body["summary"] = call.summary()
    return body


# --- validation ----------------------------------------------------------------------------------

Check = Callable[[Any], str | None]


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value else "a non-empty string"


def _text_or_null(value: Any) -> str | None:
    return None if value is None or isinstance(value, str) else "a string or null"


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "true or false"


def _status(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 400 <= value <= 599
    return None if ok else "an HTTP error status from 400 to 599"


def _times(value: Any) -> str | None:
    ok = value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 1)
    return None if ok else "a whole number of at least 1, or null (always)"


def _seconds(value: Any) -> str | None:
    ok = (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )
    return None if ok else "a number of seconds >= 0"


def _when(value: Any) -> str | None:
    ok = value is None or (
        isinstance(value, dict) and all(isinstance(v, (str, int, bool)) for v in value.values())
    )
    return None if ok else 'an object of wire parameters and their values, e.g. {"Name": "web"}'


def _json_scalar(value: Any) -> str | None:
    ok = value is None or isinstance(value, (str, int, float, bool))
    return None if ok else "a string, number, true, false or null"


def _read_object(request: Request) -> Json:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ControlError(f"the body exceeds {MAX_BODY_BYTES} bytes", 413)
    raw = request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise ControlError(f"the body exceeds {MAX_BODY_BYTES} bytes", 413)
    try:
        spec = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ControlError(f"the body is not JSON: {error}") from None
    if not isinstance(spec, dict):
        raise ControlError(f'expected a JSON object such as {{"kind": "throttle"}}, got {raw!r}')
    return spec


#: The Ec2Registry methods a ``POST /_ec2image/faults`` may call, by ``kind``; the JSON holds
#: their keyword arguments (``when`` as an object only: a callable cannot travel as JSON), and
#: optionally ``region``, which acts through ``registry.in_region(region)``.
FAULT_KINDS: Final = (
    "fail",
    "throttle",
    "delay",
    "disconnect",
    "missing_manifest",
    "missing_snapshot",
    "duplicate_name",
    "fail_image",
)
_CHECKS: Final[dict[str, Check]] = {
    "action": _text,
    "code": _text,
    "message": _text_or_null,
    "status": _status,
    "times": _times,
    "when": _when,
    "after_commit": _flag,
    "seconds": _seconds,
    "location": _text,
    "snapshot_id": _text,
    "name": _text,
    "image_id_or_name": _text,
    "reason": _text,
}


def _parameters(registry: Ec2Registry, kind: str) -> dict[str, bool]:
    """The keyword arguments of the method ``kind`` (name -> required), read from its
    signature so the JSON API takes exactly what the Python API takes."""
    signature = inspect.signature(getattr(type(registry), kind))
    return {
        name: parameter.default is inspect.Parameter.empty
        for name, parameter in signature.parameters.items()
        if name != "self"
    }


_ROUTES: Final[dict[str, dict[str, Callable[[Ec2Registry, Request], tuple[int, Json]]]]] = {
    "": {"GET": _index},
    "state": {"GET": _state},
    "calls": {"GET": _calls},
    "reset": {"POST": _reset},
    "faults": {"GET": _list_faults, "POST": _add_fault},
}

_INDEX: Final = {
    "GET /_ec2image/state": "images, snapshots and manifests per region, and active faults",
    "GET /_ec2image/calls[?action=RegisterImage]": "every EC2 call served, oldest first",
    "POST /_ec2image/reset": "back to the start state (preloads only; no calls, no faults)",
    "GET /_ec2image/faults": "the faults that can still fire",
    "POST /_ec2image/faults": '{"kind": "fail"|"throttle"|"delay"|"disconnect"|'
    '"missing_manifest"|"missing_snapshot"|"duplicate_name"|"fail_image", ...keyword arguments '
    "of the Ec2Registry method}",
}


def _json(status: int, body: Json) -> Response:
    text = json.dumps(body, indent=2, default=str) + "\n"
    return Response(text, status, content_type="application/json")
