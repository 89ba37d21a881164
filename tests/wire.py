"""Raw HTTP/1.1 over one socket, for the tests of connections and framing."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def code(self) -> str | None:
        return etree.fromstring(self.body).findtext("Errors/Error/Code")

    @property
    def message(self) -> str:
        return etree.fromstring(self.body).findtext("Errors/Error/Message") or ""


class Wire:
    """One raw connection: bytes out, answers parsed one at a time from one buffered reader
    (so pipelined answers are never lost between reads)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        address = urlsplit(url)
        self.sock = socket.create_connection((address.hostname, address.port), timeout=timeout)
        self.reader = self.sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def answer(self, head_only: bool = False) -> Answer:
        status_line = self.reader.readline()
        assert status_line.startswith(b"HTTP/1.1 "), status_line
        headers: dict[str, str] = {}
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if head_only else int(headers["content-length"])
        return Answer(int(status_line.split()[1]), headers, self.reader.read(length))

    def closed_by_server(self) -> bool:
        """True once the server has closed its end (waits up to the socket timeout)."""
        try:
            return self.reader.read(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


def post(body: str, *, version: str = "HTTP/1.1", headers: str = "") -> bytes:
    return (
        f"POST / {version}\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body.encode())}\r\n{headers}\r\n{body}"
    ).encode()


def until(predicate, what: str, timeout: float = 10.0) -> None:
    """Wait for ``predicate()`` (liveness only: nothing is timed)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.01)
