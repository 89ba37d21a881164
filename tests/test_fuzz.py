"""Property tests: random RegisterImage parameters, random calls, random raw bodies. Never a
5xx, always a well-formed EC2 answer, and the server alive afterwards.

``EC2IMAGE_FUZZ=long`` runs the long profile (5,000 examples per test); the default short
profile (150) keeps CI fast. ``EC2IMAGE_FUZZ_EXAMPLES=N`` sets the count directly.
"""

from __future__ import annotations

import http.client
import os
import re
from urllib.parse import quote, quote_from_bytes, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from pytest_ec2image.actions import ACTIONS
from pytest_ec2image.actions.parameters import MAPPING_PARAMS
from pytest_ec2image.manifest import bundle_manifest

_EXAMPLES = {"short": 150, "long": 5000}
_PROFILE = os.environ.get("EC2IMAGE_FUZZ", "short")
if _PROFILE not in _EXAMPLES:
    raise ValueError(f"EC2IMAGE_FUZZ must be one of {', '.join(_EXAMPLES)}, got {_PROFILE!r}")
FUZZ = settings(
    max_examples=int(os.environ.get("EC2IMAGE_FUZZ_EXAMPLES", _EXAMPLES[_PROFILE])),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_CODE = re.compile(r"^[A-Z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*$")
_EBS_PREFIX = "BlockDeviceMapping.N.Ebs."
#: Every Ebs member today's API takes, and the seed-era NoDevice spelling.
_EBS = (
    *sorted(p.removeprefix(_EBS_PREFIX) for p in MAPPING_PARAMS if p.startswith(_EBS_PREFIX)),
    "NoDevice",
)
_SCALARS = (
    "Name",
    "Description",
    "ImageLocation",
    "Architecture",
    "KernelId",
    "RamdiskId",
    "RootDeviceName",
    "VirtualizationType",
    "SriovNetSupport",
    "EnaSupport",
    "DryRun",
    "BootMode",
    "TpmSupport",
    "UefiData",
    "ImdsSupport",
    "MaxResults",
    "NextToken",
    "ImageId",
    "IncludeDeprecated",
    "DeleteAssociatedSnapshots",
    "SourceImageId",
    "SourceRegion",
    "ClientToken",
    "Attribute",
)
_INTERESTING = (
    "",
    "true",
    "false",
    "TRUE",
    "x86_64",
    "i386",
    "arm64",
    "hvm",
    "paravirtual",
    "/dev/sda1",
    "/dev/sda",
    "/dev/sdb",
    "sda1",
    "xvdb",
    "/dev/nvme0n1",
    "ephemeral0",
    "ephemeral99",
    "snap-0123456789abcdef0",
    "snap-12345678",
    "snap-XYZ",
    "ami-0123456789abcdef0",
    "ami-12345678",
    "aki-1a2b3c4d",
    "ari-1a2b3c4d",
    "gp2",
    "gp3",
    "io1",
    "io2",
    "st1",
    "sc1",
    "standard",
    "uefi",
    "legacy-bios",
    "uefi-preferred",
    "v2.0",
    "simple",
    "image",
    "snapshot",
    "self",
    "name",
    "tag:env",
    "*",
    "?",
    "\\",
    "my-bucket/image.manifest.xml",
    "0",
    "-1",
    "1",
    "8",
    "100",
    "3000",
    "16384",
    "99999999999",
    "9" * 60,
    "AAAA",
    "us-east-1",
    "aws:reserved",
)

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)


def _mostly(common: st.SearchStrategy, rare: st.SearchStrategy, one_in: int = 5):
    """``common``, and ``rare`` about once in ``one_in`` draws (``one_of`` does not weigh its
    branches evenly, so repeating a branch there does not weight it)."""
    rare_now = st.sampled_from([False] * (one_in - 1) + [True])
    return st.tuples(rare_now, common, rare).map(lambda t: t[2] if t[0] else t[1])


# Mostly valid indexes, so the examples get past the syntax checks; sometimes absurd ones.
_index = _mostly(
    st.integers(1, 3).map(str),
    st.sampled_from(["0", "01", "10000", "10001", "99999999999999999999", "-1", "", "x"]),
)
_value = _mostly(
    st.sampled_from(_INTERESTING),
    st.one_of(st.integers(-(2**70), 2**70).map(str), _text),
    one_in=3,
)
#: Replaced, when sent, by the id of an image the registry holds (if any).
EXISTING_IMAGE = "<existing-image>"
_NAMES = ("web-1", "web-2", "MyImage", "seed_image", "a(b)/c-d_e")
_image_name = st.one_of(
    st.sampled_from(_NAMES),
    st.from_regex(r"[A-Za-z0-9()\[\] ./\-'@_,]{1,24}", fullmatch=True),
    _text,
)
_SNAPSHOTS = (
    "snap-0123456789abcdef0",  # lenient: taken to exist
    "snap-00000000000000100",  # declared, 100 GiB
    "snap-0000000000000dead",  # declared missing
    "snap-00000000000000bad",  # declared, state error
    "snap-12345678",
)
_LOCATIONS = (
    "my-bucket/valid.manifest.xml",
    "my-bucket/broken.manifest.xml",
    "my-bucket/gone.manifest.xml",
    "my-bucket/undeclared.manifest.xml",
)


