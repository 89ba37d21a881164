"""``python -m pytest_ec2image serve`` and the JSON control API under ``/_ec2image/``."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from pytest_ec2image import Ec2Registry, cli, run_registry
from pytest_ec2image.registry import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY
from tests.conftest import SNAP, send

REGISTER = {
    "Action": "RegisterImage",
    "Version": "2016-11-15",
    "RootDeviceName": "/dev/sda1",
    "BlockDeviceMapping.1.DeviceName": "/dev/sda1",
    "BlockDeviceMapping.1.Ebs.SnapshotId": SNAP,
}


def register(url: str, name: str, **extra: str) -> Any:
    return send(url, {**REGISTER, "Name": name, **extra})


def control(
    url: str, method: str, path: str, body: object = None, *, raw: bytes | None = None
) -> tuple[int, Any, dict[str, str]]:
    """One control API request; returns (status, decoded JSON, headers)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(f"{url}/_ec2image/{path}", data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, text, headers = answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        status, text, headers = error.code, error.read(), dict(error.headers)
    assert headers["Content-Type"] == "application/json"
    return status, json.loads(text), headers


def client(
    url: str,
    region: str = "us-east-1",
    key: str = TEST_ACCESS_KEY_ID,
    secret: str = TEST_SECRET_ACCESS_KEY,
) -> Any:
    return boto3.client(
        "ec2",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )


# --- the control API, on the fixture's server -------------------------------------------------


def test_state_shows_every_region_and_the_active_faults(ec2_registry: Ec2Registry) -> None:
    image = ec2_registry.add_image("web-1", architecture="x86_64", tags={"team": "a"})
    ec2_registry.add_snapshot(SNAP, size=20)
    ec2_registry.add_manifest("bucket/web.manifest.xml")
    ec2_registry.in_region("eu-west-1").missing_snapshot(SNAP)
    ec2_registry.throttle("CopyImage", times=2)

    status, state, _ = control(ec2_registry.endpoint_url, "GET", "state")
    assert status == 200
    assert (state["seed"], state["region"], state["account_id"], state["strict"]) == (
        ec2_registry.seed,
        "us-east-1",
        "123456789012",
        False,
    )
    home = state["regions"]["us-east-1"]
    [shown] = home["images"]
    assert (shown["image_id"], shown["name"], shown["architecture"]) == (
        image.image_id,
        "web-1",
        "x86_64",
    )
    assert (shown["tags"], shown["creation_date"]) == ({"team": "a"}, image.creation_date)
    assert [(s["snapshot_id"], s["size"]) for s in home["snapshots"]] == [(SNAP, 20)]
    assert home["manifests"] == [{"location": "bucket/web.manifest.xml", "content": None}]
    assert state["regions"]["eu-west-1"]["missing_snapshots"] == [SNAP]
    [fault] = state["faults"]
    assert (fault["action"], fault["code"], fault["status"], fault["remaining"]) == (
        "CopyImage",
        "RequestLimitExceeded",
        503,
        2,
    )


def test_calls_lists_ec2_calls_only(ec2_registry: Ec2Registry) -> None:
    url = ec2_registry.endpoint_url
    ok = register(url, "web-1")
    send(url, {"Action": "DescribeImages", "Version": "2016-11-15"})
    control(url, "GET", "state")
    status, body, _ = control(url, "GET", "calls")
    assert status == 200
    assert [c["action"] for c in body["calls"]] == ["RegisterImage", "DescribeImages"]
    first = body["calls"][0]
    assert (first["status"], first["image_id"], first["params"]["Name"]) == (
        200,
        ok.find("imageId"),
        "web-1",
    )
    assert first["request_id"] == ok.headers["x-amzn-RequestId"]
    assert first["summary"] == f"RegisterImage Name=web-1 -> 200 {ok.find('imageId')}"
    _, only, _ = control(url, "GET", "calls?action=DescribeImages")
    assert [c["action"] for c in only["calls"]] == ["DescribeImages"]
    assert len(ec2_registry.calls) == 2  # the control requests are not EC2 calls


def test_control_requests_draw_no_ids(
    ec2_registry: Ec2Registry, request: pytest.FixtureRequest
) -> None:
    """A twin registry with the same seed and scope, asked the same EC2 calls but none of the
    control requests, hands out the same ids: control traffic cannot shift a test's ids."""
    url = ec2_registry.endpoint_url
    control(url, "GET", "state")
    control(url, "POST", "faults", {"kind": "missing_manifest", "location": "b/x.manifest.xml"})
    first = register(url, "web-1").find("imageId")
    control(url, "GET", "calls")
    second = register(url, "web-2").find("imageId")

    with run_registry(seed=ec2_registry.seed, scope=request.node.nodeid) as twin:
        assert register(twin.endpoint_url, "web-1").find("imageId") == first
        assert register(twin.endpoint_url, "web-2").find("imageId") == second


@pytest.mark.ec2_registry(images=[{"name": "golden"}])
def test_reset_goes_back_to_the_preloads(ec2_registry: Ec2Registry) -> None:
    url = ec2_registry.endpoint_url
    register(url, "web-1")
    control(url, "POST", "faults", {"kind": "throttle", "times": None})
    status, body, _ = control(url, "POST", "reset")
    assert (status, body) == (200, {"reset": True})
    assert [i.name for i in ec2_registry.images.values()] == ["golden"]
    assert list(ec2_registry.calls) == []
    assert register(url, "web-1").status == 200  # the throttle is gone


def fault_cases() -> list[Any]:
    return [
        pytest.param(
            {"kind": "fail", "action": "RegisterImage", "code": "InvalidAMIName.Duplicate",
             "when": {"Name": "web-2"}},
            "web-2",
            (400, "InvalidAMIName.Duplicate"),
            id="fail",
        ),
        pytest.param(
            {"kind": "throttle"}, "web-1", (503, "RequestLimitExceeded"), id="throttle"
        ),
        pytest.param(
            {"kind": "fail", "action": "RegisterImage", "code": "InternalError", "status": 500,
             "message": "try later", "times": 2},
            "web-1",
            (500, "InternalError"),
            id="fail-status-message",
        ),
        pytest.param(
            {"kind": "missing_snapshot", "snapshot_id": SNAP},
            "web-1",
            (400, "InvalidSnapshot.NotFound"),
            id="missing_snapshot",
        ),
        pytest.param(
            {"kind": "duplicate_name", "name": "web-1"},
            "web-1",
            (400, "InvalidAMIName.Duplicate"),
            id="duplicate_name",
        ),
    ]  # fmt: skip


@pytest.mark.parametrize(("fault", "name", "expected"), fault_cases())
def test_posted_fault_answers_the_next_matching_call(
    ec2_registry: Ec2Registry, fault: dict[str, Any], name: str, expected: tuple[int, str]
) -> None:
    url = ec2_registry.endpoint_url
    status, body, _ = control(url, "POST", "faults", fault)
    assert status == 201
    assert body["kind"] == fault["kind"]
    if fault["kind"] == "fail" and "when" in fault:
        assert register(url, "web-1").status == 200  # not matched by `when`
    answer = register(url, name)
    assert (answer.status, answer.code) == expected
    if fault.get("message"):
        assert answer.message is not None


def test_posted_fault_message_and_hits_show_in_faults(ec2_registry: Ec2Registry) -> None:
    url = ec2_registry.endpoint_url
    _, body, _ = control(
        url,
        "POST",
        "faults",
        {"kind": "fail", "action": "RegisterImage", "code": "InternalError", "times": None},
    )
    assert (body["fault"]["status"], body["fault"]["times"], body["fault"]["hits"]) == (
        500,
        None,
        0,
    )
    register(url, "web-1")
    register(url, "web-2")
    _, listed, _ = control(url, "GET", "faults")
    [fault] = listed["faults"]
    assert (fault["hits"], fault["remaining"]) == (2, None)


def test_posted_delay_serves_the_call_late(ec2_registry: Ec2Registry) -> None:
    url = ec2_registry.endpoint_url
    status, body, _ = control(
        url, "POST", "faults", {"kind": "delay", "action": "RegisterImage", "seconds": 0.05}
    )
    assert (status, body["fault"]["kind"], body["fault"]["seconds"]) == (201, "delay", 0.05)
    assert register(url, "web-1").status == 200
    [call] = ec2_registry.calls
    assert call.fault is not None
    assert call.fault.kind == "delay"


def test_posted_disconnect_drops_the_connection(ec2_registry: Ec2Registry) -> None:
    url = ec2_registry.endpoint_url
    control(url, "POST", "faults", {"kind": "disconnect", "action": "RegisterImage"})
    with pytest.raises((urllib.error.URLError, http.client.HTTPException, ConnectionError)):
        register(url, "web-1")
    assert register(url, "web-1").status == 200  # times=1: the next call is served


def test_posted_missing_manifest(ec2_registry: Ec2Registry) -> None:
    url = ec2_registry.endpoint_url
    control(url, "POST", "faults", {"kind": "missing_manifest", "location": "b/web.manifest.xml"})
    answer = send(
        url,
        {
            "Action": "RegisterImage",
            "Version": "2016-11-15",
            "Name": "web-1",
            "ImageLocation": "b/web.manifest.xml",
        },
    )
    assert (answer.status, answer.code) == (400, "InvalidManifest")


def test_posted_fail_image_fails_an_existing_image(ec2_registry: Ec2Registry) -> None:
    url = ec2_registry.endpoint_url
    image_id = register(url, "web-1").find("imageId")
    status, _, _ = control(
        url, "POST", "faults", {"kind": "fail_image", "image_id_or_name": "web-1", "reason": "boom"}
    )
    assert status == 201
    image = ec2_registry.images[image_id]
    assert image.state == "failed"
    assert image.state_reason is not None
    assert image.state_reason.message == "boom"


def test_fault_with_a_region_acts_through_that_region(ec2_registry: Ec2Registry) -> None:
    url = ec2_registry.endpoint_url
    status, _, _ = control(
        url,
        "POST",
        "faults",
        {"kind": "missing_snapshot", "snapshot_id": SNAP, "region": "eu-west-1"},
    )
    assert status == 201
    control(
        url,
        "POST",
        "faults",
        {"kind": "throttle", "action": "DescribeImages", "region": "eu-west-1", "times": None},
    )
    assert register(url, "web-1").status == 200  # us-east-1 is untouched by either
    assert client(url).describe_images(Owners=["self"])["Images"]
    _, state, _ = control(url, "GET", "state")
    assert state["regions"]["eu-west-1"]["missing_snapshots"] == [SNAP]
    assert state["faults"][0]["region"] == "eu-west-1"
    ec2 = client(url, region="eu-west-1")  # its SigV4 scope selects eu-west-1
    with pytest.raises(ec2.exceptions.ClientError, match="RequestLimitExceeded"):
        ec2.describe_images(Owners=["self"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "the body is not JSON: Expecting property name"),
        (b"[1, 2]", "expected a JSON object such as"),
        (b'{"action": "RegisterImage"}', "missing 'kind': one of fail, throttle, delay"),
        (b'{"kind": "explode"}', "unknown kind 'explode': expected one of fail, throttle"),
        (b'{"kind": 7}', "unknown kind 7"),
        (
            b'{"kind": "throttle", "colour": "red"}',
            "throttle does not take 'colour' (it takes action, times, when, region)",
        ),
        (b'{"kind": "fail", "action": "RegisterImage"}', "fail needs 'code'"),
        (b'{"kind": "delay", "action": "RegisterImage"}', "delay needs 'seconds'"),
        (b'{"kind": "throttle", "times": "x"}', "throttle: 'times' must be a whole number"),
        (b'{"kind": "throttle", "times": 0}', "throttle: 'times' must be a whole number"),
        (b'{"kind": "throttle", "times": true}', "throttle: 'times' must be a whole number"),
        (
            b'{"kind": "fail", "action": "RegisterImage", "code": "X", "status": "503"}',
            "fail: 'status' must be an HTTP error status from 400 to 599, got '503'",
        ),
        (
            b'{"kind": "fail", "action": "RegisterImage", "code": "X", "status": 200}',
            "fail: 'status' must be an HTTP error status",
        ),
        (
            b'{"kind": "fail", "action": "RegisterImage", "code": "X", "when": ["Name"]}',
            "fail: 'when' must be an object of wire parameters",
        ),
        (
            b'{"kind": "fail", "action": "RegisterImage", "code": "X", "when": {"Name": [1]}}',
            "fail: 'when' must be an object of wire parameters",
        ),
        (
            b'{"kind": "delay", "action": "RegisterImage", "seconds": -1}',
            "delay: 'seconds' must be a number of seconds >= 0, got -1",
        ),
        (
            b'{"kind": "disconnect", "action": "RegisterImage", "after_commit": "yes"}',
            "disconnect: 'after_commit' must be true or false, got 'yes'",
        ),
        (b'{"kind": "fail", "action": "", "code": "X"}', "fail: 'action' must be a non-empty"),
        (
            b'{"kind": "missing_snapshot", "snapshot_id": "snap-0123456789abcdef0", "region": 5}',
            "missing_snapshot: 'region' must be a region name, got 5",
        ),
        (
            b'{"kind": "fail_image", "image_id_or_name": "ami-0123456789abcdef0"}',
            "fail_image: no image 'ami-0123456789abcdef0'",
        ),
    ],
)
def test_bad_fault_is_a_400_naming_the_problem(
    ec2_registry: Ec2Registry, body: bytes, message: str
) -> None:
    status, answer, _ = control(ec2_registry.endpoint_url, "POST", "faults", raw=body)
    assert status == 400
    assert answer["error"].startswith(message), answer["error"]
    assert ec2_registry._state.faults.active() == []
    assert list(ec2_registry.calls) == []


