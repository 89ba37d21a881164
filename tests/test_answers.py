"""What every answer carries on the wire: status line, headers, body length, HEAD."""

from __future__ import annotations

import http.client
import socket
from urllib.parse import urlencode, urlsplit

import pytest
from lxml import etree
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from pytest_ec2image.hosting.server import Ec2Server
from tests.conftest import register_params

DESCRIBE = {"Action": "DescribeImages", "Version": "2016-11-15", "Owner.1": "self"}


def exchange(
    url: str, method: str, params: dict[str, str]
) -> tuple[http.client.HTTPResponse, bytes]:
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    if method == "POST":
        connection.request(
            "POST",
            "/",
            urlencode(params),
            {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
    else:
        connection.request(method, "/?" + urlencode(params))
    answer = connection.getresponse()
    body = answer.read()
    connection.close()
    return answer, body


@pytest.mark.parametrize(
    ("params", "status", "reason"),
    [
        (register_params(), 200, "OK"),
        ({"Action": "RegisterImage", "Version": "2016-11-15"}, 400, "BAD REQUEST"),
        ({**register_params(), "DryRun": "true"}, 412, "PRECONDITION FAILED"),
    ],
    ids=["success", "error", "dry-run"],
)
def test_answer_headers(ec2_registry, params, status, reason):
    answer, body = exchange(ec2_registry.endpoint_url, "POST", params)

    [call] = ec2_registry.calls
    assert (answer.status, answer.reason.upper()) == (call.status, reason)
    assert call.status == status
    assert answer.headers["Content-Type"] == "text/xml;charset=UTF-8"
    assert int(answer.headers["Content-Length"]) == len(body) > 0
    assert answer.headers["x-amzn-RequestId"] == call.request_id
    assert answer.headers.get_all("Server") == ["AmazonEC2"]
    assert answer.headers["Cache-Control"] == "no-cache, no-store"


def test_head_answers_the_headers_without_a_body(ec2_registry):
    full, full_body = exchange(ec2_registry.endpoint_url, "GET", DESCRIBE)
    address = urlsplit(ec2_registry.endpoint_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        target = f"/?{urlencode(DESCRIBE)}"
        sock.sendall(f"HEAD {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        received = b""
        while chunk := sock.recv(65536):  # the server closes after the answer, as asked
            received += chunk

    head, _, after = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert f"Content-Length: {len(full_body)}".encode() in head.split(b"\r\n")
    assert after == b""
    assert full.status == 200
    assert [call.method for call in ec2_registry.calls] == ["GET", "HEAD"]


def test_dispatch_gives_the_same_answer_as_a_werkzeug_response(ec2_registry):
    server = Ec2Server()
    server.bind(ec2_registry._state, ec2_registry)
    environ = EnvironBuilder(
        method="POST",
        data=urlencode(register_params()),
        content_type="application/x-www-form-urlencoded",
    ).get_environ()

    response = server.dispatch(Request(environ))

    [call] = ec2_registry.calls
    assert response.status_code == 200
    assert response.headers["x-amzn-RequestId"] == call.request_id
    assert response.headers["Content-Length"] == str(len(response.get_data()))
    assert f"<imageId>{call.image_id}</imageId>".encode() in response.get_data()


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_are_refused_naming_the_method(ec2_registry, method):
    answer, body = exchange(ec2_registry.endpoint_url, method, DESCRIBE)

    assert answer.status == 405
    error = etree.fromstring(body)
    assert error.findtext("Errors/Error/Code") == "InvalidRequest"
    assert f"The HTTP method {method} is not supported" in error.findtext("Errors/Error/Message")
    [call] = ec2_registry.calls
    assert (call.method, call.status, call.error_code) == (method, 405, "InvalidRequest")
    assert len(ec2_registry._state.errors) == 0


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain ascii", "plain ascii"),
        ("tab\tnewline\ncr\r", "tab\tnewline\ncr\r"),  # XML carries these: the slow path keeps them
        ("nul\x00bell\x07", "nul\ufffdbell\ufffd"),
        ("é \U0001f600 \ufffe", "é \U0001f600 \ufffd"),
    ],
)
def test_error_messages_carry_any_text_as_xml_can(text, shown):
    from pytest_ec2image.wire.xml import render_error

    document = etree.fromstring(render_error("InvalidParameterValue", text, "id"))
    assert document.findtext("Errors/Error/Message") == shown


def test_the_endpoint_url_follows_the_bound_port():
    server = Ec2Server()
    server.start()
    try:
        first_port = server.port
        assert server.endpoint_url == f"http://127.0.0.1:{first_port}"
    finally:
        server.stop()
    other_port = first_port
    while other_port == first_port:  # a free port that is not the first one
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            other_port = probe.getsockname()[1]
    server.port = other_port
    server.start()
    try:
        # Restarted elsewhere, it must not answer with the URL it cached for the first port.
        assert server.endpoint_url == f"http://127.0.0.1:{other_port}"
    finally:
        server.stop()
