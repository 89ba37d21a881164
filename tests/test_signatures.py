"""Signature verification: SigV4 (header and presigned query) and SigV2, from real clients.

Clients exercised: botocore (boto3's client, SigV4 header and ``SigV4QueryAuth`` presigned
URLs), the AWS CLI, boto 2.34 (SigV2 HmacSHA256) and boto 2.49 (SigV4 with the ``0/127``
scope) in subprocesses, SigV2 HmacSHA1 built by hand with the documented algorithm, and AWS's
published test vectors and recorded client requests checked offline.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import importlib.util
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from botocore.auth import SigV2Auth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from pytest_ec2image.registry import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY
from pytest_ec2image.wire.auth import AuthInfo, inspect
from pytest_ec2image.wire.query import decode_params
from pytest_ec2image.wire.signatures import SignedRequest, verify
from tests.conftest import SNAP, RawAnswer, register_params

HERE = Path(__file__).parent
REGISTER = register_params()
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


@pytest.fixture
def verifying(ec2_registry):
    ec2_registry.verify_signatures = True
    return ec2_registry


# --- signing helpers -------------------------------------------------------------------------


def sign_v4(
    url,
    params,
    *,
    when=None,
    key=TEST_ACCESS_KEY_ID,
    secret=TEST_SECRET_ACCESS_KEY,
    region="us-east-1",
    presign=False,
    expires=3600,
):
    """A botocore-signed request, at ``when`` (default now): (method, url, headers, body)."""
    when = when or datetime.now(timezone.utc)
    credentials = Credentials(key, secret)
    target = url.rstrip("/") + "/"
    if presign:
        request = AWSRequest(method="GET", url=target, params=dict(params))
        signer: SigV4Auth = SigV4QueryAuth(credentials, "ec2", region, expires=expires)
    else:
        request = AWSRequest(
            method="POST",
            url=target,
            data=urlencode(params),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        signer = SigV4Auth(credentials, "ec2", region)
    # add_auth() with a chosen clock: the same steps, the timestamp set by hand.
    request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
    signer._modify_request_before_signing(request)
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signer._inject_signature_to_request(request, signature)
    prepared = request.prepare()
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    return prepared.method, prepared.url, dict(prepared.headers), body


def sign_v2(
    url,
    params,
    *,
    method="POST",
    digest="HmacSHA256",
    when=None,
    key=TEST_ACCESS_KEY_ID,
    secret=TEST_SECRET_ACCESS_KEY,
):
    """SigV2 parameters built by hand with the documented algorithm (reference 1.6)."""
    when = when or datetime.now(timezone.utc)
    signed = {
        **params,
        "AWSAccessKeyId": key,
        "SignatureVersion": "2",
        "SignatureMethod": digest,
        "Timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    canonical = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(signed.items())
    )
    string_to_sign = f"{method}\n{urlsplit(url).netloc.lower()}\n/\n{canonical}"
    algorithm = hashlib.sha256 if digest == "HmacSHA256" else hashlib.sha1
    mac = hmac.new(secret.encode(), string_to_sign.encode(), algorithm)
    signed["Signature"] = base64.b64encode(mac.digest()).decode()
    return signed


def _one_second_later(amz_date):
    moment = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ") + timedelta(seconds=1)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def send_signed(method, url, headers, body=b"") -> RawAnswer:
    request = urllib.request.Request(url, data=body or None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return RawAnswer(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return RawAnswer(error.code, error.read(), dict(error.headers))


def post_form(url, params) -> RawAnswer:
    return send_signed(
        "POST",
        url.rstrip("/") + "/",
        {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
        urlencode(params, quote_via=quote).encode(),
    )


# --- off by default --------------------------------------------------------------------------


def test_verification_is_off_by_default(ec2_registry):
    assert ec2_registry.verify_signatures is False
    client = ec2_registry.client(aws_secret_access_key="not-the-secret")
    assert client.describe_images()["Images"] == []
    [call] = ec2_registry.calls
    assert (call.auth, call.access_key) == ("sigv4", TEST_ACCESS_KEY_ID)


@pytest.mark.ec2_registry(verify_signatures=True)
def test_marker_turns_verification_on(ec2_registry):
    assert ec2_registry.verify_signatures is True


def test_ini_turns_verification_on(pytester):
    pytester.makeini("[pytest]\nec2_registry_verify_signatures = true\n")
    pytester.makepyfile(
        """
        def test_it(ec2_registry):
            assert ec2_registry.verify_signatures is True
            bad = ec2_registry.client(aws_secret_access_key="wrong")
            try:
                bad.describe_images()
            except Exception as error:
                assert error.response["Error"]["Code"] == "SignatureDoesNotMatch"
            else:
                raise AssertionError("a wrong secret was accepted")
        """
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


# --- SigV4 header form -----------------------------------------------------------------------


def test_boto3_client_requests_verify(ec2, verifying):
    image_id = ec2.register_image(
        Name="web-1",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
        TagSpecifications=[{"ResourceType": "image", "Tags": [{"Key": "env", "Value": "a b+c"}]}],
    )["ImageId"]
    ec2.get_waiter("image_available").wait(ImageIds=[image_id], WaiterConfig={"Delay": 0})
    assert [c.status for c in verifying.calls] == [200, 200]


def test_wrong_secret_is_signature_does_not_match(verifying):
    client = verifying.client(aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ")
    with pytest.raises(ClientError) as raised:
        client.describe_images()
    error = raised.value.response
    assert error["Error"] == {"Code": "SignatureDoesNotMatch", "Message": SIGNATURE_MISMATCH}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert verifying.calls[0].error_code == "SignatureDoesNotMatch"


def test_unknown_access_key_is_auth_failure(verifying):
    client = verifying.client(aws_access_key_id="AKIAUNKNOWNKEY000000")
    with pytest.raises(ClientError) as raised:
        client.register_image(Name="web-1", ImageLocation="bucket/web.manifest.xml")
    error = raised.value.response
    assert error["Error"] == {
        "Code": "AuthFailure",
        "Message": "AWS was not able to validate the provided access credentials",
    }
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 401
    assert verifying.images == {}


def test_no_auth_is_missing_authentication_token(raw, verifying):
    answer = raw(REGISTER)
    assert (answer.status, answer.code) == (403, "MissingAuthenticationToken")
    assert answer.message == (
        "Request must contain either a valid (registered) AWS access key ID or X.509 certificate."
    )
    assert verifying.images == {}


def test_no_auth_is_accepted_when_verification_is_off(raw, ec2_registry):
    assert raw(REGISTER).status == 200


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda m, u, h, b: (m, u, h, b.replace(b"web-1", b"web-2")), id="body-byte"),
        pytest.param(
            lambda m, u, h, b: (m, u + "?Description=x", h, b), id="added-query-parameter"
        ),
        pytest.param(
            lambda m, u, h, b: (
                m,
                u,
                {**h, "X-Amz-Date": _one_second_later(h["X-Amz-Date"])},
                b,
            ),
            id="date-header",
        ),
        pytest.param(
            lambda m, u, h, b: (
                m,
                u,
                {**h, "Authorization": h["Authorization"][:-1] + "x"},
                b,
            ),
            id="signature-hex",
        ),
        pytest.param(
            lambda m, u, h, b: (
                m,
                u,
                {**h, "Content-Type": "application/x-www-form-urlencoded"},
                b,
            ),
            id="signed-header-value",
        ),
    ],
)
def test_tampered_sigv4_header_request_fails(verifying, tamper):
    method, url, headers, body = sign_v4(verifying.endpoint_url, REGISTER)
    assert send_signed(method, url, headers, body).status == 200
    verifying.reset()

    answer = send_signed(*tamper(method, url, headers, body))
    assert (answer.status, answer.code) == (403, "SignatureDoesNotMatch")
    assert answer.message == SIGNATURE_MISMATCH
    assert verifying.images == {}


@pytest.mark.parametrize(
    ("skew", "code"),
    [
        (timedelta(minutes=-16), "RequestExpired"),
        (timedelta(minutes=16), "RequestExpired"),
        (timedelta(minutes=-14), None),
        (timedelta(minutes=14), None),
    ],
    ids=["16-min-old", "16-min-ahead", "14-min-old", "14-min-ahead"],
)
def test_sigv4_timestamp_must_be_within_15_minutes(verifying, skew, code):
    when = datetime.now(timezone.utc) + skew
    answer = send_signed(*sign_v4(verifying.endpoint_url, REGISTER, when=when))
    if code is None:
        assert answer.status == 200, answer.body
    else:
        assert (answer.status, answer.code, answer.message) == (400, code, "Request has expired.")


def test_sigv4_scope_region_and_service_are_taken_as_signed(verifying):
    """boto 2 signs the IP host's pieces as the scope (``0/127``); AWS does not check them."""
    answer = send_signed(*sign_v4(verifying.endpoint_url, REGISTER, region="0"))
    assert answer.status == 200, answer.body
    assert verifying.calls[0].region == verifying.region


