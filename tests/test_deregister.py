"""DeregisterImage: the image goes, its name is free, DeleteAssociatedSnapshots reports."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import SNAP, SNAP2

OTHER = "210987654321"


def register(ec2, name, *snapshots):
    snapshots = snapshots or (SNAP,)
    devices = ["/dev/sda1", "/dev/sdb", "/dev/sdc"]
    return ec2.register_image(
        Name=name,
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[
            {"DeviceName": device, "Ebs": {"SnapshotId": snapshot}}
            for device, snapshot in zip(devices, snapshots, strict=False)
        ],
    )["ImageId"]


def error_of(raised):
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_deregister_removes_the_image(ec2, ec2_registry):
    image_id = register(ec2, "web-1")
    answer = ec2.deregister_image(ImageId=image_id)
    assert answer["Return"] is True
    assert "DeleteSnapshotResults" not in answer
    assert image_id not in ec2_registry.images
    ec2_registry.assert_not_registered("web-1")
    assert ec2.describe_images(ImageIds=[image_id])["Images"] == []
    # Without DeleteAssociatedSnapshots the snapshot stays.
    assert SNAP in ec2_registry.snapshots


def test_second_deregister_is_unavailable(ec2):
    image_id = register(ec2, "web-1")
    ec2.deregister_image(ImageId=image_id)
    with pytest.raises(ClientError) as raised:
        ec2.deregister_image(ImageId=image_id)
    assert error_of(raised) == (
        "InvalidAMIID.Unavailable",
        "The specified AMI has been deregistered and is no longer available, or is not in a "
        "state from which you can launch an instance or modify attributes.",
    )


def test_the_name_is_free_again(ec2, ec2_registry):
    first = register(ec2, "web-1")
    with pytest.raises(ClientError) as raised:
        register(ec2, "web-1")
    assert error_of(raised)[0] == "InvalidAMIName.Duplicate"
    ec2.deregister_image(ImageId=first)
    second = register(ec2, "web-1")
    assert second != first
    assert ec2_registry.assert_registered(name="web-1").image_id == second
    [image] = ec2.describe_images(Filters=[{"Name": "name", "Values": ["web-1"]}])["Images"]
    assert image["ImageId"] == second


def test_unknown_and_malformed_ids(ec2, raw):
    with pytest.raises(ClientError) as raised:
        ec2.deregister_image(ImageId="ami-0123456789abcdef0")
    assert error_of(raised) == (
        "InvalidAMIID.NotFound",
        "The image id '[ami-0123456789abcdef0]' does not exist",
    )
    answer = raw({"Action": "DeregisterImage", "Version": "2016-11-15", "ImageId": "ami-xyz"})
    assert (answer.status, answer.code) == (400, "InvalidAMIID.Malformed")
    answer = raw({"Action": "DeregisterImage", "Version": "2016-11-15"})
    assert (answer.status, answer.code) == (400, "MissingParameter")
    assert answer.message == "The request must contain the parameter imageId"


def test_another_accounts_image_is_not_yours_to_deregister(ec2, ec2_registry):
    image = ec2_registry.add_image("theirs", owner_id=OTHER, public=True)
    with pytest.raises(ClientError) as raised:
        ec2.deregister_image(ImageId=image.image_id)
    assert error_of(raised) == ("AuthFailure", f"Not authorized for image:{image.image_id}")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert image.image_id in ec2_registry.images


def test_dry_run_changes_nothing(ec2, ec2_registry):
    image_id = register(ec2, "web-1")
    with pytest.raises(ClientError) as raised:
        ec2.deregister_image(ImageId=image_id, DryRun=True)
    assert error_of(raised)[0] == "DryRunOperation"
    assert image_id in ec2_registry.images


def test_delete_associated_snapshots(ec2, ec2_registry):
    ec2_registry.add_snapshot(SNAP2, size=20)
    image_id = register(ec2, "web-1", SNAP, SNAP2)
    answer = ec2.deregister_image(ImageId=image_id, DeleteAssociatedSnapshots=True)
    assert answer["DeleteSnapshotResults"] == [
        {"SnapshotId": SNAP, "ReturnCode": "success"},
        {"SnapshotId": SNAP2, "ReturnCode": "success"},
    ]
    assert SNAP not in ec2_registry.snapshots
    assert SNAP2 not in ec2_registry.snapshots
    # Deleted means gone, even in lenient mode.
    with pytest.raises(ClientError) as raised:
        ec2.describe_snapshots(SnapshotIds=[SNAP])
    assert error_of(raised)[0] == "InvalidSnapshot.NotFound"
    with pytest.raises(ClientError) as raised:
        register(ec2, "web-2", SNAP)
    assert error_of(raised)[0] == "InvalidSnapshot.NotFound"


def test_snapshots_another_image_uses_are_skipped(ec2, ec2_registry):
    first = register(ec2, "web-1", SNAP, SNAP2)
    register(ec2, "web-2", SNAP2)
    answer = ec2.deregister_image(ImageId=first, DeleteAssociatedSnapshots=True)
    assert answer["DeleteSnapshotResults"] == [
        {"SnapshotId": SNAP, "ReturnCode": "success"},
        {"SnapshotId": SNAP2, "ReturnCode": "skipped"},
    ]
    assert set(ec2_registry.snapshots) == {SNAP2}


def test_snapshot_the_registry_never_knew_is_a_client_error(ec2, ec2_registry):
    image = ec2_registry.add_image(
        "preloaded",
        root_device_name="/dev/sda1",
        block_device_mappings=[{"device_name": "/dev/sda1", "ebs": {"snapshot_id": SNAP}}],
    )
    answer = ec2.deregister_image(ImageId=image.image_id, DeleteAssociatedSnapshots=True)
    assert answer["DeleteSnapshotResults"] == [{"SnapshotId": SNAP, "ReturnCode": "client-error"}]


def test_delete_flag_false_deletes_nothing(raw, ec2, ec2_registry):
    image_id = register(ec2, "web-1")
    answer = raw(
        {
            "Action": "DeregisterImage",
            "Version": "2016-11-15",
            "ImageId": image_id,
            "DeleteAssociatedSnapshots": "false",
        }
    )
    assert answer.status == 200
    assert answer.find("return") == "true"
    assert answer.find("deleteSnapshotResultSet") is None
    assert SNAP in ec2_registry.snapshots


@pytest.mark.ec2_registry(pending_describes=3)
def test_a_pending_image_can_be_deregistered(ec2, ec2_registry):
    image_id = register(ec2, "web-1")
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["State"] == "pending"
    ec2.deregister_image(ImageId=image_id)
    assert ec2_registry.images == {}


def test_seed_example_style_get_without_version(raw, ec2_registry):
    image = ec2_registry.add_image("old-one")
    answer = raw(method="GET", query=f"Action=DeregisterImage&ImageId={image.image_id}")
    assert answer.status == 200
    assert "2009-10-31" in answer.body.decode()
    assert ec2_registry.images == {}


def test_deregister_in_another_region_leaves_this_one(ec2_registry):
    here = ec2_registry.add_image("web-1")
    there = ec2_registry.in_region("eu-west-1").add_image("web-1")
    ec2_registry.client(region_name="eu-west-1").deregister_image(ImageId=there.image_id)
    assert list(ec2_registry.images) == [here.image_id]
    assert ec2_registry.in_region("eu-west-1").images == {}
