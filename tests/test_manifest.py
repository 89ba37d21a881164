"""S3-backed images: bundle manifests, their safe parsing, and where they come from."""

from __future__ import annotations

import socket
import threading

import pytest
from botocore.exceptions import ClientError
from lxml import etree

from pytest_ec2image import run_registry
from pytest_ec2image.manifest import bundle_manifest
from pytest_ec2image.manifest.parsing import (
    _PARSER,
    DEFAULT_MANIFEST,
    MAX_MANIFEST_BYTES,
    Manifest,
    ManifestError,
    parse,
)
from tests.conftest import send

LOCATION = "my-bucket/web.manifest.xml"
MODERN = {"Action": "RegisterImage", "Version": "2016-11-15"}
PASSWD_MARKERS = ("root:", "/bin/", "daemon:")

VALID = bundle_manifest(
    architecture="x86_64",
    image_name="web-bundle",
    kernel_id="aki-1a2b3c4d",
    ramdisk_id="ari-1a2b3c4d",
    mappings=[
        ("ami", "sda1"),
        ("root", "/dev/sda1"),
        ("ephemeral0", "sdb"),
        ("ephemeral1", "/dev/sdc"),
        ("swap", "sda3"),
    ],
)


def _register_s3(raw, location=LOCATION, **extra):
    return raw({**MODERN, "ImageLocation": location, **extra})


# --- a valid manifest fills what the request left out ----------------------------------------