@pytest.mark.parametrize(
    ("authorization", "fragment"),
    [
        (
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261126/us-east-1/ec2/aws4_request",
            "requires 'SignedHeaders' parameter",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE, SignedHeaders=host, Signature=ab",
            "is not of the form",
        ),
        ("AWS AKIAIOSFODNN7EXAMPLE:c2lnbmF0dXJl", "Unsupported Authorization scheme 'AWS'"),
    ],
    ids=["missing-parts", "bad-credential", "s3-v2-scheme"],
)
def test_malformed_authorization_is_incomplete_signature(raw, verifying, authorization, fragment):
    answer = raw(
        REGISTER, headers={"Authorization": authorization, "X-Amz-Date": "20261126T000000Z"}
    )
    assert (answer.status, answer.code) == (400, "IncompleteSignature")
    assert fragment in answer.message


def test_sigv4_without_a_date_is_incomplete_signature(verifying):
    method, url, headers, body = sign_v4(verifying.endpoint_url, REGISTER)
    del headers["X-Amz-Date"]
    answer = send_signed(method, url, headers, body)
    assert answer.code == "IncompleteSignature"
    assert "'X-Amz-Date' or a 'Date' header" in answer.message


def test_payload_hash_header_must_match_the_body(verifying):
    method, url, headers, body = sign_v4(verifying.endpoint_url, REGISTER)
    headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"
    assert send_signed(method, url, headers, body).code == "SignatureDoesNotMatch"


