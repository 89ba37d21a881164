"""Start one EC2 endpoint in this process and print its URL: ours, moto's, or the floor.

Run as ``python -m benchmarks.servers KIND``; it serves until its standard input closes, so
the benchmark process that started it controls its lifetime and measures it from outside
(the load generator never shares a GIL with the server).
"""

from __future__ import annotations

import socket
import sys
import threading

#: What the floor server answers: the same bytes our RegisterImage success has.
CANNED = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n"
    b'<RegisterImageResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
    b"<requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>"
    b"<imageId>ami-0123456789abcdef0</imageId></RegisterImageResponse>"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(kind: str) -> tuple[str, object]:
    """Start server ``kind`` (``ours``, ``moto``, ``floor``); return its URL and a handle."""
    if kind == "ours":
        from pytest_ec2image import run_registry

        registry = run_registry(seed=1)
        return registry.endpoint_url, registry
    if kind == "moto":
        import logging

        from moto.server import ThreadedMotoServer

        # werkzeug logs every request at INFO; silence it so moto is not charged for the I/O.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

        port = _free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        return f"http://127.0.0.1:{port}", server
    if kind == "floor":
        from werkzeug.serving import WSGIRequestHandler, make_server
        from werkzeug.wrappers import Request, Response

        class Quiet(WSGIRequestHandler):
            def log_request(self, *args: object) -> None:
                pass

        @Request.application  # type: ignore[arg-type]
        def app(request: Request) -> Response:
            request.get_data()
            return Response(CANNED, 200, content_type="text/xml;charset=UTF-8")

        floor = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
        threading.Thread(target=floor.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{floor.port}", floor
    raise SystemExit(f"unknown server kind {kind!r}: expected ours, moto or floor")


def main() -> None:
    url, _handle = start(sys.argv[1])
    print(url, flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
