"""Start one EC2 endpoint in this process and print its URL: ours, moto's, or a floor (a
server that answers canned XML: werkzeug's, which closes every connection, or the standard
library's over HTTP/1.1 keep-alive).

Run as ``python -m benchmarks.servers KIND``; it serves until its standard input closes, so
the benchmark process that started it controls its lifetime and measures it from outside
(the load generator never shares a GIL with the server).
"""

from __future__ import annotations

import http.server
import os
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


#: The floor's DescribeImages answer: the one image ours describes in the downstream suite,
#: byte for byte but the ids, so botocore parses the same document (the floor suite's tests
#: check the name it holds; the calls-only floor's check nothing).
CANNED_DESCRIBE = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n"
    b'<DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
    b"<requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId><imagesSet><item>"
    b"<imageId>ami-0123456789abcdef0</imageId><imageLocation>123456789012/web-0</imageLocation>"
    b"<imageState>available</imageState><imageOwnerId>123456789012</imageOwnerId>"
    b"<creationDate>2026-01-01T00:00:00.000Z</creationDate><isPublic>false</isPublic>"
    b"<architecture>x86_64</architecture><imageType>machine</imageType>"
    b"<platformDetails>Linux/UNIX</platformDetails><usageOperation>RunInstances</usageOperation>"
    b"<name>web-0</name><rootDeviceType>ebs</rootDeviceType>"
    b"<rootDeviceName>/dev/sda1</rootDeviceName><blockDeviceMapping><item>"
    b"<deviceName>/dev/sda1</deviceName><ebs><snapshotId>snap-0123456789abcdef0</snapshotId>"
    b"<volumeSize>8</volumeSize><deleteOnTermination>true</deleteOnTermination>"
    b"<volumeType>gp2</volumeType><encrypted>false</encrypted></ebs></item>"
    b"</blockDeviceMapping><virtualizationType>paravirtual</virtualizationType>"
    b"<hypervisor>xen</hypervisor><deregistrationProtection>disabled</deregistrationProtection>"
    b"</item></imagesSet></DescribeImagesResponse>"
)


class CannedHandler(http.server.BaseHTTPRequestHandler):
    """The floor of any real-HTTP fake: the standard library's HTTP/1.1 server, keeping
    connections open, reading the body and answering canned XML."""

    protocol_version = "HTTP/1.1"
    # Head and body in one send, as any tuned server does (unbuffered, the head and body go
    # out as two segments and Nagle's algorithm holds the second for a delayed ACK: 40 ms).
    wbufsize = -1
    disable_nagle_algorithm = True

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = CANNED_DESCRIBE if b"Action=DescribeImages" in body else CANNED
        self.send_response(200)
        # EC2's headers, as ours sends them: the client parses the same head too.
        self.send_header("Cache-Control", "no-cache, no-store")
        self.send_header("x-amzn-RequestId", "59dbff89-35bd-4eac-99ed-be587EXAMPLE")
        self.send_header("Content-Type", "text/xml;charset=UTF-8")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_request(self, *args: object) -> None:
        pass


def start_stdlib_floor() -> http.server.ThreadingHTTPServer:
    """The keep-alive canned floor on a free port, served on a daemon thread."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CannedHandler)
    server.daemon_threads = True
    # Polled as often as ours (20 ms), so shutting it down costs what ours costs.
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(kind: str) -> tuple[str, object]:
    """Start server ``kind`` (``ours``, ``moto``, ``floor``, ``stdlib``); return its URL and a
    handle."""
    if kind == "ours":
        from pytest_ec2image import run_registry

        registry = run_registry(seed=1)
        return registry.endpoint_url, registry
    if kind == "moto":
        import logging

        from moto.server import ThreadedMotoServer

        # werkzeug logs every request at INFO; silence it so moto is not charged for the I/O.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # moto's best case: without its thousands of default AMIs to load and search.
        os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"

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
    if kind == "stdlib":
        stdlib = start_stdlib_floor()
        return f"http://127.0.0.1:{stdlib.server_address[1]}", stdlib
    raise SystemExit(f"unknown server kind {kind!r}: expected ours, moto, floor or stdlib")


def main() -> None:
    url, _handle = start(sys.argv[1])
    print(url, flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