# --- SigV4 presigned query form --------------------------------------------------------------


def test_presigned_query_request_verifies(verifying):
    method, url, headers, body = sign_v4(verifying.endpoint_url, REGISTER, presign=True)
    assert method == "GET"
    assert "X-Amz-Signature=" in url
    answer = send_signed(method, url, headers, body)
    assert answer.status == 200, answer.body
    [call] = verifying.calls
    assert call.auth == "sigv4"
    assert "X-Amz-Credential" not in call.params
    verifying.assert_registered(name="web-1")


def test_tampered_presigned_query_fails(verifying):
    method, url, headers, body = sign_v4(verifying.endpoint_url, REGISTER, presign=True)
    answer = send_signed(method, url.replace("Name=web-1", "Name=web-2"), headers, body)
    assert (answer.status, answer.code) == (403, "SignatureDoesNotMatch")


def test_expired_presigned_query_is_request_expired(verifying):
    when = datetime.now(timezone.utc) - timedelta(seconds=120)
    answer = send_signed(
        *sign_v4(verifying.endpoint_url, REGISTER, presign=True, expires=60, when=when)
    )
    assert (answer.status, answer.code) == (400, "RequestExpired")


def test_presigned_query_may_live_longer_than_15_minutes(verifying):
    when = datetime.now(timezone.utc) - timedelta(minutes=50)
    answer = send_signed(*sign_v4(verifying.endpoint_url, REGISTER, presign=True, when=when))
    assert answer.status == 200, answer.body


# --- SigV2 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("digest", ["HmacSHA256", "HmacSHA1"])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_sigv2_verifies_and_a_changed_byte_fails(verifying, digest, method):
    url = verifying.endpoint_url
    signed = sign_v2(url, REGISTER, method=method, digest=digest)
    if method == "GET":
        ok = send_signed("GET", url + "/?" + urlencode(signed, quote_via=quote), {})
    else:
        ok = post_form(url, signed)
    assert ok.status == 200, ok.body
    assert verifying.calls[0].auth == "sigv2"
    verifying.reset()

    tampered = {**signed, "Name": "web-2"}
    answer = post_form(url, tampered)
    assert (answer.status, answer.code) == (403, "SignatureDoesNotMatch")
    assert verifying.images == {}


def test_hand_built_sigv2_matches_botocore(ec2_registry):
    when = datetime(2026, 11, 26, 12, 0, 0, tzinfo=timezone.utc)
    signed = sign_v2(ec2_registry.endpoint_url, REGISTER, when=when)
    request = AWSRequest(method="POST", url=ec2_registry.endpoint_url + "/")
    _, botocore_signature = SigV2Auth(
        Credentials(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY)
    ).calc_signature(request, {k: v for k, v in signed.items() if k != "Signature"})
    assert signed["Signature"] == botocore_signature


