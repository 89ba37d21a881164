"""What real clients sent (``reference/clients/*/*.jsonl``) replayed against the fake, and the
installable clients themselves (boto3 client and resource API, AWS CLI v1) run against it.

The recording server answered every RegisterImage with ``ami-0123456789abcdef0`` and checked
nothing; the replay puts the id the fake returned for the last successful RegisterImage in its
place, and expects the capture's answer: success where it got 2xx, the same status and code
where it got an error. Injected 5xx answers and the duplicate name the captures met are set
up with the registry's own fault API before the replay.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from itertools import takewhile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.retryhandler
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError, WaiterError
from botocore.retries.standard import ExponentialBackoff
from lxml import etree

from pytest_ec2image import Ec2Registry
from tests.conftest import SNAP, send
from tests.ec2_model import known_only

CLIENTS = Path(__file__).parent / "data" / "reference" / "clients"
CAPTURES = sorted(CLIENTS.glob("*/*.jsonl"))
RECORDED_IMAGE_ID = "ami-0123456789abcdef0"
CAPTURE_KEY = "AKIAIOSFODNN7EXAMPLE"


def load(path: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    return lines


def wire_params(line: dict[str, Any]) -> dict[str, str]:
    """The parameters a captured line carries, query and body together."""
    pairs = urllib.parse.parse_qsl(line["query"], keep_blank_values=True)
    pairs += urllib.parse.parse_qsl(line["body"], keep_blank_values=True)
    return dict(pairs)


def auth_of(line: dict[str, Any]) -> str:
    headers = {name.lower(): value for name, value in line["headers"]}
    if headers.get("authorization", "").startswith("AWS4-HMAC-SHA256"):
        return "sigv4"
    return "sigv2" if "AWSAccessKeyId" in wire_params(line) else "none"


def inject_capture_faults(registry: Ec2Registry, lines: list[dict[str, Any]]) -> None:
    """Make the fake answer what the recording server was told to answer: the leading 5xx
    responses of a retry capture, and the name a duplicate capture met."""
    failed = list(takewhile(lambda line: line["response_status"] >= 500, lines))
    assert all(line["response_status"] < 500 for line in lines[len(failed) :]), (
        "5xx answers only lead a capture; replay cannot inject any other pattern"
    )
    if failed:
        [code] = {line["response_error_code"] for line in failed}
        [action] = {line["action"] for line in failed}
        if code == "RequestLimitExceeded":
            registry.throttle(action, times=len(failed))
        else:
            registry.fail(action, code, times=len(failed))
    for line in lines:
        if line["response_error_code"] == "InvalidAMIName.Duplicate":
            registry.duplicate_name(wire_params(line)["Name"])


class Replayer:
    """Sends captured lines over one keep-alive connection, as the clients did."""

    def __init__(self, registry: Ec2Registry) -> None:
        self.registry = registry
        url = urllib.parse.urlsplit(registry.endpoint_url)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        self.last_image_id: str | None = None
        self.registered: set[str] = set()

    def close(self) -> None:
        self.connection.close()

    def substitute(self, text: str) -> str:
        if self.last_image_id is None:
            return text
        return text.replace(RECORDED_IMAGE_ID, self.last_image_id)

    def free_name(self, line: dict[str, Any]) -> None:
        """The recording server kept no state, so captures reuse names freely (the seed's
        examples all say MyImage). Where a line the capture answered 2xx reuses a name this
        replay registered, deregister that image first, as a real flow would have."""
        name = wire_params(line).get("Name")
        for image in self.registry.images.values():
            if image.name == name and image.image_id in self.registered:
                freed = send(
                    self.registry.endpoint_url,
                    {
                        "Action": "DeregisterImage",
                        "Version": "2016-11-15",
                        "ImageId": image.image_id,
                    },
                )
                assert freed.status == 200, freed.body

    def send(self, line: dict[str, Any]) -> tuple[int, bytes]:
        assert line["body_encoding"] == "utf-8"
        query, body = self.substitute(line["query"]), self.substitute(line["body"])
        headers = {
            name: value
            for name, value in line["headers"]
            if name.lower() not in ("host", "content-length")
        }
        target = line["path"] + (f"?{query}" if query else "")
        self.connection.request(
            line["method"], target, body=body.encode() if body else None, headers=headers
        )
        response = self.connection.getresponse()
        return response.status, response.read()

    def replay(self, lines: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], int, bytes]]:
        for line in lines:
            ok = 200 <= line["response_status"] < 300
            if line["action"] == "RegisterImage" and ok:
                self.free_name(line)
            status, body = self.send(line)
            if line["action"] == "RegisterImage" and status == 200:
                image_id = etree.fromstring(body).findtext("{*}imageId")
                assert image_id is not None
                self.last_image_id = image_id
                self.registered.add(image_id)
            yield line, status, body


def test_every_capture_file_is_replayed():
    # An empty glob would parametrize nothing and pass silently.
    assert len(CAPTURES) == 16, CAPTURES


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_replayed_capture_gets_the_answers_the_client_got(ec2_registry, path):
    lines = load(path)
    inject_capture_faults(ec2_registry, lines)
    replayer = Replayer(ec2_registry)
    try:
        for line, status, body in replayer.replay(lines):
            where = f"{path.parent.name}/{path.name} seq {line['seq']} {line['action']}"
            if 200 <= line["response_status"] < 300:
                assert status == 200, f"{where}: {body!r}"
            else:
                code = etree.fromstring(body).findtext("Errors/Error/Code")
                assert (status, code) == (
                    line["response_status"],
                    line["response_error_code"],
                ), where
            call = ec2_registry.calls[-1]
            assert (call.action, call.status, call.method) == (
                line["action"],
                status,
                line["method"],
            )
            assert call.auth == auth_of(line), where
            if call.auth != "none":
                assert call.access_key == CAPTURE_KEY
            # SigV4 scopes such as boto 2's "0/127" (from the IP host) select no region.
            assert call.region == "us-east-1"
    finally:
        replayer.close()


def test_every_capture_folder_is_replayed():
    folders = {path.parent.name for path in CAPTURES}
    assert folders == {"awscli_v1", "boto2", "boto3_client", "boto3_resource", "curl"}
    assert len(CAPTURES) == 16


def test_replayed_boto2_sigv2_flow_leaves_the_images_the_client_made(ec2_registry):
    replayer = Replayer(ec2_registry)
    try:
        answers = list(replayer.replay(load(CLIENTS / "boto2/requests_boto234.jsonl")))
    finally:
        replayer.close()
    assert [status for _, status, _ in answers] == [200, 200, 200, 412, 200, 200, 200]
    # seq 7 deregistered the last image (my-boto2-snap); the first two remain.
    names = sorted(image.name for image in ec2_registry.images.values())
    assert names == ["my-boto2-image", "myimage"]
    image = ec2_registry.assert_registered(name="my-boto2-image")
    assert [m.device_name for m in image.block_device_mappings] == [
        "/dev/sda1",
        "/dev/sdb",
        "/dev/sdc",
    ]
    assert image.block_device_mappings[2].no_device is True
    assert (image.sriov_net_support, image.virtualization_type) == ("simple", "hvm")
    assert image.block_device_mappings[0].ebs.delete_on_termination is False


def test_replayed_awscli_flow_tags_and_deregisters_its_image(ec2_registry):
    replayer = Replayer(ec2_registry)
    lines = load(CLIENTS / "awscli_v1/requests.jsonl")
    try:
        answers = list(replayer.replay(lines[:8]))  # up to CreateTags, before DeregisterImage
    finally:
        replayer.close()
    assert all(status in (200, 412) for _, status, _ in answers)
    [_, status, body] = answers[5]  # DescribeImages Owner.1=self Filter name=my-cli-image
    assert status == 200
    assert [e.text for e in etree.fromstring(body).iterfind(".//{*}item/{*}name")] == [
        "my-cli-image"
    ]
    tagged = ec2_registry.images[replayer.last_image_id]
    assert (tagged.name, dict(tagged.tags)) == ("my-s3-image", {"team": "qa"})
    cli_image = ec2_registry.assert_registered(name="my-cli-image")
    assert dict(cli_image.tags) == {"Name": "my-cli-image", "env": "test"}
    assert cli_image.boot_mode == "uefi"


# --- the real clients ---------------------------------------------------------------------


@pytest.fixture
def no_backoff(monkeypatch):
    """botocore's retry sleeps are random and up to seconds long; the retries themselves
    (count, order, bodies) are untouched."""
    monkeypatch.setattr(botocore.retryhandler, "random", SimpleNamespace(random=lambda: 0.0))
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


#: What boto3_client/run.py registered (an old botocore sends it without TagSpecifications).
BOTO3_FULL = {
    "Name": "my-image-2024",
    "Description": "Captured by boto3 client",
    "Architecture": "x86_64",
    "RootDeviceName": "/dev/sda1",
    "BlockDeviceMappings": [
        {
            "DeviceName": "/dev/sda1",
            "Ebs": {"SnapshotId": SNAP, "DeleteOnTermination": False, "VolumeType": "gp3"},
        },
        {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
        {"DeviceName": "/dev/sdc", "NoDevice": ""},
    ],
    "VirtualizationType": "hvm",
    "EnaSupport": True,
    "BootMode": "uefi",
    "TagSpecifications": [
        {
            "ResourceType": "image",
            "Tags": [{"Key": "Name", "Value": "my-image"}, {"Key": "env", "Value": "test"}],
        }
    ],
}
RETRY_REQUEST = {
    "Name": "retry-image",
    "RootDeviceName": "/dev/sda1",
    "BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
}


def test_boto3_client_flow(ec2, ec2_registry):
    image_id = ec2.register_image(**known_only(BOTO3_FULL))["ImageId"]
    ec2.register_image(ImageLocation="mybucket/myimage.manifest.xml", Name="my-s3-image")
    with pytest.raises(ParamValidationError, match='Missing required parameter in input: "Name"'):
        ec2.register_image(ImageLocation="mybucket/myimage.manifest.xml")
    unvalidated = boto3.client("ec2", config=Config(parameter_validation=False))
    unnamed = unvalidated.register_image(ImageLocation="mybucket/myimage.manifest.xml")["ImageId"]
    with pytest.raises(ClientError) as dry:
        ec2.register_image(DryRun=True, **known_only(BOTO3_FULL))
    assert dry.value.response["Error"]["Code"] == "DryRunOperation"
    assert dry.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412

    ec2_registry.pending_describes = 1
    ec2.get_waiter("image_available").wait(
        ImageIds=[image_id], WaiterConfig={"Delay": 0, "MaxAttempts": 3}
    )
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert (image["Name"], image["State"], image["BootMode"]) == (
        "my-image-2024",
        "available",
        "uefi",
    )
    assert ec2.deregister_image(ImageId=image_id)["ResponseMetadata"]["HTTPStatusCode"] == 200

    assert ec2_registry.images[unnamed].name == "myimage"
    assert sorted(i.name for i in ec2_registry.images.values()) == ["my-s3-image", "myimage"]
    statuses = [(c.action, c.status) for c in ec2_registry.calls]
    assert statuses == [
        ("RegisterImage", 200),
        ("RegisterImage", 200),
        ("RegisterImage", 200),
        ("RegisterImage", 412),
        ("DescribeImages", 200),  # the waiter's first poll: pending
        ("DescribeImages", 200),  # its second: available
        ("DescribeImages", 200),
        ("DeregisterImage", 200),
    ]


def test_boto3_waiter_fails_on_a_failed_image(ec2, ec2_registry):
    image_id = ec2.register_image(**RETRY_REQUEST)["ImageId"]
    ec2_registry.fail_image(image_id, reason="snapshot unreadable")
    with pytest.raises(WaiterError, match="failure state"):
        ec2.get_waiter("image_available").wait(
            ImageIds=[image_id], WaiterConfig={"Delay": 0, "MaxAttempts": 2}
        )


def test_boto3_resource_flow(ec2_registry):
    ec2 = boto3.resource("ec2")
    image = ec2.register_image(
        Name="my-resource-image",
        Description="Captured by boto3 resource",
        Architecture="x86_64",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[
            {
                "DeviceName": "/dev/sda1",
                "Ebs": {"SnapshotId": SNAP, "DeleteOnTermination": True, "VolumeSize": 8},
            }
        ],
        VirtualizationType="hvm",
    )
    image.wait_until_exists(WaiterConfig={"Delay": 0, "MaxAttempts": 2})
    assert (image.state, image.name, image.architecture) == (
        "available",
        "my-resource-image",
        "x86_64",
    )
    image.create_tags(
        Tags=[{"Key": "Name", "Value": "my-resource-image"}, {"Key": "team", "Value": "qa"}]
    )
    image.reload()
    assert {t["Key"]: t["Value"] for t in image.tags} == {"Name": "my-resource-image", "team": "qa"}
    assert dict(ec2_registry.images[image.id].tags) == {"Name": "my-resource-image", "team": "qa"}
    assert image.deregister()["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert dict(ec2_registry.images) == {}
    assert [c.action for c in ec2_registry.calls] == [
        "RegisterImage",
        "DescribeImages",
        "DescribeImages",
        "CreateTags",
        "DescribeImages",
        "DeregisterImage",
    ]


@pytest.mark.parametrize(
    ("mode", "code", "attempts"),
    [
        ("legacy", "RequestLimitExceeded", 3),
        ("legacy", "InternalError", 3),
        ("standard", "RequestLimitExceeded", 3),
    ],
)
@pytest.mark.usefixtures("no_backoff")
def test_boto3_retries_through_injected_failures(ec2_registry, mode, code, attempts):
    ec2_registry.fail("RegisterImage", code, times=attempts - 1)
    client = boto3.client("ec2", config=Config(retries={"mode": mode}))
    answer = client.register_image(**RETRY_REQUEST)
    assert answer["ResponseMetadata"]["RetryAttempts"] == attempts - 1
    calls = ec2_registry.calls.of("RegisterImage")
    expected_status = 503 if code == "RequestLimitExceeded" else 500
    assert [(c.status, c.error_code) for c in calls] == [(expected_status, code)] * (
        attempts - 1
    ) + [(200, None)]
    # Every attempt sent the same request.
    assert len({tuple(c.params.items()) for c in calls}) == 1
    ec2_registry.assert_registered(name="retry-image")


@pytest.mark.parametrize(("mode", "attempts"), [("legacy", 5), ("standard", 3)])
@pytest.mark.usefixtures("no_backoff")
def test_boto3_gives_up_after_its_retry_budget(ec2_registry, mode, attempts):
    fault = ec2_registry.throttle(times=None)
    client = boto3.client("ec2", config=Config(retries={"mode": mode}))
    with pytest.raises(ClientError, match=rf"reached max retries: {attempts - 1}") as raised:
        client.register_image(**RETRY_REQUEST)
    assert raised.value.response["Error"] == {
        "Code": "RequestLimitExceeded",
        "Message": "Request limit exceeded.",
    }
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert fault.hits == attempts
    assert len(ec2_registry.calls) == attempts
    assert dict(ec2_registry.images) == {}


def test_boto3_does_not_retry_a_duplicate_name(ec2, ec2_registry):
    taken = ec2_registry.duplicate_name("retry-image")
    with pytest.raises(ClientError) as raised:
        ec2.register_image(**RETRY_REQUEST)
    response = raised.value.response
    assert response["Error"] == {
        "Code": "InvalidAMIName.Duplicate",
        "Message": f"AMI name retry-image is already in use by AMI {taken.image_id}",
    }
    assert (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["ResponseMetadata"]["RetryAttempts"],
    ) == (400, 0)
    assert response["ResponseMetadata"]["RequestId"] == ec2_registry.calls[-1].request_id
    assert str(raised.value) == (
        "An error occurred (InvalidAMIName.Duplicate) when calling the RegisterImage operation: "
        f"AMI name retry-image is already in use by AMI {taken.image_id}"
    )
    assert len(ec2_registry.calls) == 1


@pytest.mark.usefixtures("no_backoff")
def test_boto3_retry_after_a_lost_response_meets_its_own_registration(ec2_registry):
    ec2_registry.disconnect("RegisterImage", after_commit=True)
    client = boto3.client("ec2")
    with pytest.raises(ClientError) as raised:
        client.register_image(**RETRY_REQUEST)
    [image] = ec2_registry.images.values()
    assert raised.value.response["Error"]["Message"] == (
        f"AMI name retry-image is already in use by AMI {image.image_id}"
    )


# --- AWS CLI v1 ---------------------------------------------------------------------------


def aws(*commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Run each ``aws ec2 ...`` command (AWS CLI v1 from this interpreter) against the
    autowired fake, all at once: the CLI's start-up, not the fake, is what takes time."""
    env = {
        **os.environ,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PAGER": "",
    }
    running = [
        (
            command,
            subprocess.Popen(
                [sys.executable, "-m", "awscli", "ec2", *command, "--output", "json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for command in commands
    ]
    done = []
    for command, process in running:
        stdout, stderr = process.communicate(timeout=60)
        done.append(subprocess.CompletedProcess(command, process.returncode, stdout, stderr))
    return done


def ok(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, (done.args, done.stderr)
    return json.loads(done.stdout) if done.stdout.strip() else None


TAGS = "ResourceType=image,Tags=[{Key=Name,Value=my-cli-image},{Key=env,Value=test}]"


@pytest.mark.clients
def test_aws_cli_flow(ec2_registry, tmp_path):
    bdm = tmp_path / "bdm.json"
    bdm.write_text((CLIENTS / "awscli_v1/bdm.json").read_text(encoding="utf-8"), encoding="utf-8")
    shorthand = f"DeviceName=/dev/sda1,Ebs={{SnapshotId={SNAP},DeleteOnTermination=true}}"
    # fmt: off
    registered = aws(
        ["register-image", "--name", "my-cli-image", "--description", "Captured by aws cli v1",
         "--architecture", "x86_64", "--root-device-name", "/dev/sda1",
         "--block-device-mappings", f"file://{bdm}", "--virtualization-type", "hvm",
         "--ena-support", "--boot-mode", "uefi", "--tag-specifications", TAGS],
        ["register-image", "--name", "my-cli-image-2", "--root-device-name", "/dev/sda1",
         "--block-device-mappings", shorthand, "--no-ena-support"],
        ["register-image", "--image-location", "mybucket/myimage.manifest.xml",
         "--name", "my-s3-image"],
    )
    first, second, s3 = (ok(done)["ImageId"] for done in registered)
    dry, duplicate, by_id, by_name, waited, tagged, deregistered = aws(
        ["register-image", "--dry-run", "--name", "my-cli-image",
         "--root-device-name", "/dev/sda1"],
        ["register-image", "--image-location", "b/x.manifest.xml", "--name", "my-s3-image"],
        ["describe-images", "--image-ids", first],
        ["describe-images", "--owners", "self", "--filters", "Name=name,Values=my-cli-image"],
        ["wait", "image-available", "--image-ids", first],
        ["create-tags", "--resources", s3, "--tags", "Key=team,Value=qa"],
        ["deregister-image", "--image-id", second],
    )
    # fmt: on
    assert dry.returncode == 255
    assert "An error occurred (DryRunOperation)" in dry.stderr
    assert duplicate.returncode == 255
    assert f"AMI name my-s3-image is already in use by AMI {s3}" in duplicate.stderr
    [described] = ok(by_id)["Images"]
    assert described["BlockDeviceMappings"][0]["Ebs"]["VolumeType"] == "gp3"
    assert described["BlockDeviceMappings"][2] == {"DeviceName": "/dev/sdc", "NoDevice": ""}
    assert [i["ImageId"] for i in ok(by_name)["Images"]] == [first]
    for done in (waited, tagged, deregistered):
        ok(done)

    assert dict(ec2_registry.images[first].tags) == {"Name": "my-cli-image", "env": "test"}
    assert ec2_registry.images[first].ena_support is True
    assert dict(ec2_registry.images[s3].tags) == {"team": "qa"}
    assert second not in ec2_registry.images
    # The CLI's requests: SigV4 with the fixture's test key, Version 2016-11-15, POST.
    assert {(c.auth, c.access_key, c.version, c.method) for c in ec2_registry.calls} == {
        ("sigv4", ec2_registry.access_key_id, "2016-11-15", "POST")
    }
    [no_ena] = [c for c in ec2_registry.calls if c.params.get("Name") == "my-cli-image-2"]
    assert no_ena.params["EnaSupport"] == "false"
    assert len(ec2_registry.calls) == 10