def test_valid_manifest_fills_architecture_mappings_kernel_and_root(ec2, ec2_registry):
    ec2_registry.add_manifest(LOCATION, VALID)
    image_id = ec2.register_image(Name="web-s3", ImageLocation=LOCATION)["ImageId"]

    image = ec2_registry.images[image_id]
    assert image.architecture == "x86_64"
    assert image.kernel_id == "aki-1a2b3c4d"
    assert image.ramdisk_id == "ari-1a2b3c4d"
    assert image.root_device_type == "instance-store"
    assert image.root_device_name == "/dev/sda1"
    assert image.image_location == LOCATION
    assert [(m.device_name, m.virtual_name) for m in image.block_device_mappings] == [
        ("/dev/sdb", "ephemeral0"),
        ("/dev/sdc", "ephemeral1"),
    ]
    [described] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert described["Architecture"] == "x86_64"
    assert described["RootDeviceType"] == "instance-store"
    assert described["ImageLocation"] == LOCATION
    assert described["KernelId"] == "aki-1a2b3c4d"
    assert described["BlockDeviceMappings"] == [
        {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
        {"DeviceName": "/dev/sdc", "VirtualName": "ephemeral1"},
    ]


def test_request_values_win_over_the_manifest(raw, ec2_registry):
    ec2_registry.add_manifest(LOCATION, VALID)
    answer = _register_s3(
        raw,
        Name="web-own",
        Architecture="i386",
        KernelId="aki-0000aaaa",
        **{
            "BlockDeviceMapping.1.DeviceName": "/dev/sdb",
            "BlockDeviceMapping.1.VirtualName": "ephemeral3",
        },
    )
    assert answer.status == 200, answer.body
    image = ec2_registry.images[answer.find("imageId")]
    assert image.architecture == "i386"
    assert image.kernel_id == "aki-0000aaaa"
    assert image.ramdisk_id == "ari-1a2b3c4d"
    assert [(m.device_name, m.virtual_name) for m in image.block_device_mappings] == [
        ("/dev/sdb", "ephemeral3"),
        ("/dev/sdc", "ephemeral1"),
    ]


def test_name_left_out_comes_from_the_manifest_image_name(raw, ec2_registry):
    ec2_registry.add_manifest(LOCATION, VALID)
    answer = _register_s3(raw)
    assert answer.status == 200, answer.body
    ec2_registry.assert_registered(name="web-bundle", architecture="x86_64")


def test_name_left_out_without_manifest_content_comes_from_the_file_name(raw, ec2_registry):
    answer = raw({"Action": "RegisterImage", "ImageLocation": "bucket/seed-image.manifest.xml"})
    assert answer.status == 200, answer.body
    image = ec2_registry.assert_registered(name="seed-image")
    assert image.architecture == DEFAULT_MANIFEST.architecture == "i386"
    assert image.block_device_mappings == ()
    assert image.image_id.startswith("ami-")
    assert len(image.image_id) == 12


def test_seed_request_without_name_takes_the_manifest_name(raw, ec2_registry):
    ec2_registry.add_manifest(LOCATION, bundle_manifest(image_name="seed_bundle"))
    answer = raw(
        {"Action": "RegisterImage", "Version": "2009-10-31", "ImageLocation": LOCATION},
        method="GET",
    )
    assert answer.status == 200, answer.body
    ec2_registry.assert_registered(name="seed_bundle", architecture="x86_64")


def test_declared_manifest_without_content_is_a_valid_default(raw, ec2_registry):
    ec2_registry.strict = True
    ec2_registry.add_manifest(LOCATION)
    answer = _register_s3(raw, Name="web-default")
    assert answer.status == 200, answer.body
    assert ec2_registry.images[answer.find("imageId")].architecture == "i386"


@pytest.mark.ec2_registry(
    strict=True, manifests=[{"location": LOCATION, "content": bundle_manifest()}]
)
def test_manifest_preloaded_by_the_marker_is_used(raw, ec2_registry):
    answer = _register_s3(raw, Name="web-marker")
    assert answer.status == 200, answer.body
    ec2_registry.assert_registered(name="web-marker", architecture="x86_64")


def test_strict_mode_checks_the_kernel_the_manifest_names(raw, ec2_registry):
    ec2_registry.strict = True
    ec2_registry.add_manifest(LOCATION, VALID)
    answer = _register_s3(raw, Name="web-kernel")
    assert answer.code == "InvalidAMIID.NotFound"
    assert "aki-1a2b3c4d" in answer.message


# --- missing manifests -----------------------------------------------------------------------


def test_strict_mode_undeclared_manifest_is_invalid(raw, ec2_registry):
    ec2_registry.strict = True
    answer = _register_s3(raw, Name="web-1")
    assert (answer.status, answer.code) == (400, "InvalidManifest")
    assert LOCATION in answer.message
    assert "you may not have access" in answer.message
    assert ec2_registry.images == {}


def test_missing_manifest_is_invalid_even_when_lenient(ec2, ec2_registry):
    ec2_registry.missing_manifest(LOCATION)
    with pytest.raises(ClientError) as raised:
        ec2.register_image(Name="web-1", ImageLocation=LOCATION)
    assert raised.value.response["Error"]["Code"] == "InvalidManifest"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_manifest_declared_in_another_region_is_not_found_in_strict_mode(raw, ec2_registry):
    ec2_registry.strict = True
    ec2_registry.in_region("eu-west-1").add_manifest(LOCATION, VALID)
    assert _register_s3(raw, Name="web-1").code == "InvalidManifest"


def test_invalid_manifest_happens_after_dry_run_and_syntax(raw, ec2_registry):
    ec2_registry.missing_manifest(LOCATION)
    assert _register_s3(raw, Name="web-1", DryRun="true").code == "DryRunOperation"
    answer = _register_s3(
        raw,
        Name="web-1",
        **{
            "BlockDeviceMapping.1.DeviceName": "/dev/sda1",
            "BlockDeviceMapping.1.Ebs.SnapshotId": "snap-0123456789abcdef0",
        },
    )
    assert answer.code == "InvalidParameterCombination"


# --- bad manifests ----------------------------------------------------------------------------

_XXE_FILE = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    "<manifest><machine_configuration><architecture>x86_64</architecture>"
    "</machine_configuration><image><name>&xxe;</name><parts count='1'><part index='0'>"
    "<filename>a</filename></part></parts></image></manifest>"
)
_XXE_PARAMETER = (
    '<?xml version="1.0"?>\n<!DOCTYPE manifest [<!ENTITY % p SYSTEM "file:///etc/passwd">%p;]>'
    "<manifest/>"
)
_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>\n<manifest><image><name>&lol9;</name></image></manifest>"
)
_QUADRATIC = (
    '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "'
    + "a" * 50_000
    + '">]><manifest>'
    + "&a;" * 5_000
    + "</manifest>"
)


def _without(element: str) -> str:
    tree = etree.fromstring(VALID.encode())
    found = tree.find(element)
    assert found is not None
    found.getparent().remove(found)
    return etree.tostring(tree).decode()


