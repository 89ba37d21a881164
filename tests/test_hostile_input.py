"""Hostile input: every malformed, oversized or absurd request gets a well-formed EC2 error
that names the problem, and the server keeps serving."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
from lxml import etree

from pytest_ec2image.wire.query import MAX_BODY_BYTES, MAX_LIST_INDEX, MAX_PARAMS
from tests.conftest import SNAP, KeepAliveSender, send

FORM = "application/x-www-form-urlencoded"
REGISTER = (
    "Action=RegisterImage&Version=2016-11-15&Name=web-1&RootDeviceName=%2Fdev%2Fsda1"
    f"&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsda1&BlockDeviceMapping.1.Ebs.SnapshotId={SNAP}"
)


def exchange(registry, request: bytes, timeout: float = 10.0) -> tuple[int, bytes]:
    """Send raw bytes, read until the server closes; (status, body). HTTP/0.9-style answers
    (no status line) come back as status 0."""
    address = urlsplit(registry.endpoint_url)
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        while b"</Response>" not in received and b"Response>" not in received[-40:]:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    if not received.startswith(b"HTTP/"):
        return 0, received
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def post(body: bytes, *, extra_headers: bytes = b"", content_type: str = FORM) -> bytes:
    return (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n".encode()
        + extra_headers
        + b"\r\n"
        + body
    )


def ec2_error(body: bytes) -> tuple[str, str]:
    """(Code, Message) of an EC2 error document, after checking its shape."""
    root = etree.fromstring(body)
    assert root.tag == "Response"
    assert [child.tag for child in root] == ["Errors", "RequestID"]
    [error] = root.find("Errors")
    assert [child.tag for child in error] == ["Code", "Message"]
    assert root.findtext("RequestID")
    return error.findtext("Code"), error.findtext("Message")


@pytest.fixture(params=["close", "keep-alive"])
def raw(request, ec2_registry):
    """Each request on a connection of its own, or all of a test's requests (and the check
    that the server still serves) on one persistent connection."""
    if request.param == "close":
        yield lambda params=None, **kwargs: send(ec2_registry.endpoint_url, params, **kwargs)
        return
    sender = KeepAliveSender(ec2_registry.endpoint_url)
    yield sender
    sender.close()


@pytest.fixture(autouse=True)
def still_serving(raw):
    """Every test ends with the server answering a normal request."""
    yield
    answer = raw({"Action": "DescribeImages", "Version": "2016-11-15"})
    assert answer.status == 200


# --- sizes -----------------------------------------------------------------------------------


def test_body_over_the_limit_is_413(raw, ec2_registry):
    body = (REGISTER + "&Description=" + "x" * MAX_BODY_BYTES).encode()
    answer = raw(body=body)
    assert (answer.status, answer.code) == (413, "RequestEntityTooLarge")
    assert str(MAX_BODY_BYTES) in answer.message
    assert ec2_registry.images == {}


def test_body_at_the_limit_is_read(raw):
    filler = "&Description=" + "x" * 10
    body = REGISTER + filler
    body += "x" * (MAX_BODY_BYTES - len(body))
    answer = raw(body=body.encode())
    assert answer.status == 400
    assert answer.code == "InvalidParameterValue"
    assert "It exceeds 255 characters" in answer.message


def test_huge_content_length_is_refused_without_waiting_for_the_body(ec2_registry):
    request = (
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
        + FORM.encode()
        + b"\r\nContent-Length: 999999999999\r\n\r\nAction=DescribeImages"
    )
    status, body = exchange(ec2_registry, request)
    assert status == 413
    assert ec2_error(body)[0] == "RequestEntityTooLarge"


def test_chunked_body_over_the_limit_is_413(ec2_registry):
    chunk = b"x" * (256 * 1024)
    body = b"".join(
        b"%x\r\n%s\r\n" % (len(c), c) for c in [b"Action=DescribeImages&y="] + [chunk] * 5
    )
    request = (
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
        + FORM.encode()
        + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
        + body
        + b"0\r\n\r\n"
    )
    status, answer = exchange(ec2_registry, request)
    assert status == 413
    assert ec2_error(answer)[0] == "RequestEntityTooLarge"


def test_chunked_body_within_the_limit_is_served(ec2_registry):
    payload = b"Action=DescribeImages&Version=2016-11-15"
    request = (
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
        + FORM.encode()
        + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
    )
    status, body = exchange(ec2_registry, request)
    assert status == 200
    assert etree.fromstring(body).tag.endswith("DescribeImagesResponse")


def test_too_many_parameters(raw):
    body = REGISTER + "".join(f"&X{i}=1" for i in range(MAX_PARAMS))
    answer = raw(body=body.encode())
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")
    assert f"more than {MAX_PARAMS} parameters" in answer.message


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        (
            b"GET /?Action=DescribeImages&x=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            414,
            "RequestURITooLong",
        ),
        (
            b"GET /?Action=DescribeImages HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-H%d: v\r\n" % i for i in range(150))
            + b"\r\n",
            431,
            "RequestHeaderFieldsTooLarge",
        ),
        (
            b"GET /?Action=DescribeImages HTTP/1.1\r\nHost: x\r\nX-Long: "
            + b"a" * 70_000
            + b"\r\n\r\n",
            431,
            "RequestHeaderFieldsTooLarge",
        ),
        (b"GET /?Action=DescribeImages HTTP/9.9\r\nHost: x\r\n\r\n", 400, "InvalidRequest"),
        (b"HELLO THERE WORLD\r\n\r\n", 400, "InvalidRequest"),
    ],
    ids=[
        "uri-too-long",
        "too-many-headers",
        "header-too-long",
        "unknown-http-version",
        "garbage-request-line",
    ],
)
def test_http_level_rejections_answer_in_ec2_format(ec2_registry, request_bytes, status, code):
    got_status, body = exchange(ec2_registry, request_bytes)
    # A request line http.server cannot take as HTTP/1.x is answered HTTP/0.9 style: no
    # status line, just the body.
    assert got_status == (status if b"HTTP/1.1" in request_bytes.split(b"\r\n")[0] else 0)
    got_code, message = ec2_error(body)
    assert got_code == code
    assert f"HTTP {status}" in message


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (REGISTER + "&Description=%zz", "invalid percent-encoding"),
        (REGISTER + "&Description=%", "invalid percent-encoding"),
        (REGISTER + "&Description=%4", "invalid percent-encoding"),
        (REGISTER + "&Descr%GGiption=x", "invalid percent-encoding"),
        (REGISTER + "&Description=%ff%fe", "not valid UTF-8"),
        (REGISTER + "&Description=%c3", "not valid UTF-8"),
        (REGISTER + "&Description=%ed%a0%80", "not valid UTF-8"),  # a UTF-16 surrogate
        (REGISTER + "&Name=web-2", "The parameter Name is given more than once"),
        (REGISTER + "&=orphan", "empty name"),
    ],
    ids=[
        "percent-zz",
        "percent-alone",
        "percent-one-digit",
        "percent-in-name",
        "utf8-ff",
        "utf8-truncated",
        "utf8-surrogate",
        "repeated-key",
        "empty-key",
    ],
)
def test_bad_encoding_is_invalid_parameter_value(raw, ec2_registry, body, fragment):
    answer = raw(body=body.encode())
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")
    assert fragment in answer.message
    assert ec2_registry.images == {}


def test_raw_non_utf8_bytes_are_invalid(ec2_registry):
    status, body = exchange(ec2_registry, post(REGISTER.encode() + b"&Description=\xff\xfe"))
    assert status == 400
    code, message = ec2_error(body)
    assert code == "InvalidParameterValue"
    assert "not valid UTF-8" in message


def test_key_repeated_across_query_and_body(raw):
    answer = raw(body=REGISTER.encode(), query="Name=web-9")
    assert answer.code == "InvalidParameterValue"
    assert "Name is given more than once" in answer.message


def test_empty_fields_are_ignored(raw):
    answer = raw(body=("&&" + REGISTER.replace("&", "&&") + "&").encode())
    assert answer.status == 200, answer.body


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "text/plain; charset=utf-8",
        "multipart/form-data; boundary=x",
    ],
)
def test_unsupported_content_type(raw, ec2_registry, content_type):
    answer = raw(body=REGISTER.encode(), headers={"Content-Type": content_type})
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")
    assert repr(content_type.partition(";")[0]) in answer.message
    assert ec2_registry.images == {}


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-8",
        "application/x-www-form-urlencoded; charset=UTF-8",
        "Application/X-WWW-Form-Urlencoded;charset=utf-8",
        "application/x-www-form-urlencoded ; charset=utf-8",
    ],
)
def test_form_content_type_in_any_spelling_is_read(raw, content_type):
    answer = raw(body=REGISTER.encode(), headers={"Content-Type": content_type})
    assert answer.status == 200, answer.body


def test_percent_encoded_names_and_plus_signs_are_decoded(raw, ec2_registry):
    body = (
        REGISTER.replace("RootDeviceName=", "Root%44eviceName=")
        + "&Description=two+words%2C+one%2Bplus"
    )
    answer = raw(body=body.encode())
    assert answer.status == 200, answer.body
    image = ec2_registry.images[answer.find("imageId")]
    assert image.description == "two words, one+plus"
    assert image.root_device_name == "/dev/sda1"
    assert ec2_registry.calls[0].params["RootDeviceName"] == "/dev/sda1"


def test_control_characters_are_stored_and_described_as_well_formed_xml(raw, ec2_registry):
    answer = raw(body=(REGISTER + "&Description=a%00b%07c%1bd%EF%BF%BE").encode())
    assert answer.status == 200, answer.body
    image_id = answer.find("imageId")
    assert ec2_registry.images[image_id].description == "a\x00b\x07c\x1bd\ufffe"
    described = raw({"Action": "DescribeImages", "Version": "2016-11-15", "ImageId.1": image_id})
    assert described.status == 200
    assert described.find("description") == "a\ufffdb\ufffdc\ufffdd\ufffd"


# --- list indexes and integers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "index",
    ["01", "00", str(MAX_LIST_INDEX + 1), "99999999999999999999", "9" * 5000],
    ids=["leading-zero", "zeros", "over-max", "huge", "five-thousand-digits"],
)
def test_absurd_list_index_is_invalid(raw, index):
    answer = raw(body=(REGISTER + f"&BlockDeviceMapping.{index}.DeviceName=%2Fdev%2Fsdb").encode())
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")
    assert (
        f"BlockDeviceMapping.{index}.DeviceName" in answer.message or index[:20] in answer.message
    )


def test_highest_list_index_is_accepted(raw):
    body = REGISTER + f"&BlockDeviceMapping.{MAX_LIST_INDEX}.DeviceName=%2Fdev%2Fsdb"
    body += f"&BlockDeviceMapping.{MAX_LIST_INDEX}.VirtualName=ephemeral0"
    assert raw(body=body.encode()).status == 200


@pytest.mark.parametrize(
    "value",
    ["9" * 5000, "99999999999", "-1", "1e3", "0x10", " 8", "8.0", "", "٨"],
    ids=[
        "5000-digits",
        "11-digits",
        "negative",
        "exponent",
        "hex",
        "space",
        "float",
        "empty",
        "arabic-digit",
    ],
)
def test_absurd_integer_is_invalid_naming_it(raw, ec2_registry, value):
    body = REGISTER + "&BlockDeviceMapping.1.Ebs.VolumeSize=" + value.replace(" ", "+")
    answer = raw(body=body.encode("utf-8"))
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")
    assert f"Value ({value}) for parameter volumeSize is invalid" in answer.message
    assert ec2_registry.images == {}


def test_absurd_max_results_is_invalid(raw):
    answer = raw({"Action": "DescribeImages", "Version": "2016-11-15", "MaxResults": "9" * 400})
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")
    assert "maxResults" in answer.message


def test_deeply_dotted_parameter_name_is_unknown(raw):
    name = "BlockDeviceMapping" + ".1.Ebs" * 5000
    answer = raw(body=(REGISTER + f"&{name}=x").encode())
    assert (answer.status, answer.code) == (400, "UnknownParameter")


def test_client_stalling_mid_body_is_a_client_error_and_frees_the_thread(ec2_registry, monkeypatch):
    from pytest_ec2image.hosting import server

    monkeypatch.setattr(server._QuietRequestHandler, "timeout", 0.5)
    url = urlsplit(ec2_registry.endpoint_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
            b"Action=Regi"
        )
        # The head and the body may arrive in separate segments: read until the document ends.
        answer = b""
        while b"</Response>" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    error = etree.fromstring(body)
    assert error.findtext("Errors/Error/Code") == "RequestTimeout"
    assert "100 bytes were promised" in error.findtext("Errors/Error/Message")
    [call] = ec2_registry.calls
    assert (call.status, call.error_code) == (400, "RequestTimeout")
    # not an internal error: the fixture's teardown check has nothing to raise
    assert len(ec2_registry._state.errors) == 0
