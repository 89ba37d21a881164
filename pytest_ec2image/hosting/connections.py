"""HTTP/1.1 persistent connections, the one part of the hosting that is not werkzeug's.

EC2 keeps connections open and every SDK pools them, but werkzeug's development server closes
each one after its answer: its ``run_wsgi`` always sends ``Connection: close`` and then drains
the socket blind, which would eat a pipelined next request. So werkzeug stays the WSGI layer
(its ``make_environ``, its ``Request``, its chunked-body reader) and only the connection loop is
ours: :class:`KeepAliveHandler` replaces ``run_wsgi`` with one that frames the request strictly,
counts the body the application reads, and keeps the connection open only when nothing of this
request can be read as the next one. :class:`KeepAliveServer` keeps the table of open
connections that the limits (idle timeout, a bound on open connections, closing at ``stop()``)
are enforced on.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from ..wire.xml import render_error
from .framing import CHUNKED, Body, FramingError, HeadRecorder, body_length

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

#: Seconds an idle persistent connection stays open when nothing else is configured. AWS does
#: not document EC2's; a few seconds keeps a pooled client's connection for a whole test while
#: connections left behind by finished tests go away soon.
DEFAULT_IDLE_TIMEOUT: Final = 5.0
#: Open connections one server keeps at most (the listen backlog is the same size).
DEFAULT_MAX_CONNECTIONS: Final = 128
#: The longest idle timeout taken: a socket timeout must be finite (``settimeout`` overflows on
#: huge ones), and a day is longer than any test run needs a connection to wait.
MAX_IDLE_TIMEOUT: Final = 86400.0
#: How long a closing connection whose request was not read whole keeps reading (and
#: discarding) what the client still sends, so the client reads the answer instead of a reset.
_LINGER_SECONDS: Final = 1.0
_LINGER_BYTES: Final = 64 * 1024 * 1024
_STATUS_NO_BODY: Final = frozenset({204, 304})


@dataclass(frozen=True)
class ConnectionLimits:
    """The limits a :class:`KeepAliveServer` holds its connections to."""

    #: Seconds a connection may wait for its next request before the server closes it.
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    #: Open connections at most; past it the longest-idle one is closed to make room.
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    def __post_init__(self) -> None:
        if not 0 < self.idle_timeout <= MAX_IDLE_TIMEOUT:
            raise ValueError(
                f"idle_timeout must be a positive number of seconds up to {MAX_IDLE_TIMEOUT:g}, "
                f"not {self.idle_timeout!r}"
            )
        if self.max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, not {self.max_connections!r}")


class KeepAliveServer(ThreadedWSGIServer):
    """werkzeug's threaded server (one thread per connection) with a table of its open
    connections: which are idle (waiting for a request), how many there are, and a way to
    close the idle ones at once."""

    def __init__(
        self,
        host: str,
        port: int,
        app: WSGIApplication,
        handler: type[KeepAliveHandler],
        fd: int,
        limits: ConnectionLimits,
    ) -> None:
        super().__init__(host, port, app, handler, fd=fd)
        self.limits = limits
        #: Connections accepted, and requests whose first byte arrived, since the start.
        self.accepted = self.requests_begun = 0
        self._changed = threading.Condition()
        self._open: set[socket.socket] = set()
        #: Idle connections, longest idle first (a dict keeps insertion order).
        self._idle: dict[socket.socket, None] = {}
        #: Accepted past the bound with nothing idle to close: answered 503, then closed.
        self._refused: set[socket.socket] = set()
        self.closing = False

    @property
    def open_connections(self) -> int:
        with self._changed:
            return len(self._open)

    @property
    def idle_connections(self) -> int:
        with self._changed:
            return len(self._idle)

    def process_request(self, request: Any, client_address: Any) -> None:
        """On the accepting thread: count the connection in, closing the longest-idle one if
        the bound is reached, then serve it on a thread of its own."""
        with self._changed:
            self.accepted += 1
            if len(self._open) >= self.limits.max_connections:
                if self._idle:
                    victim = next(iter(self._idle))
                    self._close_idle_locked(victim)
                else:
                    self._refused.add(request)
            if request not in self._refused:
                self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Called once a connection's thread is done with it: count it out."""
        with self._changed:
            self._open.discard(request)
            self._idle.pop(request, None)
            self._refused.discard(request)
            self._changed.notify_all()
        super().shutdown_request(request)

    def is_refused(self, sock: socket.socket) -> bool:
        with self._changed:
            return sock in self._refused

    def await_request(self, handler: KeepAliveHandler) -> bool:
        """Wait, as an idle connection, for the first byte of the next request; ``False`` if
        the connection is to close instead (idle timeout, client gone, closed by the server)."""
        sock = handler.connection
        with self._changed:
            if self.closing:
                return False
            # A refused connection is not one of the open ones: it must not be taken for an
            # idle one that a newcomer may displace (the bound would then be exceeded).
            if sock not in self._refused:
                self._idle[sock] = None
        try:
            sock.settimeout(self.limits.idle_timeout)
            ready = handler.rfile.peek(1)  # type: ignore[attr-defined]
        except OSError:  # the idle timeout, or the connection reset or shut
            ready = b""
        with self._changed:
            # Gone from the table: another thread closed it while it was idle.
            closed = sock not in self._refused and self._idle.pop(sock, False) is False
            if closed or not ready:
                return False
            self.requests_begun += 1
        sock.settimeout(handler.timeout)
        return True

    def close_idle(self) -> int:
        """Close every idle connection now (their threads see the end and exit); returns how
        many. A connection in the middle of a request finishes it first."""
        with self._changed:
            idle = list(self._idle)
            for sock in idle:
                self._close_idle_locked(sock)
        return len(idle)

    def _close_idle_locked(self, sock: socket.socket) -> None:
        del self._idle[sock]
        self._open.discard(sock)
        # Shut, not closed: the connection's own thread closes it, so its descriptor cannot be
        # reused under it. The shut makes its blocked read return the end of the stream.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def close_all(self, grace: float) -> None:
        """At ``stop()``: close the idle connections at once, let the busy ones finish their
        request for up to ``grace`` seconds, then shut whatever is left."""
        with self._changed:
            self.closing = True
        self.close_idle()
        deadline = time.monotonic() + grace
        with self._changed:
            while self._open and self._changed.wait(max(0.0, deadline - time.monotonic())):
                pass
            for sock in self._open | self._refused:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class KeepAliveHandler(WSGIRequestHandler):
    """werkzeug's request handler with a connection loop that keeps HTTP/1.1 connections
    open: ``handle()`` (http.server's) serves requests until ``close_connection`` is set, and
    this class decides, per request, whether it must be."""

    server: KeepAliveServer
    protocol_version = "HTTP/1.1"
    # Every answer goes out in one write, so Nagle's algorithm could only delay it.
    disable_nagle_algorithm = True
    #: Seconds a client may stall while sending a request (or reading the answer) before its
    #: connection is dropped, so a half-sent body cannot hold a server thread for ever.
    timeout = 30
    #: Set when the connection closes with part of a request unread (see ``_linger``).
    unread = False

    def handle_one_request(self) -> None:
        if not self.server.await_request(self):
            self.close_connection = True
            return
        # http.server takes the end of the stream for the end of the head too: the recorder
        # tells a head cut short from a whole one.
        rfile = self.rfile
        self.rfile = HeadRecorder(rfile)  # type: ignore[assignment]
        try:
            super().handle_one_request()
        finally:
            self.rfile = rfile

    def run_wsgi(self) -> None:
        """Serve one parsed request: check its framing, run the application, answer with a
        ``Content-Length``, and keep the connection only if the body was read whole."""
        recorder = self.rfile
        if isinstance(recorder, HeadRecorder):
            self.rfile = recorder.rfile
            if not recorder.ended:
                self.reject(400, "InvalidRequest", "The connection ended inside the request head")
                return
        try:
            length = body_length(self.headers)
        except FramingError as error:
            self.reject(400, "InvalidRequest", str(error))
            return
        if self.server.is_refused(self.connection):
            self.reject(
                503,
                "ServiceUnavailable",
                f"Too many open connections: this server keeps at most "
                f"{self.server.limits.max_connections}, and none of them is idle",
            )
            return
        environ = self.make_environ()
        body: Body | None = None
        if length != CHUNKED:
            # Not werkzeug's rfile: the application cannot read past this request's body, and
            # what it left unread is known.
            body = Body(self.rfile, length)
            environ["wsgi.input"] = body
        else:
            # Chunked: werkzeug's dechunking reader serves the body; its end is the
            # connection's end, so nothing after it is ever read as a request.
            self.close_connection = self.unread = True
        status, headers, payload = _run(self.server.app, environ)
        if self.command == "HEAD" or int(status[:3]) in _STATUS_NO_BODY:
            payload = b""
        elif not any(name.lower() == "content-length" for name, _ in headers):
            headers.append(("Content-Length", str(len(payload))))
        if body is not None and body.remaining:
            self.close_connection = self.unread = True
        if self.server.closing:
            self.close_connection = True
        self._answer(status, headers, payload)

    def reject(self, status: int, code: str, message: str) -> None:
        """Answer an EC2 error and close the connection (the request is not read further)."""
        self.close_connection = self.unread = True
        body = render_error(code, message, str(uuid.uuid4()))
        headers = [("Content-Type", "text/xml;charset=UTF-8"), ("Content-Length", str(len(body)))]
        reason = self.responses.get(status, ("Bad Request",))[0]
        self._answer(f"{status} {reason}", headers, b"" if self.command == "HEAD" else body)

    def _answer(self, status: str, headers: list[tuple[str, str]], payload: bytes) -> None:
        """Write the status line, headers and body in one write (the body alone to an HTTP/0.9
        request line, as http.server does)."""
        head = ""
        if self.request_version != "HTTP/0.9":
            lines = [
                f"{self.protocol_version} {status}\r\n",
                f"Server: {self.version_string()}\r\nDate: {_http_date()}\r\n",
                *(f"{name}: {value}\r\n" for name, value in headers),
            ]
            if self.close_connection:
                lines.append("Connection: close\r\n")
            elif self.request_version == "HTTP/1.0":
                lines.append("Connection: keep-alive\r\n")
            head = "".join(lines) + "\r\n"
        try:
            self.wfile.write(head.encode("latin-1") + payload)
        except OSError:  # the client went away, or a disconnect fault shut the socket
            self.close_connection = True
            self.unread = False

    def finish(self) -> None:
        if self.unread:
            self._linger()
        super().finish()

    def _linger(self) -> None:
        """Before closing with part of the request unread: end the answer (FIN), then read and
        discard what the client still sends for a moment, since closing with unread data
        resets the connection, and a reset can destroy the answer before the client reads it."""
        sock = self.connection
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            return
        deadline = time.monotonic() + _LINGER_SECONDS
        drained = 0
        with selectors.DefaultSelector() as selector:
            selector.register(sock, selectors.EVENT_READ)
            while drained < _LINGER_BYTES and time.monotonic() < deadline:
                if not selector.select(timeout=0.05):
                    break
                try:
                    data = sock.recv(1 << 16)
                except OSError:
                    break
                if not data:
                    break
                drained += len(data)


def _run(app: WSGIApplication, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run the WSGI application to the end: (status, headers, body). Its answers are small
    and whole, so there is nothing to stream."""
    started: list[tuple[str, list[tuple[str, str]]]] = []
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [(status, list(headers))]
        return written.append

    try:
        chunks = app(environ, start_response)
        try:
            written.extend(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        status, headers = started[0]
    except Exception:  # the pipeline answers its own failures; this is the last resort
        body = render_error("InternalError", "We encountered an internal error.", str(uuid.uuid4()))
        return "500 Internal Server Error", [("Content-Type", "text/xml;charset=UTF-8")], body
    return status, headers, b"".join(written)


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The ``Date`` header, formatted once a second rather than once an answer."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        from email.utils import formatdate

        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]