@st.composite
def _known_name(draw: st.DrawFn, action: str) -> str:
    """A parameter name ``action`` knows, its ``.N`` indexes filled in."""
    shape = draw(st.sampled_from(sorted(ACTIONS[action].params - {"Action", "Version"})))
    while ".N" in shape:
        head, _, tail = shape.partition(".N")
        shape = f"{head}.{draw(_index)}{tail}"
    return shape


@st.composite
def _param_name(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 6))
    if kind == 0:
        return draw(st.sampled_from(_SCALARS))
    if kind == 1:
        field = draw(st.sampled_from(("DeviceName", "VirtualName", "NoDevice")))
        return f"BlockDeviceMapping.{draw(_index)}.{field}"
    if kind == 2:
        return f"BlockDeviceMapping.{draw(_index)}.Ebs.{draw(st.sampled_from(_EBS))}"
    if kind == 3:
        tail = draw(st.sampled_from(("ResourceType", "Tag.1.Key", "Tag.1.Value", "Tag.2.Key")))
        return f"TagSpecification.{draw(_index)}.{tail}"
    if kind == 4:
        prefix = draw(st.sampled_from(("Filter", "ImageId", "Owner", "ResourceId", "Tag")))
        tail = draw(st.sampled_from(("", ".Name", ".Value.1", ".Key", ".Value")))
        return f"{prefix}.{draw(_index)}{tail}"
    if kind == 5:
        return draw(st.sampled_from(("BillingProduct", "ExecutableBy"))) + f".{draw(_index)}"
    return draw(_text)


_VERSIONS = ["2016-11-15"] * 6 + ["2009-10-31"] * 3 + ["2014-10-01", "2008-12-01", None, None]
_BAD_VERSIONS = st.one_of(st.sampled_from(["1999-01-01", "2016-11-16", ""]), _text)
# About one request in ten has a version EC2 never had.
_version = _mostly(st.sampled_from(_VERSIONS), _BAD_VERSIONS, one_in=10)
_modern_version = _mostly(st.just("2016-11-15"), _BAD_VERSIONS, one_in=10)


@st.composite
def _register_request(draw: st.DrawFn) -> dict[str, str]:
    """A plausible RegisterImage (EBS-backed, S3-backed or bare), then a few random edits."""
    request = {"Action": "RegisterImage"}
    base = draw(st.sampled_from(("ebs", "ebs", "s3", "bare")))
    if base == "ebs":
        device = draw(st.sampled_from(("/dev/sda1", "/dev/xvda", "/dev/sda", "/dev/sdbc")))
        request |= {
            "Name": draw(_image_name),
            "RootDeviceName": device,
            "BlockDeviceMapping.1.DeviceName": device,
            "BlockDeviceMapping.1.Ebs.SnapshotId": draw(st.sampled_from(_SNAPSHOTS)),
        }
    elif base == "s3":
        request["ImageLocation"] = draw(st.sampled_from(_LOCATIONS))
        if draw(st.booleans()):
            request["Name"] = draw(_image_name)
    names = _mostly(_known_name("RegisterImage"), _param_name())
    edits = draw(st.dictionaries(names, _value, max_size=5))
    request |= edits
    for key in draw(st.lists(st.sampled_from(sorted(request)), max_size=2, unique=True)):
        if key != "Action":
            del request[key]
    return request


def _form(params: dict[str, str]) -> bytes:
    return urlencode(params, quote_via=quote).encode("ascii")


