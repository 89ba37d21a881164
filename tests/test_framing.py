"""Framing that cannot be confused on a persistent connection: every request whose end is
ambiguous gets a well-formed EC2 error and the connection is closed, and nothing of one
request is ever read as the next one (each case sends a second, valid request behind it)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from pytest_ec2image.wire.query import MAX_BODY_BYTES
from tests.conftest import register_params
from tests.wire import Wire, post

FORM = "Content-Type: application/x-www-form-urlencoded\r\n"
REGISTER = urlencode(register_params())
#: A valid request smuggled behind each bad one: it must never be served.
SMUGGLED = post(REGISTER)


@pytest.fixture
def wire(ec2_registry):
    connection = Wire(ec2_registry.endpoint_url)
    yield connection
    connection.close()


@pytest.fixture(autouse=True)
def nothing_smuggled(ec2_registry):
    """Every test ends with no image registered and the server serving a new connection."""
    yield
    assert ec2_registry.images == {}
    assert "RegisterImage" not in [call.action for call in ec2_registry.calls]
    fresh = Wire(ec2_registry.endpoint_url)
    fresh.send(post("Action=DescribeImages&Version=2016-11-15"))
    assert fresh.answer().status == 200
    fresh.close()


def head(*lines: str) -> bytes:
    return ("POST / HTTP/1.1\r\nHost: x\r\n" + FORM + "".join(lines) + "\r\n").encode()


@pytest.mark.parametrize(
    ("request_head", "body", "fragment"),
    [
        (
            head("Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n"),
            b"0\r\n\r\n",
            "both Content-Length (5) and Transfer-Encoding (chunked)",
        ),
        (
            head("Transfer-Encoding: chunked\r\n", "Content-Length: 0\r\n"),
            b"0\r\n\r\n",
            "both Content-Length (0) and Transfer-Encoding (chunked)",
        ),
        (head("Content-Length: abc\r\n"), b"", "Invalid Content-Length 'abc'"),
        (head("Content-Length: -5\r\n"), b"", "Invalid Content-Length '-5'"),
        (head("Content-Length: +5\r\n"), b"", "Invalid Content-Length '+5'"),
        (head("Content-Length: 5, 5\r\n"), b"", "Invalid Content-Length '5, 5'"),
        (head("Content-Length: 0x10\r\n"), b"", "Invalid Content-Length '0x10'"),
        (
            head("Content-Length: 3\r\n", "Content-Length: 3\r\n"),
            b"abc",
            "more than one Content-Length (3, 3)",
        ),
        (head("Transfer-Encoding: gzip\r\n"), b"", "Unsupported Transfer-Encoding 'gzip'"),
        (
            head("Transfer-Encoding: chunked, chunked\r\n"),
            b"",
            "Unsupported Transfer-Encoding 'chunked, chunked'",
        ),
        (
            head("Transfer-Encoding: chunked\r\n", "Transfer-Encoding: identity\r\n"),
            b"",
            "Unsupported Transfer-Encoding 'chunked, identity'",
        ),
        # A line http.client cannot parse as a header ends its header parsing: what follows,
        # the Content-Length included, would be lost and the body read as the next request.
        (
            head(f"Content-Length : {len(SMUGGLED)}\r\n"),
            SMUGGLED,
            "a line that is not a header ('Content-Length : ",
        ),
        (head("no colon here\r\n", "Content-Length: 3\r\n"), b"abc", "that is not a header"),
        (head("X-Bad\x00Name: 1\r\n", "Content-Length: 3\r\n"), b"abc", "not a header"),
    ],
    ids=[
        "length-and-chunked",
        "chunked-and-length",
        "length-not-a-number",
        "length-negative",
        "length-signed",
        "length-list",
        "length-hex",
        "length-twice",
        "unknown-encoding",
        "chunked-twice",
        "chunked-then-identity",
        "space-before-colon",
        "line-without-colon",
        "nul-in-name",
    ],
)
def test_ambiguous_framing_is_an_error_and_closes(wire, request_head, body, fragment):
    wire.send(request_head + body + SMUGGLED)
    answer = wire.answer()
    assert (answer.status, answer.code) == (400, "InvalidRequest")
    assert fragment in answer.message
    assert answer.headers["connection"] == "close"
    assert wire.closed_by_server()


def test_chunked_body_is_served_and_closes_the_connection(wire, ec2_registry):
    payload = b"Action=DescribeImages&Version=2016-11-15"
    wire.send(
        head("Transfer-Encoding: chunked\r\n")
        + b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
        + SMUGGLED
    )
    answer = wire.answer()
    assert answer.status == 200
    assert answer.headers["connection"] == "close"
    assert wire.closed_by_server()
    assert [call.action for call in ec2_registry.calls] == ["DescribeImages"]


def test_malformed_chunked_body_is_an_error_and_closes(wire):
    wire.send(head("Transfer-Encoding: chunked\r\n") + b"zz\r\nAction=x\r\n0\r\n\r\n" + SMUGGLED)
    answer = wire.answer()
    assert (answer.status, answer.code) == (400, "InvalidRequest")
    assert "chunked request body is malformed" in answer.message
    assert "Invalid chunk header" in answer.message
    assert answer.headers["connection"] == "close"
    assert wire.closed_by_server()


def test_body_over_the_limit_is_413_and_closes(wire):
    body = (REGISTER + "&Description=" + "x" * MAX_BODY_BYTES).encode()
    wire.send(head(f"Content-Length: {len(body)}\r\n") + body + SMUGGLED)
    answer = wire.answer()
    assert (answer.status, answer.code) == (413, "RequestEntityTooLarge")
    assert str(MAX_BODY_BYTES) in answer.message
    assert answer.headers["connection"] == "close"
    assert wire.closed_by_server()


def test_content_length_over_the_limit_is_413_before_the_body(wire):
    wire.send(head(f"Content-Length: {10**30}\r\n") + SMUGGLED)
    answer = wire.answer()
    assert (answer.status, answer.code) == (413, "RequestEntityTooLarge")
    assert answer.headers["connection"] == "close"
    assert wire.closed_by_server()


def test_body_the_server_does_not_read_closes_the_connection(wire, ec2_registry):
    # A GET's body is not EC2's to read; what is left of it must not become a request.
    query = "Action=DescribeImages&Version=2016-11-15"
    body = SMUGGLED
    wire.send(
        f"GET /?{query} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
        + SMUGGLED
    )
    answer = wire.answer()
    assert answer.status == 200
    assert answer.headers["connection"] == "close"
    assert wire.closed_by_server()
    assert [call.action for call in ec2_registry.calls] == ["DescribeImages"]


def test_body_read_whole_keeps_the_connection_and_the_next_request_is_its_own(wire, ec2_registry):
    # The body ends exactly at Content-Length: bytes after it are the next request.
    first = b"Action=DescribeImages&Version=2016-11-15"
    wire.send(head(f"Content-Length: {len(first)}\r\n") + first + post(first.decode()))
    assert [wire.answer().status, wire.answer().status] == [200, 200]
    assert [call.action for call in ec2_registry.calls] == ["DescribeImages"] * 2


def test_head_cut_short_by_the_client_is_never_served(ec2_registry, ec2_registry_server):
    wire = Wire(ec2_registry.endpoint_url)
    wire.send(b"GET /?Action=DescribeImages&Version=2016-11-15 HTTP/1.1\r\nHost: x\r\n")
    wire.sock.shutdown(1)  # the client's end: no blank line will come
    answer = wire.answer()
    assert (answer.status, answer.code) == (400, "InvalidRequest")
    assert "ended inside the request head" in answer.message
    wire.close()
    assert len(ec2_registry.calls) == 0
