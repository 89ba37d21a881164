"""The botocore waiters image_available and image_exists, and the boto3 resource flow, against
pending, available, failed and absent images. Waiters poll with no delay here: the 15 s default
belongs to AWS, never to a test."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import WaiterError

from tests.conftest import SNAP, register

FAST = {"Delay": 0, "MaxAttempts": 5}


def polls(registry):
    return len(registry.calls.of("DescribeImages"))


# --- image_available -------------------------------------------------------------------------


def test_available_at_once(ec2, ec2_registry):
    image_id = register(ec2)
    ec2.get_waiter("image_available").wait(ImageIds=[image_id], WaiterConfig=FAST)
    assert polls(ec2_registry) == 1


@pytest.mark.ec2_registry(pending_describes=3)
def test_available_after_pending_polls(ec2, ec2_registry):
    image_id = register(ec2)
    ec2.get_waiter("image_available").wait(ImageIds=[image_id], WaiterConfig=FAST)
    assert polls(ec2_registry) == 4
    # The stored image was available all along; pending is how DescribeImages shows it.
    assert ec2_registry.images[image_id].state == "available"


def test_pending_describes_can_be_set_on_the_registry(ec2, ec2_registry):
    ec2_registry.pending_describes = 2
    image_id = register(ec2)
    states = [ec2.describe_images(ImageIds=[image_id])["Images"][0]["State"] for _ in range(3)]
    assert states == ["pending", "pending", "available"]


@pytest.mark.ec2_registry(pending_describes=10)
def test_still_pending_after_max_attempts(ec2, ec2_registry):
    image_id = register(ec2)
    with pytest.raises(WaiterError) as raised:
        ec2.get_waiter("image_available").wait(
            ImageIds=[image_id], WaiterConfig={"Delay": 0, "MaxAttempts": 3}
        )
    assert "Max attempts exceeded" in str(raised.value)
    assert raised.value.last_response["Images"][0]["State"] == "pending"
    assert polls(ec2_registry) == 3


def test_failed_image_stops_the_waiter(ec2, ec2_registry):
    image_id = register(ec2)
    ec2_registry.fail_image(image_id, "the snapshot is corrupt")
    with pytest.raises(WaiterError) as raised:
        ec2.get_waiter("image_available").wait(ImageIds=[image_id], WaiterConfig=FAST)
    assert "terminal failure state" in str(raised.value)
    [image] = raised.value.last_response["Images"]
    assert image["State"] == "failed"
    assert image["StateReason"]["Message"] == "the snapshot is corrupt"
    assert polls(ec2_registry) == 1


@pytest.mark.ec2_registry(pending_describes=2)
def test_failure_while_pending(ec2, ec2_registry):
    image_id = register(ec2)
    waiter = ec2.get_waiter("image_available")
    with pytest.raises(WaiterError):
        waiter.wait(ImageIds=[image_id], WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    ec2_registry.fail_image(image_id)
    with pytest.raises(WaiterError) as raised:
        waiter.wait(ImageIds=[image_id], WaiterConfig=FAST)
    assert "terminal failure state" in str(raised.value)


def test_image_available_has_no_retry_on_not_found(ec2, ec2_registry):
    # As against AWS: ImageAvailable has no error acceptor, so NotFound ends it at once.
    with pytest.raises(WaiterError) as raised:
        ec2.get_waiter("image_available").wait(
            ImageIds=["ami-0123456789abcdef0"], WaiterConfig=FAST
        )
    assert "InvalidAMIID.NotFound" in str(raised.value)
    assert polls(ec2_registry) == 1


def test_empty_result_keeps_polling(ec2, ec2_registry):
    with pytest.raises(WaiterError) as raised:
        ec2.get_waiter("image_available").wait(
            Filters=[{"Name": "name", "Values": ["not-yet"]}],
            WaiterConfig={"Delay": 0, "MaxAttempts": 3},
        )
    assert "Max attempts exceeded" in str(raised.value)
    assert polls(ec2_registry) == 3


# --- image_exists ----------------------------------------------------------------------------


def test_image_exists_at_once(ec2, ec2_registry):
    image_id = register(ec2)
    ec2.get_waiter("image_exists").wait(ImageIds=[image_id], WaiterConfig=FAST)
    assert polls(ec2_registry) == 1


def test_image_exists_retries_not_found(ec2, ec2_registry):
    image_id = register(ec2)
    # The window in which AWS does not know a fresh id yet, made explicit.
    ec2_registry.fail("DescribeImages", "InvalidAMIID.NotFound", times=2)
    ec2.get_waiter("image_exists").wait(ImageIds=[image_id], WaiterConfig=FAST)
    assert polls(ec2_registry) == 3


def test_image_exists_gives_up_on_an_unknown_id(ec2, ec2_registry):
    with pytest.raises(WaiterError) as raised:
        ec2.get_waiter("image_exists").wait(
            ImageIds=["ami-0123456789abcdef0"], WaiterConfig={"Delay": 0, "MaxAttempts": 4}
        )
    assert "Max attempts exceeded" in str(raised.value)
    assert polls(ec2_registry) == 4


@pytest.mark.ec2_registry(pending_describes=5)
def test_image_exists_accepts_a_pending_image(ec2, ec2_registry):
    image_id = register(ec2)
    ec2.get_waiter("image_exists").wait(ImageIds=[image_id], WaiterConfig=FAST)
    assert polls(ec2_registry) == 1


# --- the boto3 resource API ------------------------------------------------------------------


@pytest.mark.ec2_registry(pending_describes=2)
def test_resource_flow(ec2_registry):
    ec2 = boto3.resource("ec2")
    image = ec2.register_image(
        Name="web-1",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[
            {
                "DeviceName": "/dev/sda1",
                "Ebs": {"SnapshotId": SNAP, "VolumeSize": 8, "DeleteOnTermination": True},
            }
        ],
    )
    image.wait_until_exists(WaiterConfig=FAST)
    # The waiter saw the first pending view; reading state loads the second.
    assert image.state == "pending"
    image.reload()
    assert image.state == "available"
    assert image.name == "web-1"
    assert image.block_device_mappings[0]["Ebs"]["SnapshotId"] == SNAP
    tags = image.create_tags(Tags=[{"Key": "Name", "Value": "web"}, {"Key": "team", "Value": "qa"}])
    assert [(t.key, t.value) for t in tags] == [("Name", "web"), ("team", "qa")]
    image.reload()
    assert {t["Key"]: t["Value"] for t in image.tags} == {"Name": "web", "team": "qa"}
    assert image.deregister()["Return"] is True
    ec2_registry.assert_not_registered("web-1")
    assert [c.action for c in ec2_registry.calls] == [
        "RegisterImage",
        "DescribeImages",
        "DescribeImages",
        "DescribeImages",
        "CreateTags",
        "DescribeImages",
        "DeregisterImage",
    ]
