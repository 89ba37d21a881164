"""A small HTTP load generator: N threads posting RegisterImage bodies for a fixed time."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/ec2/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
)


def register_body(name: str) -> bytes:
    """What boto3 sends for a one-snapshot EBS registration."""
    return (
        "Action=RegisterImage&Version=2016-11-15&Name="
        + name
        + "&RootDeviceName=%2Fdev%2Fsda1&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsda1"
        "&BlockDeviceMapping.1.Ebs.SnapshotId=snap-0123456789abcdef0"
    ).encode()


class Client:
    """Keep-alive when the server allows it, reconnecting when it closes (werkzeug always does)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn: http.client.HTTPConnection | None = None

    def post(self, body: bytes) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.conn.request(
            "POST",
            "/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Authorization": AUTH,
                "X-Amz-Date": "20260101T000000Z",
            },
        )
        response = self.conn.getresponse()
        data = response.read()
        if response.will_close:
            self.conn.close()
            self.conn = None
        return response.status, data


def throughput(url: str, threads: int, seconds: float, tag: str) -> float:
    """Successful RegisterImage requests per second over ``seconds`` with ``threads`` clients."""
    counts = [0] * threads
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    def worker(index: int) -> None:
        client = Client(url)
        i = 0
        while time.perf_counter() < stop:
            status, data = client.post(register_body(f"bench-{tag}-{index}-{i}"))
            i += 1
            if status == 200:
                counts[index] += 1
            elif len(errors) < 3:
                errors.append(f"{status} {data[:200]!r}")

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise RuntimeError(f"{url}: requests failed: {errors}")
    return sum(counts) / (time.perf_counter() - started)


@contextmanager
def served(kind: str) -> Iterator[str]:
    """Run server ``kind`` in a child process for the duration of the block."""
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.servers", kind],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"{kind} server did not start (printed {url!r})")
        yield url
    finally:
        assert child.stdin is not None
        child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
