"""``pytest_ec2image.run_registry(**config)``: the fake without pytest, for unittest suites and
scripts."""

from __future__ import annotations

import io
import socket
import threading
import unittest
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest

from pytest_ec2image import Call, Ec2Registry, run_registry
from pytest_ec2image.registry import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY
from tests.conftest import SNAP, send

MAPPING = [{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}]


def client(registry: Ec2Registry) -> Any:
    return boto3.client(
        "ec2",
        endpoint_url=registry.endpoint_url,
        region_name=registry.region,
        aws_access_key_id=TEST_ACCESS_KEY_ID,
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
    )


def server_threads() -> int:
    return sum(t.name == "pytest-ec2image-server" for t in threading.enumerate())


def test_serves_boto3_until_the_block_ends() -> None:
    before = server_threads()
    with run_registry() as registry:
        assert registry.endpoint_url.startswith("http://127.0.0.1:")
        ec2 = client(registry)
        image_id = ec2.register_image(
            Name="web-1", RootDeviceName="/dev/sda1", BlockDeviceMappings=MAPPING
        )["ImageId"]
        [described] = ec2.describe_images(ImageIds=[image_id])["Images"]
        assert described["Name"] == "web-1"
        registry.assert_registered(name="web-1", image_id=image_id)
        assert server_threads() == before + 1
        url = registry.endpoint_url
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/?Action=DescribeImages", timeout=5)
    assert server_threads() == before
    registry.close()  # a second close is harmless


def test_same_seed_and_scope_give_the_same_ids() -> None:
    def ids(**config: Any) -> list[str]:
        with run_registry(**config) as registry:
            answer = send(
                registry.endpoint_url,
                {
                    "Action": "RegisterImage",
                    "Version": "2016-11-15",
                    "Name": "web-1",
                    "ImageLocation": "b/web.manifest.xml",
                },
            )
            return [
                registry.add_snapshot().snapshot_id,
                str(answer.find("imageId")),
                answer.headers["x-amzn-RequestId"],
            ]

    first = ids(seed=123, scope="suite.TestBake.test_publish")
    assert ids(seed=123, scope="suite.TestBake.test_publish") == first
    assert ids(seed=123, scope="suite.TestBake.test_cleanup") != first
    assert ids(seed=124, scope="suite.TestBake.test_publish") != first


def test_default_seed_is_random_and_readable() -> None:
    with run_registry() as one, run_registry() as two:
        assert one.seed != two.seed  # 1 in 2**32 to collide
        assert one.endpoint_url != two.endpoint_url


def test_takes_the_markers_keys() -> None:
    with run_registry(
        region="eu-west-1",
        account_id="210987654321",
        strict=True,
        pending_describes=1,
        snapshots=[{"snapshot_id": SNAP, "size": 10}],
        manifests=[{"location": "b/web.manifest.xml"}],
        images=[{"name": "golden", "architecture": "x86_64"}],
    ) as registry:
        assert (registry.region, registry.account_id, registry.strict) == (
            "eu-west-1",
            "210987654321",
            True,
        )
        ec2 = client(registry)
        image_id = ec2.register_image(
            Name="web-1", RootDeviceName="/dev/sda1", BlockDeviceMappings=MAPPING
        )["ImageId"]
        [pending] = ec2.describe_images(ImageIds=[image_id])["Images"]
        assert pending["State"] == "pending"
        assert pending["OwnerId"] == "210987654321"
        assert [i.name for i in registry.images.values()] == ["golden", "web-1"]
        # strict: an undeclared snapshot does not exist
        with pytest.raises(ec2.exceptions.ClientError, match="InvalidSnapshot.NotFound"):
            ec2.register_image(
                Name="web-2",
                RootDeviceName="/dev/sda1",
                BlockDeviceMappings=[
                    {"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": "snap-0fffffffffffffff0"}}
                ],
            )


def test_bad_config_raises_before_any_server_starts() -> None:
    before = server_threads()
    with pytest.raises(TypeError, match="colour"):
        run_registry(colour="red")
    with pytest.raises(ValueError, match="account_id must be 12 digits, got '12'"):
        run_registry(account_id="12")
    with pytest.raises(TypeError, match="sets endpoint_url itself"):
        run_registry(endpoint_url="http://example.invalid")
    assert server_threads() == before


def test_taken_port_raises_oserror() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match="in use"):
            run_registry(port=port)


def test_fixed_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with run_registry(port=port) as registry:
        assert registry.endpoint_url == f"http://127.0.0.1:{port}"


def test_on_call_sees_every_answered_call() -> None:
    seen: list[Call] = []
    with run_registry(on_call=seen.append) as registry:
        send(registry.endpoint_url, {"Action": "DescribeImages", "Version": "2016-11-15"})
        send(registry.endpoint_url, {"Action": "Nope", "Version": "2016-11-15"})
        assert [(c.action, c.status, c.error_code) for c in seen] == [
            ("DescribeImages", 200, None),
            ("Nope", 400, "InvalidAction"),
        ]
        assert seen == list(registry.calls)


class BakeTest(unittest.TestCase):
    """How a unittest suite uses it: one server for the class, reset between tests."""

    __test__ = False  # run below through unittest's own runner, not collected by pytest
    registry: Ec2Registry

    @classmethod
    def setUpClass(cls) -> None:
        cls.registry = run_registry(seed=5, images=[{"name": "golden"}])
        cls.addClassCleanup(cls.registry.close)

    def setUp(self) -> None:
        self.registry.reset()
        self.ec2 = client(self.registry)

    def test_publish(self) -> None:
        self.ec2.register_image(
            Name="web-1", RootDeviceName="/dev/sda1", BlockDeviceMappings=MAPPING
        )
        self.registry.assert_registered(name="web-1")
        self.assertEqual(len(self.registry.images), 2)  # noqa: PT009 - a unittest suite

    def test_starts_from_the_preload(self) -> None:
        self.assertEqual([i.name for i in self.registry.images.values()], ["golden"])  # noqa: PT009


def test_a_unittest_suite_runs_against_it() -> None:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(BakeTest)
    out = io.StringIO()
    result = unittest.TextTestRunner(stream=out, verbosity=2).run(suite)
    assert result.wasSuccessful(), out.getvalue()
    assert result.testsRun == 2


def test_connection_limits_are_settable():
    import http.client
    import time
    from urllib.parse import urlsplit

    with run_registry(seed=1, idle_timeout=0.2, max_connections=3) as registry:
        url = urlsplit(registry.endpoint_url)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        connection.request(
            "POST",
            "/",
            body=b"Action=DescribeImages&Version=2016-11-15",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200
        assert answer.getheader("Connection") != "close"
        # Idle past 0.2 s, the server closes it: a blocking read sees the end of the stream
        # (within the socket's 10 s timeout, far beyond 0.2 s).
        started = time.monotonic()
        assert connection.sock.recv(1) == b""
        assert time.monotonic() - started < 10
        connection.close()
    with pytest.raises(ValueError, match="max_connections must be at least 1"):
        run_registry(max_connections=0)