BAD_MANIFESTS = {
    "malformed-xml": ("<manifest><image>", "not well-formed"),
    "empty": ("", "not well-formed"),
    "not-xml": ("this is not a manifest", "not well-formed"),
    "wrong-root": ("<bundle/>", "not <manifest>"),
    "missing-architecture": (
        _without("machine_configuration/architecture"),
        "machine_configuration/architecture",
    ),
    "missing-image-name": (_without("image/name"), "image/name"),
    "missing-parts": (_without("image/parts"), "image/parts"),
    "bad-architecture": (bundle_manifest(architecture="sparc"), "'sparc'"),
    "bad-kernel": (bundle_manifest(kernel_id="kernel-1"), "'kernel-1'"),
    "bad-device": (bundle_manifest(mappings=[("ephemeral0", "floppy")]), "'floppy'"),
    "bad-virtual-name": (bundle_manifest(mappings=[("ephemeral99", "sdb")]), "'ephemeral99'"),
    "parts-count-mismatch": (
        VALID.replace('count="1"', 'count="3"'),
        "does not match",
    ),
    "too-deep": ("<manifest>" + "<a>" * 40 + "</a>" * 40 + "</manifest>", "levels deep"),
    "too-deep-for-libxml": ("<a>" * 300 + "</a>" * 300, "not well-formed"),
    "xxe-file": (_XXE_FILE, "DOCTYPE"),
    "xxe-parameter-entity": (_XXE_PARAMETER, "DOCTYPE"),
    "xxe-network-dtd": (
        '<?xml version="1.0"?><!DOCTYPE manifest SYSTEM "http://127.0.0.1:9/evil.dtd"><manifest/>',
        "DOCTYPE",
    ),
    "xxe-late-doctype": (
        "<!--" + "x" * 5000 + '-->\n<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<manifest>&xxe;</manifest>",
        "DOCTYPE",
    ),
    "billion-laughs": (_LAUGHS, "DOCTYPE"),
    "quadratic-blowup": (_QUADRATIC, "DOCTYPE"),
    "undeclared-entity": ("<manifest>&xxe;</manifest>", "not well-formed"),
    "xinclude": (
        '<manifest xmlns:xi="http://www.w3.org/2001/XInclude">'
        '<xi:include href="file:///etc/passwd" parse="text"/></manifest>',
        "machine_configuration/architecture",
    ),
}


@pytest.mark.parametrize("content", BAD_MANIFESTS.values(), ids=BAD_MANIFESTS.keys())
def test_bad_manifest_is_invalid_manifest_naming_the_problem(raw, ec2_registry, content):
    text, detail = content
    ec2_registry.add_manifest(LOCATION, text)
    answer = _register_s3(raw, Name="web-bad")

    assert (answer.status, answer.code) == (400, "InvalidManifest"), answer.body
    assert answer.message.startswith("The specified AMI has an unparsable manifest: " + LOCATION)
    assert detail in answer.message
    assert ec2_registry.images == {}
    [call] = ec2_registry.calls
    logged = repr(call) + answer.body.decode()
    for marker in PASSWD_MARKERS:
        assert marker not in logged
    assert len(answer.body) < 2000


def test_xxe_in_utf16_is_refused_as_not_utf8(raw, ec2_registry):
    """The DOCTYPE scan reads UTF-8 text, so a manifest in another encoding is refused."""
    payload = _XXE_FILE.replace('version="1.0"?>', 'version="1.0" encoding="UTF-16"?>')
    ec2_registry.manifest_source = {LOCATION: payload.encode("utf-16")}.get
    answer = _register_s3(raw, Name="web-utf16")
    assert answer.code == "InvalidManifest"
    assert "not UTF-8 text" in answer.message
    assert not any(marker in answer.body.decode() for marker in PASSWD_MARKERS)


def test_a_declared_encoding_cannot_smuggle_a_doctype():
    """UTF-7 spells ``<!DOCTYPE`` as ``+ADwAIQ-DOCTYPE``; the parser reads UTF-8 regardless."""
    payload = (
        '<?xml version="1.0" encoding="UTF-7"?>'
        "+ADwAIQ-DOCTYPE m +AFs-+ADwAIQ-ENTITY x SYSTEM +ACI-file:///etc/passwd+ACI-+AD4AXQA+-"
        "+ADw-manifest+AD4AJg-x+ADsAPA-/manifest+AD4-"
    )
    with pytest.raises(ManifestError, match="not well-formed"):
        parse(payload)


def test_the_parser_itself_resolves_no_entity_and_reads_no_file():
    """Defence in depth: even past the DOCTYPE check, lxml reads nothing from outside."""
    for payload in (
        _XXE_FILE,
        '<!DOCTYPE m SYSTEM "file:///etc/passwd"><m/>',
        '<!DOCTYPE m [<!ENTITY % p SYSTEM "file:///etc/passwd">%p;]><m/>',
    ):
        tree = etree.fromstring(payload.encode(), _PARSER)
        text = etree.tostring(tree).decode()
        assert not any(marker in text for marker in PASSWD_MARKERS)


