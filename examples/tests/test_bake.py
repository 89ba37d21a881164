"""Tests of the bake module against pytest-ec2image's ``ec2_registry`` fixture.

``bake.publish`` builds its own ``boto3.client("ec2")``: the fixture reaches it through the
environment (``AWS_ENDPOINT_URL_EC2`` and test credentials), so nothing is patched.
"""

from __future__ import annotations

import bake
import pytest

from pytest_ec2image import Ec2Registry

SNAPSHOT = "snap-0123456789abcdef0"
NAME = "web-2026-11-26"


def test_publish_registers_waits_and_tags(ec2_registry: Ec2Registry) -> None:
    image_id = bake.publish(
        NAME, snapshot_id=SNAPSHOT, root_size=16, tags={"team": "web"}, poll_delay=0
    )

    image = ec2_registry.assert_registered(
        name=NAME,
        architecture="x86_64",
        root_device_name="/dev/xvda",
        virtualization_type="hvm",
        ena_support=True,
        state="available",
    )
    assert image.image_id == image_id
    root, ephemeral = image.block_device_mappings
    assert root.device_name == "/dev/xvda"
    assert root.ebs is not None
    assert root.ebs.snapshot_id == SNAPSHOT
    assert (root.ebs.volume_type, root.ebs.volume_size) == ("gp3", 16)
    assert root.ebs.delete_on_termination is True
    assert (ephemeral.device_name, ephemeral.virtual_name) == ("/dev/sdb", "ephemeral0")
    assert dict(image.tags) == {"Name": NAME, "built-by": "bake", "team": "web"}


@pytest.mark.ec2_registry(pending_describes=2)
def test_publish_waits_until_the_image_is_available(ec2_registry: Ec2Registry) -> None:
    image_id = bake.publish(NAME, snapshot_id=SNAPSHOT, poll_delay=0)

    # Two DescribeImages views report "pending", the third "available": the waiter polled
    # three times, and tagging came only after that.
    describes = ec2_registry.assert_called("DescribeImages", times=3)
    assert all(call.params["ImageId.1"] == image_id for call in describes)
    actions = [call.action for call in ec2_registry.calls]
    assert actions == ["RegisterImage", *["DescribeImages"] * 3, "CreateTags"]


def test_publish_of_a_taken_name_raises_image_exists(ec2_registry: Ec2Registry) -> None:
    existing = ec2_registry.duplicate_name(NAME)

    with pytest.raises(bake.ImageExists) as raised:
        bake.publish(NAME, snapshot_id=SNAPSHOT, poll_delay=0)

    assert raised.value.image_id == existing.image_id
    assert existing.image_id in str(raised.value)
    # Only the image that was already there; nothing waited on or tagged.
    assert list(ec2_registry.images) == [existing.image_id]
    [register] = ec2_registry.assert_called("RegisterImage", times=1)
    assert register.error_code == "InvalidAMIName.Duplicate"
    ec2_registry.assert_called("CreateTags", times=0)
