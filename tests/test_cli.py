"""The AWS CLI, run as a user runs it, against the fixture's endpoint: the environment the
fixture sets is all it needs. This file drives the image lifecycle (register, wait, describe
with owners and filters, deregister) and the CLI's error output."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from tests.conftest import SNAP

# Run by ``tox -e clients`` (or ``pytest -m clients``), like every test of a client program.
pytestmark = pytest.mark.clients


@pytest.fixture
def aws(ec2_registry, tmp_path, monkeypatch):
    """``aws(*args)`` runs ``aws ec2 ...`` in a subprocess; returns (exit code, JSON, stderr)."""
    # A missing CLI fails the test: a skip would hide that the clients env is broken.
    assert importlib.util.find_spec("awscli") is not None, "needs awscli: tox -e clients"
    # Keep the user's own CLI configuration out of the run.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))

    def run(*args):
        done = subprocess.run(
            [sys.executable, "-m", "awscli", "ec2", *args, "--output", "json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        output = json.loads(done.stdout) if done.stdout.strip() else None
        return done.returncode, output, done.stderr

    return run


def test_register_describe_deregister(aws, ec2_registry):
    code, registered, stderr = aws(
        "register-image",
        "--name", "cli-image-1",
        "--architecture", "x86_64",
        "--root-device-name", "/dev/sda1",
        "--block-device-mappings", f"DeviceName=/dev/sda1,Ebs={{SnapshotId={SNAP}}}",
        "--tag-specifications", "ResourceType=image,Tags=[{Key=team,Value=cli}]",
    )  # fmt: skip
    assert code == 0, stderr
    image_id = registered["ImageId"]
    ec2_registry.assert_registered(name="cli-image-1", architecture="x86_64", image_id=image_id)

    code, waited, stderr = aws("wait", "image-available", "--image-ids", image_id)
    assert code == 0, stderr

    code, described, stderr = aws(
        "describe-images", "--owners", "self", "--filters", "Name=name,Values=cli-image-*"
    )
    assert code == 0, stderr
    [image] = described["Images"]
    assert (image["ImageId"], image["State"]) == (image_id, "available")
    assert image["Tags"] == [{"Key": "team", "Value": "cli"}]
    [describe_call] = [c for c in ec2_registry.calls.of("DescribeImages") if "Owner.1" in c.params]
    assert describe_call.params["Filter.1.Value.1"] == "cli-image-*"

    code, output, stderr = aws("deregister-image", "--image-id", image_id)
    assert code == 0, stderr
    assert output == {"Return": True}
    code, described, stderr = aws("describe-images", "--owners", "self")
    assert (code, described["Images"]) == (0, [])


def test_cli_reports_aws_errors(aws, ec2_registry):
    ec2_registry.add_image("cli-image-1")
    code, _, stderr = aws(
        "register-image",
        "--name", "cli-image-1",
        "--root-device-name", "/dev/sda1",
        "--block-device-mappings", f"DeviceName=/dev/sda1,Ebs={{SnapshotId={SNAP}}}",
    )  # fmt: skip
    assert code == 255
    assert "(InvalidAMIName.Duplicate)" in stderr
    assert "AMI name cli-image-1 is already in use by AMI ami-" in stderr
    code, _, stderr = aws("describe-images", "--filters", "Name=colour,Values=blue")
    assert code == 255
    assert "The filter 'colour' is invalid" in stderr


def test_the_pipeline_end_to_end(aws, ec2_registry):
    """Share, deprecate, protect, then clean up: the calls a release script makes after
    register-image, and the refusals it meets on the way out."""
    ec2_registry.clock = datetime(2026, 11, 26, 12, 0, 0, tzinfo=timezone.utc)
    code, registered, stderr = aws(
        "register-image",
        "--name", "cli-release-1",
        "--root-device-name", "/dev/sda1",
        "--block-device-mappings", f"DeviceName=/dev/sda1,Ebs={{SnapshotId={SNAP}}}",
    )  # fmt: skip
    assert code == 0, stderr
    image_id = registered["ImageId"]

    code, _, stderr = aws(
        "modify-image-attribute", "--image-id", image_id,
        "--launch-permission", "Add=[{UserId=210987654321},{Group=all}]",
    )  # fmt: skip
    assert code == 0, stderr
    code, attribute, stderr = aws(
        "describe-image-attribute", "--image-id", image_id, "--attribute", "launchPermission"
    )
    assert code == 0, stderr
    assert sorted(map(str, attribute["LaunchPermissions"])) == sorted(
        map(str, [{"UserId": "210987654321"}, {"Group": "all"}])
    )

    code, output, stderr = aws(
        "enable-image-deprecation", "--image-id", image_id,
        "--deprecate-at", "2027-01-15T13:17:42.000Z",
    )  # fmt: skip
    assert (code, output) == (0, {"Return": True}), stderr
    code, output, stderr = aws("enable-image-deregistration-protection", "--image-id", image_id)
    assert code == 0, stderr
    assert output == {"Return": "enabled-without-cooldown"}

    code, described, stderr = aws("describe-images", "--image-ids", image_id)
    assert code == 0, stderr
    [image] = described["Images"]
    assert image["Public"] is True
    assert image["DeprecationTime"] == "2027-01-15T13:18:00.000Z"
    assert image["DeregistrationProtection"] == "enabled-without-cooldown"

    code, _, stderr = aws("deregister-image", "--image-id", image_id)
    assert code == 255
    assert "(OperationNotPermitted)" in stderr
    code, _, stderr = aws("delete-snapshot", "--snapshot-id", SNAP)
    assert code == 255
    assert "(InvalidSnapshot.InUse)" in stderr
    assert f"The snapshot {SNAP} is currently in use by {image_id}" in stderr

    code, output, stderr = aws("disable-image-deregistration-protection", "--image-id", image_id)
    assert (code, output) == (0, {"Return": "disabled"}), stderr
    code, _, stderr = aws("deregister-image", "--image-id", image_id)
    assert code == 0, stderr
    code, _, stderr = aws("delete-snapshot", "--snapshot-id", SNAP)
    assert code == 0, stderr
    assert SNAP not in ec2_registry.snapshots
    ec2_registry.assert_not_registered("cli-release-1")