class _Client:
    """One keep-alive connection to the test's registry, reopened only after an answer that
    said ``Connection: close``: a connection the server drops unannounced fails the test."""

    def __init__(self, endpoint_url: str) -> None:
        address = urlsplit(endpoint_url)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        self.connection: http.client.HTTPConnection | None = None
        self.opened = self.announced_closes = 0

    def send(self, method: str, target: str, body: bytes | None) -> tuple[int, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.opened += 1
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        self.connection.request(method, target, body, headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.will_close:
            self.announced_closes += 1
            self.close()
        return response.status, data

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@pytest.fixture
def client(ec2_registry, ec2_registry_server):
    before = ec2_registry_server.connections_accepted
    wire = _Client(ec2_registry.endpoint_url)
    yield wire
    # The server is alive and serving normally after the storm.
    status, body = wire.send(
        "POST", "/", _form({"Action": "DescribeImages", "Version": "2016-11-15"})
    )
    wire.close()
    assert status == 200, body
    # Well-framed requests share one persistent connection, whatever is in them.
    assert wire.announced_closes == 0
    assert ec2_registry_server.connections_accepted - before == wire.opened == 1


def check_answer(status: int, body: bytes, action: str | None = None) -> etree._Element:
    """A well-formed EC2 answer: a success document, or an error document with a code."""
    assert status < 500, body
    root = etree.fromstring(body)
    if status == 200:
        assert root.tag.startswith("{http://ec2.amazonaws.com/doc/")
        assert root.tag.endswith("Response")
        if action is not None:
            assert root.tag.endswith("}" + action + "Response")
        assert root[0].tag.endswith("}requestId")
        event("200")
        return root
    assert status in (400, 401, 403, 412, 413), status
    assert root.tag == "Response"
    code = root.findtext("Errors/Error/Code")
    assert code is not None
    assert _CODE.match(code), code
    assert root.findtext("Errors/Error/Message")
    assert root.findtext("RequestID")
    event(f"{status} {code}")  # --hypothesis-show-statistics shows what the runs reached
    return root


def _prepare(registry) -> None:
    """The references the generated requests point at (idempotent: runs for every example)."""
    if "snap-00000000000000100" not in registry.snapshots:
        registry.add_snapshot("snap-00000000000000100", size=100)
        registry.add_snapshot("snap-00000000000000bad", state="error")
        registry.missing_snapshot("snap-0000000000000dead")
        registry.add_manifest("my-bucket/valid.manifest.xml", bundle_manifest())
        registry.add_manifest("my-bucket/broken.manifest.xml", "<manifest><image>")
        registry.missing_manifest("my-bucket/gone.manifest.xml")


def _fill_existing(registry, params: dict[str, str]) -> dict[str, str]:
    existing = next(iter(registry.images), "ami-0123456789abcdef0")
    return {k: existing if v == EXISTING_IMAGE else v for k, v in params.items()}


@FUZZ
@given(request=_register_request(), version=_version, use_get=st.booleans())
def test_random_register_image_parameters(client, ec2_registry, request, version, use_get):
    _prepare(ec2_registry)
    request.pop("Version", None)
    if version is not None:
        request["Version"] = version
    body = _form(request)
    if use_get:
        status, data = client.send("GET", "/?" + body.decode(), None)
    else:
        status, data = client.send("POST", "/", body)
    root = check_answer(status, data, "RegisterImage")
    if status == 200:
        image_id = root.findtext("{*}imageId")
        assert image_id in ec2_registry.images


@st.composite
def _call(draw: st.DrawFn) -> dict[str, str]:
    action = draw(_mostly(st.sampled_from(sorted(ACTIONS)), _text, one_in=10))
    names = _mostly(_known_name(action), _param_name()) if action in ACTIONS else _param_name()
    values = _mostly(_value, st.just(EXISTING_IMAGE), one_in=4)
    return {"Action": action, **draw(st.dictionaries(names, values, max_size=8))}


@FUZZ
@given(request=_call(), version=_modern_version)
def test_random_calls_of_every_action(client, ec2_registry, request, version):
    _prepare(ec2_registry)
    if not ec2_registry.images:
        ec2_registry.add_image("fuzz-seed", tags={"env": "dev"})
    request = _fill_existing(ec2_registry, request)
    request.pop("Version", None)
    if version is not None:
        request["Version"] = version
    status, data = client.send("POST", "/", _form(request))
    check_answer(status, data)


_structured = st.lists(
    st.tuples(
        st.one_of(
            st.sampled_from(
                [b"Action", b"Version", b"Name", b"BlockDeviceMapping.1.Ebs.VolumeSize"]
            ),
            st.binary(max_size=24),
        ),
        st.one_of(
            st.sampled_from(
                [b"RegisterImage", b"DescribeImages", b"2016-11-15", b"%", b"%zz", b"%ff", b"+"]
            ),
            st.binary(max_size=48),
        ),
    ),
    max_size=12,
).map(lambda pairs: b"&".join(name + b"=" + value for name, value in pairs))


@FUZZ
@given(body=st.one_of(st.binary(max_size=4000), _structured), as_query=st.booleans())
def test_random_raw_bodies(client, body, as_query):
    if as_query:
        # http.client refuses control bytes in a URL; escape everything but the structure.
        status, data = client.send("GET", "/?" + quote_from_bytes(body, safe="=&%+"), None)
    else:
        status, data = client.send("POST", "/", body)
    check_answer(status, data)