def test_external_dtd_is_never_fetched():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    payload = f'<?xml version="1.0"?><!DOCTYPE m SYSTEM "http://127.0.0.1:{port}/x.dtd"><m/>'
    try:
        etree.fromstring(payload.encode(), _PARSER)
        with pytest.raises(ManifestError, match="DOCTYPE"):
            parse(payload)
        with pytest.raises(socket.timeout):  # nobody connected
            listener.accept()
    finally:
        listener.close()


def test_oversized_manifest_is_refused_before_parsing():
    content = "<manifest>" + " " * MAX_MANIFEST_BYTES + "</manifest>"
    with pytest.raises(ManifestError, match="bytes, more than"):
        parse(content)


def test_parse_reads_a_bundle_manifest():
    assert parse(VALID) == Manifest(
        architecture="x86_64",
        image_name="web-bundle",
        kernel_id="aki-1a2b3c4d",
        ramdisk_id="ari-1a2b3c4d",
        root_device_name="/dev/sda1",
        mappings=(("ephemeral0", "/dev/sdb"), ("ephemeral1", "/dev/sdc")),
    )
    assert parse(VALID.encode("utf-8")) == parse(VALID)


# --- a pluggable manifest source --------------------------------------------------------------


def test_manifest_source_reads_undeclared_locations(ec2, ec2_registry):
    store = {LOCATION: VALID.encode()}
    asked: list[str] = []

    def source(location: str) -> bytes | None:
        asked.append(location)
        return store.get(location)

    ec2_registry.manifest_source = source
    image_id = ec2.register_image(Name="from-store", ImageLocation=LOCATION)["ImageId"]
    assert asked == [LOCATION]
    assert ec2_registry.images[image_id].architecture == "x86_64"

    with pytest.raises(ClientError) as raised:
        ec2.register_image(Name="not-in-store", ImageLocation="my-bucket/absent.manifest.xml")
    assert raised.value.response["Error"]["Code"] == "InvalidManifest"
    assert "absent.manifest.xml" in raised.value.response["Error"]["Message"]


def test_manifest_source_lookup_error_is_invalid_manifest(raw, ec2_registry):
    def source(location: str) -> str:
        raise KeyError(location)

    ec2_registry.manifest_source = source
    answer = _register_s3(raw, Name="web-1")
    assert answer.code == "InvalidManifest"
    assert "KeyError" in answer.message


def test_declared_manifests_and_missing_ones_win_over_the_source(raw, ec2_registry):
    ec2_registry.manifest_source = lambda location: pytest.fail(f"source asked for {location}")
    ec2_registry.add_manifest(LOCATION, VALID)
    ec2_registry.missing_manifest("my-bucket/gone.manifest.xml")
    assert _register_s3(raw, Name="web-1").status == 200
    assert _register_s3(raw, "my-bucket/gone.manifest.xml", Name="web-2").code == "InvalidManifest"


def test_a_broken_manifest_source_is_an_internal_error_reported_to_the_test():
    def source(location: str) -> str:
        raise RuntimeError("bucket client misconfigured")

    with run_registry(manifest_source=source) as registry:
        answer = send(registry.endpoint_url, {**MODERN, "ImageLocation": LOCATION, "Name": "x-1"})
        assert (answer.status, answer.code) == (500, "InternalError")
        [(action, error, _)] = registry._state.errors.take()
        assert action == "RegisterImage"
        assert "bucket client misconfigured" in str(error)


def test_manifest_source_is_called_outside_the_registry_lock(raw, ec2_registry):
    """A slow store must not hold up other requests."""
    entered, release = threading.Event(), threading.Event()

    def slow_source(location: str) -> str:
        entered.set()
        assert release.wait(10)
        return VALID

    ec2_registry.manifest_source = slow_source
    results = []
    worker = threading.Thread(target=lambda: results.append(_register_s3(raw, Name="slow-1")))
    worker.start()
    try:
        assert entered.wait(10)
        assert raw({**MODERN, "Action": "DescribeImages"}).status == 200
    finally:
        release.set()
        worker.join(10)
    assert results[0].status == 200


def test_manifest_source_must_be_callable(ec2_registry):
    with pytest.raises(TypeError, match="callable"):
        ec2_registry.manifest_source = "my-bucket"  # type: ignore[assignment]