@pytest.mark.parametrize(
    ("change", "code", "status"),
    [
        ({"Timestamp": None}, "MissingParameter", 400),
        ({"Expires": "2099-01-01T00:00:00Z"}, "InvalidParameterCombination", 400),
        ({"Timestamp": "yesterday"}, "InvalidParameterValue", 400),
        ({"Timestamp": "2001-01-01T00:00:00Z"}, "RequestExpired", 400),
        ({"SignatureVersion": "1"}, "InvalidParameterValue", 400),
        ({"SignatureMethod": "HmacMD5"}, "InvalidParameterValue", 400),
        ({"Signature": None}, "MissingParameter", 400),
        ({"AWSAccessKeyId": "AKIAUNKNOWNKEY000000"}, "AuthFailure", 401),
    ],
    ids=[
        "no-timestamp",
        "timestamp-and-expires",
        "bad-timestamp",
        "old-timestamp",
        "version-1",
        "md5",
        "no-signature",
        "unknown-key",
    ],
)
def test_sigv2_parameter_errors(verifying, change, code, status):
    signed = sign_v2(verifying.endpoint_url, REGISTER)
    for name, value in change.items():
        if value is None:
            del signed[name]
        else:
            signed[name] = value
    answer = post_form(verifying.endpoint_url, signed)
    assert (answer.status, answer.code) == (status, code), answer.body


def test_sigv2_with_expires_in_the_past_is_request_expired(verifying):
    signed = sign_v2(verifying.endpoint_url, REGISTER)
    del signed["Timestamp"]
    signed["Expires"] = "2020-01-01T00:00:00Z"
    assert post_form(verifying.endpoint_url, signed).code == "RequestExpired"


# --- published vectors and recorded clients, checked offline ---------------------------------

_CREDENTIALS = {TEST_ACCESS_KEY_ID: (TEST_SECRET_ACCESS_KEY, None)}


def test_aws_published_sigv2_vector():
    """AWS's Signature Version 2 documentation example (HmacSHA256)."""
    query = (
        b"AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Action=DescribeJobFlows&SignatureMethod=HmacSHA256"
        b"&SignatureVersion=2&Timestamp=2011-10-03T15%3A19%3A30&Version=2009-03-31"
        b"&Signature=i91nKc4PWAt0JJIdXwz9HxZCJDdiy6cf%2FMj6vPxyYIs%3D"
    )
    params = decode_params(query, b"")
    request = SignedRequest(
        "GET", "/", query, {"host": "elasticmapreduce.amazonaws.com"}, b"", params
    )
    now = datetime(2011, 10, 3, 15, 20, tzinfo=timezone.utc)
    assert verify(request, inspect("", params), _CREDENTIALS, now=now) == TEST_ACCESS_KEY_ID


