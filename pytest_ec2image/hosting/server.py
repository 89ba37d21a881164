"""The HTTP hosting: a threaded werkzeug server, hosted through pytest-httpserver's
``HTTPServerBase``, serving the request :class:`~.pipeline.Pipeline`.

One server serves many registries in turn: the fixture binds each test's registry state with
:meth:`Ec2Server.bind`, which makes a fresh state per test an O(1) swap.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from pytest_httpserver.httpserver import HTTPServerBase, HTTPServerError
from werkzeug.wrappers import Request, Response

from ..model import Call
from ..store import RegistryState
from .connections import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    ConnectionLimits,
    KeepAliveHandler,
    KeepAliveServer,
)
from .pipeline import Pipeline

if TYPE_CHECKING:
    from ..registry import Ec2Registry

#: How often the serve loop checks for a stop request: bounds the time ``stop()`` takes.
POLL_INTERVAL: Final = 0.02
#: Seconds ``stop()`` lets a connection in the middle of a request finish before shutting it.
_STOP_GRACE: Final = 1.0


class _QuietRequestHandler(KeepAliveHandler):
    """The connection handler without werkzeug's per-request log lines (the call log has
    them), answering in EC2's error format what http.server rejects itself."""

    def version_string(self) -> str:
        """The ``Server`` header: EC2's, in place of werkzeug's and Python's versions."""
        return "AmazonEC2"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - werkzeug's signature
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Requests http.server rejects before the app sees them (request line or headers too
        long, bad syntax) are answered in EC2's error format too, not as an HTML page."""
        reason = message or self.responses.get(code, ("Bad request",))[0]
        # Bad input is a client error, whatever http.server would call it (505 for an
        # unknown HTTP version).
        status = code if code < 500 else 400
        self.reject(
            status,
            _HTTP_ERROR_CODES.get(status, "InvalidRequest"),
            f"The request was rejected before it was read: {reason} (HTTP {status})",
        )


#: EC2-style codes for what http.server rejects itself (EC2 has none of its own for these).
_HTTP_ERROR_CODES: Final = {
    414: "RequestURITooLong",
    431: "RequestHeaderFieldsTooLarge",
}


class Ec2Server(HTTPServerBase):
    """The fake EC2 endpoint on a socket: the :class:`~.pipeline.Pipeline` served by a threaded
    werkzeug server over persistent HTTP/1.1 connections. ``bind(state)`` chooses the registry
    it serves.

    ``idle_timeout``: seconds an idle connection stays open; ``max_connections``: how many may
    be open at once (past it the longest-idle one is closed).
    """

    server: KeepAliveServer | None

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        super().__init__(host, port, threaded=True)
        self.limits = ConnectionLimits(idle_timeout, max_connections)
        self.pipeline = Pipeline()
        self._endpoint_url: tuple[tuple[Any, ...], str] | None = None

    @property
    def on_call(self) -> list[Callable[[Call], None]]:
        """Called with each finished EC2 call (not control requests), on the serving thread."""
        return self.pipeline.on_call

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT``: what ``AWS_ENDPOINT_URL_EC2`` is set to."""
        # Read by the fixture in every test, and fixed once the port is bound.
        key = (self.host, self.port, self.ssl_context)
        if self._endpoint_url is None or self._endpoint_url[0] != key:
            self._endpoint_url = (key, self.url_for("/").rstrip("/"))
        return self._endpoint_url[1]

    def bind(self, state: RegistryState | None, registry: Ec2Registry | None = None) -> None:
        """Serve ``state`` from now on (``None``: answer that no registry is in use);
        ``registry``, the one owning ``state``, also answers the ``/_ec2image/`` control API."""
        self.pipeline.bind(state, registry)

    # --- hosting ---------------------------------------------------------------------------

    def start(self) -> None:
        """Bind in the calling thread (a taken port fails here, at once), serve in a thread."""
        if self.is_running():
            raise HTTPServerError("Server is already running")
        # Bind here rather than in werkzeug, which answers a taken port with sys.exit(1).
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.create_server((self.host, self.port), family=family, backlog=128)
        try:
            self.server = KeepAliveServer(
                self.host,
                self.port,
                self.pipeline,
                _QuietRequestHandler,
                listener.fileno(),
                self.limits,
            )
        finally:
            listener.close()  # werkzeug serves a duplicate of it
        self.port = self.server.port
        self.server_thread = threading.Thread(
            target=self.thread_target, name="pytest-ec2image-server", daemon=True
        )
        self.server_thread.start()

    def thread_target(self) -> None:
        """Serve until stopped, checking for a stop request every ``POLL_INTERVAL``."""
        assert self.server is not None
        self.server.serve_forever(poll_interval=POLL_INTERVAL)

    def stop(self) -> None:
        """Stop serving, close the open connections (idle ones at once, a request being served
        gets up to a second to finish) and release the port."""
        server = self.server
        if server is not None:
            server.close_all(grace=_STOP_GRACE)
        super().stop()
        if server is not None:
            server.server_close()

    # --- connections -----------------------------------------------------------------------

    @property
    def connections_accepted(self) -> int:
        """Connections accepted since the server started (a pooled client opens few)."""
        return 0 if self.server is None else self.server.accepted

    @property
    def open_connections(self) -> int:
        """Connections open right now, idle or serving a request."""
        return 0 if self.server is None else self.server.open_connections

    @property
    def idle_connections(self) -> int:
        """Open connections waiting for their next request."""
        return 0 if self.server is None else self.server.idle_connections

    def close_idle_connections(self) -> int:
        """Close the connections waiting for a request (returns how many): the fixture does at
        each test's end, so no connection outlives the test whose client opened it."""
        return 0 if self.server is None else self.server.close_idle()

    def dispatch(self, request: Request) -> Response:
        """``HTTPServerBase``'s hook: the pipeline's answer as a werkzeug ``Response``."""
        return Response.from_app(self.pipeline.answer(request), request.environ)