def test_oversized_fault_body_is_refused(ec2_registry: Ec2Registry) -> None:
    body = json.dumps({"kind": "throttle", "action": "x" * 70_000}).encode()
    status, answer, _ = control(ec2_registry.endpoint_url, "POST", "faults", raw=body)
    assert status == 413
    assert "exceeds 65536 bytes" in answer["error"]


def test_unknown_endpoint_and_wrong_method(ec2_registry: Ec2Registry) -> None:
    url = ec2_registry.endpoint_url
    status, body, _ = control(url, "GET", "images")
    assert status == 404
    assert body["error"] == "no control endpoint '/_ec2image/images'"
    assert "POST /_ec2image/faults" in body["endpoints"]
    status, body, headers = control(url, "GET", "reset")
    assert (status, headers["Allow"]) == (405, "POST")
    assert body["error"] == "GET /_ec2image/reset is not allowed; use POST"
    status, body, _ = control(url, "GET", "")
    assert (status, body["endpoint_url"]) == (200, url)


def test_control_path_is_never_an_ec2_action(ec2_registry: Ec2Registry) -> None:
    url = ec2_registry.endpoint_url
    query = "Action=RegisterImage&Version=2016-11-15&Name=web-1&ImageLocation=b/w.manifest.xml"
    status, body, _ = control(url, "GET", f"state?{query}")
    assert status == 200
    assert body["regions"] == {} or body["regions"]["us-east-1"]["images"] == []
    status, _, _ = control(url, "POST", f"calls?{query}", raw=b"")
    assert status == 405
    assert ec2_registry.images == {}
    assert list(ec2_registry.calls) == []


