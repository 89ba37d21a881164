"""The per-request pipeline every EC2 call goes through, as a WSGI application: method and
body, query decoding, auth detection and signatures, routing on ``Action`` through
:data:`~pytest_ec2image.actions.ACTIONS`, the API version, faults before, the handler, faults
after, and the answer. Every path logs a :class:`~pytest_ec2image.Call`.

The server (:mod:`.server`) hosts it; a test can also drive it in-process with
``werkzeug.test.Client(Pipeline())``, with no socket at all.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Final

from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from ..actions import ACTIONS
from ..actions.context import RequestContext
from ..actions.unimplemented import EC2_ACTIONS, unimplemented
from ..errors import Ec2Error, missing
from ..model import Call
from ..store import RegistryState
from ..wire import auth, signatures
from ..wire.query import MAX_BODY_BYTES, check_known, decode_params, is_auth_param
from ..wire.versions import API_VERSIONS, LEGACY_VERSION, is_legacy_version
from ..wire.xml import XmlOut, render_error
from . import control
from .calls import CallDraft, Disconnect, faults_after, faults_before

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from ..registry import Ec2Registry

_HEADERS: Final = (("Cache-Control", "no-cache, no-store"),)
#: Content types a form body may come with, as clients spell them (parsing the header is
#: left for the rare others).
_FORM_CONTENT_TYPES: Final = frozenset(
    {
        "",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-8",
        "application/x-www-form-urlencoded; charset=UTF-8",
    }
)
#: The methods the Query protocol is served over (HEAD: GET's headers alone).
_METHODS: Final = frozenset({"GET", "HEAD", "POST"})
_NO_REQUEST_ID: Final = "00000000-0000-4000-8000-000000000000"
#: Pre-rendered, so the last-resort answer cannot itself fail.
_INTERNAL_ERROR: Final = render_error(
    "InternalError", Ec2Error("InternalError").message, _NO_REQUEST_ID
)
_NO_REGISTRY: Final = render_error(
    "ServiceUnavailable",
    "pytest-ec2image: no test is using this endpoint right now (the request came after its "
    "test ended, or before one began)",
    _NO_REQUEST_ID,
)


class Pipeline:
    """The fake EC2 endpoint as a WSGI application. ``bind(state)`` chooses the registry it
    serves, so a fresh state per test is an O(1) swap."""

    def __init__(self) -> None:
        self.state: RegistryState | None = None
        #: The registry owning ``state``, for the control API (reset, faults).
        self.registry: Ec2Registry | None = None
        self._bind_lock = threading.Lock()
        #: Called with each finished EC2 call (not control requests), on the serving thread.
        self.on_call: list[Callable[[Call], None]] = []
        self._app: WSGIApplication = Request.application(self.answer)

    def bind(self, state: RegistryState | None, registry: Ec2Registry | None = None) -> None:
        """Serve ``state`` from now on (``None``: answer that no registry is in use);
        ``registry``, the one owning ``state``, also answers the ``/_ec2image/`` control API."""
        with self._bind_lock:
            self.state = state
            self.registry = registry

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self._app(environ, start_response)

    def answer(self, request: Request) -> WSGIApplication:
        """Serve one request: what the WSGI application does with each one."""
        try:
            return self._route(request)
        except Exception as error:
            # A failure outside the guarded serving steps (logging, rendering) would otherwise
            # reach the client as werkzeug's HTML page and the test would never hear of it.
            state = self.state
            if state is not None:
                state.errors.record("(answering a request)", error)
            return _Answer(_INTERNAL_ERROR, 500, _NO_REQUEST_ID)

    def _route(self, request: Request) -> WSGIApplication:
        """Decode, route, run faults and the handler, and answer; every path logs a Call."""
        if control.is_control_path(request.path):
            return control.handle(request, self.registry)
        started = time.perf_counter()
        state = self.state
        if state is None:
            return _Answer(_NO_REGISTRY, 503, _NO_REQUEST_ID)
        request_id = state.ids.request_id()
        call = CallDraft(request.method, state.default_region, request_id)
        try:
            self._serve(state, request, call)
        except Ec2Error as error:
            call.fail(error)
        except Disconnect:
            _drop_connection(request)
            call.status, call.error_message = 0, "connection closed without an answer"
        except Exception as error:  # a bug in the fake or in a test's callable
            state.errors.record(call.action or "(unknown action)", error)
            call.fail(Ec2Error("InternalError"))
            call.error_message = f"pytest-ec2image internal error: {error!r}"
        call.duration = time.perf_counter() - started
        finished = call.as_call()
        state.record_call(finished)
        for listener in self.on_call:
            try:
                listener(finished)
            except Exception as error:  # a broken log sink must not break the answer
                state.errors.record(f"on_call listener for {finished.action}", error)
        if call.status == 0:
            return _Answer(b"", 500, request_id)  # never reaches the client: the socket is shut
        if call.status == 200:
            assert call.body is not None
            return _Answer(call.body, 200, request_id)
        assert call.error_code is not None
        wire_message = (
            Ec2Error("InternalError").message
            if call.error_code == "InternalError"
            else call.error_message or ""
        )
        return _Answer(
            render_error(call.error_code, wire_message, request_id), call.status, request_id
        )

    def _serve(self, state: RegistryState, request: Request, call: CallDraft) -> None:
        if request.method not in _METHODS:
            # Serving a PUT from its query string would ignore its body without a word.
            raise Ec2Error(
                "InvalidRequest",
                f"The HTTP method {request.method} is not supported: EC2 takes GET (or HEAD) "
                "with a query string, or POST with a form body",
                status=405,
            )
        # One byte over the limit is read so a chunked body, which werkzeug cuts at the
        # limit without an error, is seen to exceed it.
        request.max_content_length = MAX_BODY_BYTES + 1
        try:
            body = request.get_data(cache=False) if request.method == "POST" else b""
            if len(body) > MAX_BODY_BYTES:
                raise RequestEntityTooLarge
        except RequestEntityTooLarge:
            raise Ec2Error(
                "RequestEntityTooLarge",
                f"The request body exceeds the maximum of {MAX_BODY_BYTES} bytes",
            ) from None
        except ClientDisconnected as error:
            # The client stalled past the socket timeout or hung up mid-body: its fault, not
            # the fake's, so it is a client error and never an internal one.
            cause = error.__cause__ or error.__context__
            if request.content_length is None and not isinstance(cause, TimeoutError):
                raise Ec2Error(
                    "InvalidRequest",
                    f"The chunked request body is malformed or cut short: {cause or 'it ended'}",
                ) from None
            raise Ec2Error(
                "RequestTimeout",
                f"The request body did not arrive in full: {request.content_length} bytes were "
                f"promised and the client stopped sending or stalled for "
                f"{_stall_seconds(request)}",
            ) from None
        if (
            body
            and request.environ.get("CONTENT_TYPE", "") not in _FORM_CONTENT_TYPES
            and request.mimetype not in _FORM_CONTENT_TYPES
        ):
            raise Ec2Error(
                "InvalidParameterValue",
                f"Unsupported Content-Type {request.mimetype!r}: EC2 takes a query string or an "
                "application/x-www-form-urlencoded body",
            )
        raw_params = decode_params(request.query_string, body)
        who = auth.inspect(request.headers.get("Authorization", ""), raw_params)
        params = {k: v for k, v in raw_params.items() if not is_auth_param(k)}
        call.params, call.auth, call.access_key = params, who.scheme, who.access_key
        call.region = who.scope_region or state.default_region
        if state.verify_signatures:
            signatures.verify(
                signatures.SignedRequest(
                    method=request.method,
                    path=request.path,
                    query=request.query_string,
                    headers={name.lower(): value for name, value in request.headers.items()},
                    body=body,
                    params=raw_params,
                ),
                who,
                state.credentials,
            )
        action_name = params.get("Action", "")
        call.action = action_name
        if not action_name:
            raise missing("Action")
        action = ACTIONS.get(action_name)
        if action is None:
            if action_name in EC2_ACTIONS:
                # A real action the fake lacks: say so, and let the fixture warn the test.
                with state.lock:
                    state.unimplemented.append(action_name)
                raise unimplemented(action_name, ACTIONS)
            raise Ec2Error(
                "InvalidAction", f"The action {action_name} is not valid for this web service."
            )
        version = params.get("Version")
        if version is None:
            if state.strict:
                raise missing("Version")
            version = LEGACY_VERSION
        call.version = version
        if version not in API_VERSIONS:
            raise Ec2Error(
                "NoSuchVersion",
                f"The requested version ({version}) of service AmazonEC2 does not exist",
            )
        legacy = is_legacy_version(version)
        known = action.legacy_params if legacy else action.params
        if known is None:
            raise Ec2Error(
                "InvalidAction",
                f"The action {action_name} is not valid for this web service "
                f"(it does not exist in API version {version}).",
            )
        check_known(params, known)
        # Faults apply only to calls that reached the fake's logic: a malformed request is
        # rejected the same way with or without them.
        after = faults_before(state.faults, call) if state.faults else None
        ctx = RequestContext(
            action=action_name,
            version=version,
            legacy=legacy,
            params=params,
            region=call.region,
            account_id=auth.account_for(state.credentials, who.access_key, state.account_id),
            request_id=call.request_id,
        )
        out = XmlOut(action_name, version, call.request_id)
        action.handler()(state, ctx, out)
        call.image_id = ctx.image_id
        if state.faults:
            faults_after(state, call, after, created=ctx.created)
        call.status, call.body = 200, out.to_bytes()


def _stall_seconds(request: Request) -> str:
    sock = request.environ.get("werkzeug.socket")
    timeout = sock.gettimeout() if isinstance(sock, socket.socket) else None
    return f"{timeout:g} s" if timeout is not None else "too long"


def _drop_connection(request: Request) -> None:
    sock = request.environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _Answer:
    """An EC2 answer as a bare WSGI response: a werkzeug ``Response`` costs about a tenth of
    a whole RegisterImage's time in the server, and these answers use none of what it offers."""

    __slots__ = ("_body", "_headers", "_status")

    def __init__(self, body: bytes, status: int, request_id: str) -> None:
        self._body = body
        self._status = f"{status} {HTTP_STATUS_CODES.get(status, 'Unknown')}"
        self._headers = [
            *_HEADERS,
            ("x-amzn-RequestId", request_id),
            ("Content-Type", "text/xml;charset=UTF-8"),
            ("Content-Length", str(len(body))),
        ]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response(self._status, self._headers)
        return () if environ.get("REQUEST_METHOD") == "HEAD" else (self._body,)