def test_aws_published_sigv4_vector():
    """``get-vanilla`` from AWS's SigV4 test suite."""
    headers = {
        "host": "example.amazonaws.com",
        "x-amz-date": "20150830T123600Z",
        "authorization": (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ),
    }
    credentials = {"AKIDEXAMPLE": ("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None)}
    request = SignedRequest("GET", "/", b"", headers, b"", {})
    now = datetime(2015, 8, 30, 12, 36, tzinfo=timezone.utc)
    auth = AuthInfo("sigv4", "AKIDEXAMPLE")
    assert verify(request, auth, credentials, now=now) == "AKIDEXAMPLE"
    with pytest.raises(Exception, match="SignatureDoesNotMatch"):
        verify(SignedRequest("GET", "/x", b"", headers, b"", {}), auth, credentials, now=now)


def _captures():
    lines = (HERE / "data" / "signed_captures.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def _capture_request(capture, body=None):
    headers = {name.lower(): value for name, value in capture["headers"]}
    raw_body = capture["body"].encode() if body is None else body
    query = capture["query"].encode()
    params = decode_params(query, raw_body)
    auth = inspect(headers.get("authorization", ""), params)
    if auth.scheme == "sigv4":
        now = datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ")
    else:
        now = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    request = SignedRequest(capture["method"], capture["path"], query, headers, raw_body, params)
    return request, auth, now.replace(tzinfo=timezone.utc) + timedelta(seconds=3)


@pytest.mark.parametrize("capture", _captures(), ids=lambda c: f"{c['client']}-{c['seq']}")
def test_recorded_client_requests_verify_and_one_changed_byte_fails(capture):
    """Requests recorded from boto 2.34 (SigV2), boto 2.49 (SigV4, scope ``0/127``), boto3
    and the AWS CLI with the dummy key pair."""
    request, auth, now = _capture_request(capture)
    assert verify(request, auth, _CREDENTIALS, now=now) == TEST_ACCESS_KEY_ID

    body = bytearray(capture["body"].encode())
    position = body.index(b"RegisterImage") + 3
    body[position] ^= 0x01
    tampered, auth, now = _capture_request(capture, bytes(body))
    with pytest.raises(Exception, match="SignatureDoesNotMatch"):
        verify(tampered, auth, _CREDENTIALS, now=now)


# --- the AWS CLI -----------------------------------------------------------------------------


@pytest.mark.clients
@pytest.mark.parametrize(
    ("secret", "expected"),
    [(TEST_SECRET_ACCESS_KEY, "ok"), ("wrong-secret", "SignatureDoesNotMatch")],
    ids=["valid", "wrong-secret"],
)
def test_aws_cli_requests_verify(verifying, secret, expected):
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": TEST_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    assert importlib.util.find_spec("awscli") is not None, "needs awscli: tox -e clients"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "awscli",
            "ec2",
            "register-image",
            "--endpoint-url",
            verifying.endpoint_url,
            "--name",
            "cli-image",
            "--root-device-name",
            "/dev/sda1",
            "--block-device-mappings",
            f"DeviceName=/dev/sda1,Ebs={{SnapshotId={SNAP}}}",
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    if expected == "ok":
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["ImageId"] in verifying.images
    else:
        assert done.returncode != 0
        assert expected in done.stderr
        assert verifying.images == {}


# --- boto 2 in its own interpreter ------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _boto2_interpreters() -> dict[str, str]:
    """boto version -> interpreter: ``EC2IMAGE_BOTO2_PYTHONS`` (os.pathsep-separated), plus
    this interpreter when it has boto 2. boto 2 runs on Python 3.10 and 3.11 only."""
    candidates = [p for p in os.environ.get("EC2IMAGE_BOTO2_PYTHONS", "").split(os.pathsep) if p]
    if importlib.util.find_spec("boto") is not None:
        candidates.append(sys.executable)
    found: dict[str, str] = {}
    for python in candidates:
        done = subprocess.run(
            [python, "-W", "ignore", "-c", "import boto; print(boto.__version__)"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode == 0:
            found[done.stdout.strip()] = python
    return found


def _boto2(scheme: str) -> str:
    for version, python in _boto2_interpreters().items():
        major, minor = (int(x) for x in version.split(".")[:2])
        if major == 2 and (minor < 35) == (scheme == "sigv2"):
            return python
    wanted = "boto<2.35 (SigV2)" if scheme == "sigv2" else "boto>=2.35 (SigV4)"
    # A client test that cannot find its client has failed: skipping would hide it.
    pytest.fail(f"no interpreter with {wanted}: set EC2IMAGE_BOTO2_PYTHONS (tox -e clients does)")


def _run_boto2(python, registry, name, *extra, secret=TEST_SECRET_ACCESS_KEY):
    port = str(urlsplit(registry.endpoint_url).port)
    done = subprocess.run(
        [
            python,
            "-W",
            "ignore",
            str(HERE / "boto2_client.py"),
            port,
            TEST_ACCESS_KEY_ID,
            secret,
            name,
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.clients
@pytest.mark.parametrize("scheme", ["sigv2", "sigv4"])
def test_boto2_requests_verify(verifying, scheme):
    result = _run_boto2(_boto2(scheme), verifying, "b2-image")
    assert "error" not in result, result
    assert result["described"] == [[result["image_id"], "b2-image"]]
    assert {c.auth for c in verifying.calls} == {scheme}
    assert [c.status for c in verifying.calls] == [200, 200]


@pytest.mark.clients
@pytest.mark.parametrize("scheme", ["sigv2", "sigv4"])
def test_boto2_tampered_or_wrongly_signed_requests_fail(verifying, scheme):
    python = _boto2(scheme)
    tampered = _run_boto2(python, verifying, "b2-image", "tamper")
    assert tampered["error"] == {"status": 403, "code": "SignatureDoesNotMatch"}
    wrong = _run_boto2(python, verifying, "b2-image", secret="not-the-secret")
    assert wrong["error"] == {"status": 403, "code": "SignatureDoesNotMatch"}
    assert verifying.images == {}