# --- the serve command --------------------------------------------------------------------------


class Served:
    """A ``python -m pytest_ec2image serve`` subprocess, its output read line by line."""

    def __init__(self, *args: str, python_flags: tuple[str, ...] = ()) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.process = subprocess.Popen(
            [sys.executable, *python_flags, "-m", "pytest_ec2image", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()
        self.url = self.wait_for(r"^export AWS_ENDPOINT_URL_EC2=(\S+)$").group(1)

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str) -> re.Match[str]:
        while True:
            try:
                line = self.lines.get(timeout=20)
            except queue.Empty:
                self.process.kill()
                raise AssertionError(f"no line matching {pattern!r}; saw {self.seen}") from None
            self.seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found

    def stop(self, sig: signal.Signals) -> tuple[int, list[str], str]:
        """Send ``sig``; return the exit status, the remaining output lines and stderr."""
        self.process.send_signal(sig)
        status = self.process.wait(timeout=20)
        rest = []
        while True:
            try:
                rest.append(self.lines.get(timeout=2))
            except queue.Empty:
                break
            if rest[-1].startswith("pytest-ec2image: stopped"):
                break
        assert self.process.stderr is not None
        return status, rest, self.process.stderr.read()

    def close(self) -> None:
        """Kill the process if it still runs and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.pump.join(timeout=10)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def served() -> Iterator[Served]:
    server = Served("--port", "0", "--seed", "11")
    yield server
    server.close()


def test_serve_end_to_end(served: Served) -> None:
    url = served.url
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    assert served.seen[0].startswith(f"pytest-ec2image: fake EC2 endpoint at {url} (seed=11,")

    ec2 = client(url)
    first = ec2.register_image(
        Name="web-1",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )
    # The seed's first example, as curl would send it: GET, no Version, no auth.
    with urllib.request.urlopen(
        f"{url}/?Action=RegisterImage&ImageLocation=mybucket/myimage.manifest.xml", timeout=10
    ) as answer:
        seed_era = re.search(r"<imageId>(.*?)</imageId>", answer.read().decode()).group(1)
    assert re.fullmatch(r"ami-[0-9a-f]{8}", seed_era)

    _, state, _ = control(url, "GET", "state")
    assert state["seed"] == 11
    assert [i["image_id"] for i in state["regions"]["us-east-1"]["images"]] == [
        first["ImageId"],
        seed_era,
    ]
    _, calls, _ = control(url, "GET", "calls")
    assert [c["request_id"] for c in calls["calls"]][0] == first["ResponseMetadata"]["RequestId"]

    status, _, _ = control(
        url, "POST", "faults", {"kind": "fail", "action": "RegisterImage", "code": "AuthFailure"}
    )
    assert status == 201
    with pytest.raises(ec2.exceptions.ClientError, match="AuthFailure"):
        ec2.register_image(Name="web-2", ImageLocation="mybucket/web-2.manifest.xml")

    assert control(url, "POST", "reset")[0] == 200
    _, state, _ = control(url, "GET", "state")
    assert state["regions"] == {} or state["regions"]["us-east-1"]["images"] == []
    # After a reset the id stream starts over: the same call gets the same ids.
    again = ec2.register_image(
        Name="web-1",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )
    assert again["ImageId"] == first["ImageId"]
    assert again["ResponseMetadata"]["RequestId"] == first["ResponseMetadata"]["RequestId"]
    # ... and so does an in-process registry with the same seed.
    with run_registry(seed=11) as twin:
        assert (
            client(twin.endpoint_url).register_image(
                Name="web-1",
                RootDeviceName="/dev/sda1",
                BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
            )["ImageId"]
            == first["ImageId"]
        )

    status, rest, stderr = served.stop(signal.SIGINT)
    assert status == 0, stderr
    log = [line for line in served.seen + rest if re.match(r"\d\d:\d\d:\d\d ", line)]
    assert len(log) == 4  # one per EC2 call; control requests are not logged
    assert log[0].startswith(f"{log[0][:8]} RegisterImage Name=web-1 -> 200 {first['ImageId']}")
    assert " -> 401 AuthFailure (fault) (" in log[2]
    assert rest[-1] == "pytest-ec2image: stopped after serving 4 call(s)"
    assert "Traceback" not in stderr


def test_serve_with_data_strict_region_stops_on_sigterm_without_pytest(tmp_path: Path) -> None:
    data = tmp_path / "preload.json"
    data.write_text(json.dumps({"images": [{"name": "golden"}], "snapshots": [{"size": 9}]}))
    server = Served(
        "--data", str(data), "--strict", "--region", "eu-north-1", "--seed", "5",
        "--quiet", python_flags=("-X", "importtime"),
    )  # fmt: skip
    try:
        assert server.wait_for(r"^export AWS_ACCESS_KEY_ID=").group(0)
        assert "AWS_DEFAULT_REGION=eu-north-1" in server.seen[-1]
        _, state, _ = control(server.url, "GET", "state")
        assert (state["strict"], state["region"]) == (True, "eu-north-1")
        home = state["regions"]["eu-north-1"]
        assert [i["name"] for i in home["images"]] == ["golden"]
        assert [s["size"] for s in home["snapshots"]] == [9]
        answer = register(server.url, "web-1")  # strict: the undeclared snapshot is missing
        assert (answer.status, answer.code) == (400, "InvalidSnapshot.NotFound")
        status, rest, stderr = server.stop(signal.SIGTERM)
    finally:
        server.close()
    assert status == 0
    assert rest[-1] == "pytest-ec2image: stopped after serving 1 call(s)"
    assert not [line for line in rest if re.match(r"\d\d:\d\d:\d\d ", line)]  # --quiet
    imported = {line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if "|" in line}
    assert "pytest_ec2image.cli" in imported
    assert not {m for m in imported if m.split(".")[0] in ("pytest", "_pytest")}


def test_serve_verifies_signatures_against_the_given_credentials() -> None:
    server = Served(
        "--verify-signatures", "--credentials", "AKIAOTHERACCOUNT0001:other/se:cret:210987654321",
        "--credentials", "AKIASAMEACCOUNT00001:same-secret",
    )  # fmt: skip
    try:
        assert "signatures=verified)" in server.seen[0]
        url = server.url
        mapping = [{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}]
        ours = client(url).register_image(
            Name="web-1", RootDeviceName="/dev/sda1", BlockDeviceMappings=mapping
        )["ImageId"]
        other = client(url, key="AKIAOTHERACCOUNT0001", secret="other/se:cret").register_image(
            Name="web-1", RootDeviceName="/dev/sda1", BlockDeviceMappings=mapping
        )["ImageId"]
        same = client(url, key="AKIASAMEACCOUNT00001", secret="same-secret").register_image(
            Name="web-2", RootDeviceName="/dev/sda1", BlockDeviceMappings=mapping
        )["ImageId"]
        forged = client(url, key="AKIAOTHERACCOUNT0001", secret="wrong")
        with pytest.raises(forged.exceptions.ClientError, match="SignatureDoesNotMatch"):
            forged.describe_images(Owners=["self"])
        unsigned = send(url, {"Action": "DescribeImages", "Version": "2016-11-15"})
        assert (unsigned.status, unsigned.code) == (403, "MissingAuthenticationToken")

        _, state, _ = control(url, "GET", "state")
        assert state["verify_signatures"] is True
        assert state["access_keys"] == {
            TEST_ACCESS_KEY_ID: "123456789012",
            "AKIAOTHERACCOUNT0001": "210987654321",
            "AKIASAMEACCOUNT00001": "123456789012",
        }
        owners = {i["image_id"]: i["owner_id"] for i in state["regions"]["us-east-1"]["images"]}
        assert owners == {ours: "123456789012", other: "210987654321", same: "123456789012"}
        assert control(url, "POST", "reset")[0] == 200  # credentials survive a reset
        assert (
            client(url, key="AKIASAMEACCOUNT00001", secret="same-secret").describe_images(
                Owners=["self"]
            )["Images"]
            == []
        )
        status, _, stderr = server.stop(signal.SIGTERM)
    finally:
        server.close()
    assert status == 0, stderr


def test_serve_accepts_any_credentials_by_default(served: Served) -> None:
    assert "signatures=not checked)" in served.seen[0]
    anyone = client(served.url, key="AKIAANYONE0000000001", secret="whatever")
    assert anyone.describe_images(Owners=["self"])["Images"] == []
    _, state, _ = control(served.url, "GET", "state")
    assert state["verify_signatures"] is False


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("AKIA1:secret", ("AKIA1", "secret", None)),
        ("AKIA1:secret:210987654321", ("AKIA1", "secret", "210987654321")),
        ("AKIA1:se:cr:et", ("AKIA1", "se:cr:et", None)),
        ("AKIA1:se:cret:210987654321", ("AKIA1", "se:cret", "210987654321")),
        ("AKIA1:210987654321", ("AKIA1", "210987654321", None)),
    ],
)
def test_credentials_argument(text: str, parsed: tuple[str, str, str | None]) -> None:
    assert cli._credentials(text) == parsed


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.com", "10.0.0.1"])
def test_non_loopback_host_needs_allow_remote(
    host: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def must_not_bind(**config: object) -> Ec2Registry:
        raise AssertionError(f"bound {config['host']}")

    monkeypatch.setattr(cli, "run_registry", must_not_bind)
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--host", host])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"--host {host} is not a loopback address" in err
    assert "needs --allow-remote" in err


def test_allow_remote_lets_a_remote_host_through(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Checked without binding: the test never listens beyond loopback."""
    asked: dict[str, object] = {}

    def refuse(**config: object) -> Ec2Registry:
        asked.update(config)
        raise OSError(99, "Cannot assign requested address")

    monkeypatch.setattr(cli, "run_registry", refuse)
    assert cli.main(["serve", "--host", "0.0.0.0", "--allow-remote", "--port", "8999"]) == 1
    assert (asked["host"], asked["port"]) == ("0.0.0.0", 8999)
    assert "cannot listen on 0.0.0.0:8999: Cannot assign requested address" in (
        capsys.readouterr().err
    )


def test_bracketed_ipv6_host_is_bound_bare(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: dict[str, object] = {}

    def refuse(**config: object) -> Ec2Registry:
        asked.update(config)
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(cli, "run_registry", refuse)
    assert cli.main(["serve", "--host", "[::1]"]) == 1
    assert asked["host"] == "::1"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("my-laptop.local", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert cli.is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "abc"], "argument --seed: 'abc' is not a valid seed"),
        (["--seed", "-5"], "argument --seed: '-5' is not a valid seed"),
        (["--port", "70000"], "argument --port: '70000' is not a port number"),
        (["--account-id", "12"], "argument --account-id: '12' is not an AWS account id"),
        (["--region", " "], "argument --region: the region name is empty"),
        (["--credentials", "AKIA1"], "argument --credentials: 'AKIA1' is not KEY:SECRET"),
        (["--credentials", ":secret"], "argument --credentials: ':secret' is not KEY:SECRET"),
        (["--credentials", "AKIA1:"], "argument --credentials: 'AKIA1:' is not KEY:SECRET"),
        (["--data", "/nonexistent/x.json"], "ec2-registry data file /nonexistent/x.json: No such"),
        (["--idle-timeout", "0"], "argument --idle-timeout: '0' is not a positive number"),
        (["--idle-timeout", "nan"], "argument --idle-timeout: 'nan' is not a positive number"),
        (["--idle-timeout", "1e12"], "argument --idle-timeout: '1e12' is not a positive number"),
        (["--max-connections", "0"], "argument --max-connections: '0' is not a whole number"),
    ],
)
def test_bad_arguments_exit_2_naming_the_value(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", *args])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m pytest_ec2image serve")
    assert message in err


def test_bad_data_file_names_the_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "bad.json"
    data.write_text('{"images": [{"name": "ok-name"}, {"name": "ok-name"}]}')
    with pytest.raises(SystemExit):
        cli.main(["serve", "--data", str(data)])
    assert f"ec2-registry data file {data}: images[1]: AMI name ok-name is already in use" in (
        capsys.readouterr().err
    )


def test_taken_port_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port)]) == 1
    assert f"pytest-ec2image: cannot listen on 127.0.0.1:{port}: Address already in use" in (
        capsys.readouterr().err
    )


def test_no_command_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([])
    assert exited.value.code == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err
