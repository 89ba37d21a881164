"""Shared helpers for the project's own tests."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
from lxml import etree

from pytest_ec2image import Ec2Registry

SNAP = "snap-0123456789abcdef0"
SNAP2 = "snap-0123456789abcdef1"


def register(client: Any, name: str = "web-1", snapshot: str = SNAP, **extra: Any) -> str:
    """Register an EBS-backed image (root ``/dev/sda1`` from ``snapshot``) through a boto3
    client; returns its image id."""
    image_id: str = client.register_image(
        Name=name,
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": snapshot}}],
        **extra,
    )["ImageId"]
    return image_id


def register_params(name: str = "web-1", **extra: str) -> dict[str, str]:
    """The wire parameters of that same registration, for raw requests."""
    return {
        "Action": "RegisterImage",
        "Version": "2016-11-15",
        "Name": name,
        "RootDeviceName": "/dev/sda1",
        "BlockDeviceMapping.1.DeviceName": "/dev/sda1",
        "BlockDeviceMapping.1.Ebs.SnapshotId": SNAP,
        **extra,
    }


@dataclass
class RawAnswer:
    """An HTTP answer from the fake, with the EC2 error fields parsed when it is an error."""

    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def xml(self) -> etree._Element:
        return etree.fromstring(self.body)

    @property
    def code(self) -> str | None:
        found = self.xml.find("Errors/Error/Code")
        return None if found is None else found.text

    @property
    def message(self) -> str | None:
        found = self.xml.find("Errors/Error/Message")
        return None if found is None else found.text

    def find(self, path: str) -> str | None:
        """Text of the first element at ``path`` (namespace-agnostic, e.g. 'imageId')."""
        for element in self.xml.iter():
            if isinstance(element.tag, str) and etree.QName(element).localname == path:
                return element.text
        return None


def send(
    url: str,
    params: dict[str, str] | list[tuple[str, str]] | None = None,
    *,
    method: str = "POST",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
) -> RawAnswer:
    """Send one raw request (form POST by default, or GET with the params in the query)."""
    encoded = urllib.parse.urlencode(params or {}).encode()
    target = url.rstrip("/") + "/"
    if method == "GET":
        target += "?" + (query or encoded.decode())
        data = None
    else:
        data = body if body is not None else encoded
        if query:
            target += "?" + query
    request = urllib.request.Request(target, data=data, method=method, headers=headers or {})
    if method == "POST" and "Content-Type" not in (headers or {}):
        request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return RawAnswer(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return RawAnswer(error.code, error.read(), dict(error.headers))


class KeepAliveSender:
    """``send`` over one persistent connection: it reconnects only after an answer that said
    ``Connection: close``; a connection the server drops without saying so fails the test."""

    def __init__(self, url: str) -> None:
        address = urllib.parse.urlsplit(url)
        self.host, self.port = address.hostname or "127.0.0.1", address.port
        self.connection: http.client.HTTPConnection | None = None
        self.opened = 0

    def __call__(  # type: ignore[no-untyped-def]
        self, params=None, *, method="POST", body=None, headers=None, query=""
    ) -> RawAnswer:
        encoded = urllib.parse.urlencode(params or {}).encode()
        target = "/"
        if method == "GET":
            target += "?" + (query or encoded.decode())
            data = None
        else:
            data = body if body is not None else encoded
            target += "?" + query if query else ""
        all_headers = dict(headers or {})
        if method == "POST" and "Content-Type" not in all_headers:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
            self.opened += 1
        self.connection.request(method, target, data, all_headers)
        response = self.connection.getresponse()
        answer = RawAnswer(response.status, response.read(), dict(response.headers))
        if response.will_close:
            self.close()
        return answer

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@pytest.fixture
def raw(ec2_registry: Ec2Registry):  # type: ignore[no-untyped-def]
    """``raw({"Action": ..., ...})`` posts to this test's registry and returns a RawAnswer."""

    def call(params=None, **kwargs):  # type: ignore[no-untyped-def]
        return send(ec2_registry.endpoint_url, params, **kwargs)

    return call


@pytest.fixture
def ec2(ec2_registry: Ec2Registry):  # type: ignore[no-untyped-def]
    """A plain ``boto3.client("ec2")``, built from the autowired environment only."""
    import boto3

    return boto3.client("ec2")
