"""One answer per case for a request that names an image, whatever the action (access.py):
never registered -> NotFound, deregistered -> Unavailable, another account's private image ->
NotFound to see or use it and AuthFailure to change it."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import SNAP, register

OTHER_KEY, OTHER_SECRET, OTHER_ACCOUNT = "AKIAOTHERACCOUNT0002", "other-secret", "210987654321"
NEVER = "ami-0123456789abcdef0"

#: Each action that takes an image id, called with ``image_id`` through a boto3 client.
BY_ACTION = {
    "DescribeImageAttribute": lambda c, i: c.describe_image_attribute(
        ImageId=i, Attribute="description"
    ),
    "CreateTags": lambda c, i: c.create_tags(Resources=[i], Tags=[{"Key": "k", "Value": "v"}]),
    "DeleteTags": lambda c, i: c.delete_tags(Resources=[i], Tags=[{"Key": "k"}]),
    "CopyImage": lambda c, i: c.copy_image(
        Name="copy-1", SourceImageId=i, SourceRegion="us-east-1"
    ),
    "DeregisterImage": lambda c, i: c.deregister_image(ImageId=i),
}
#: Whether the action changes the image it names (else it sees or uses it).
CHANGES = {"DescribeImageAttribute": True, "DeregisterImage": True}


@pytest.fixture
def other(ec2_registry):
    ec2_registry.add_credentials(OTHER_KEY, OTHER_SECRET, account_id=OTHER_ACCOUNT)
    return ec2_registry.client(aws_access_key_id=OTHER_KEY, aws_secret_access_key=OTHER_SECRET)


def error_of(call, client, image_id):
    with pytest.raises(ClientError) as raised:
        call(client, image_id)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


@pytest.mark.parametrize("action", sorted(BY_ACTION))
def test_a_never_registered_image_is_not_found(ec2, action):
    assert error_of(BY_ACTION[action], ec2, NEVER) == (
        "InvalidAMIID.NotFound",
        f"The image id '[{NEVER}]' does not exist",
        400,
    )


@pytest.mark.parametrize("action", sorted(BY_ACTION))
def test_a_deregistered_image_is_unavailable(ec2, ec2_registry, action):
    image_id = register(ec2, "gone-1")
    ec2.deregister_image(ImageId=image_id)
    code, message, status = error_of(BY_ACTION[action], ec2, image_id)
    assert (code, status) == ("InvalidAMIID.Unavailable", 400)
    assert message.startswith("The specified AMI has been deregistered and is no longer available")
    assert ec2_registry.calls[-1].error_code == "InvalidAMIID.Unavailable"


@pytest.mark.parametrize("action", sorted(BY_ACTION))
def test_another_accounts_private_image(ec2, other, ec2_registry, action):
    theirs = register(other, "theirs-1")
    before = ec2_registry.images[theirs]
    code, message, status = error_of(BY_ACTION[action], ec2, theirs)
    if CHANGES.get(action):
        assert (code, message) == ("AuthFailure", f"Not authorized for image:{theirs}")
    else:
        assert (code, message) == (
            "InvalidAMIID.NotFound",
            f"The image id '[{theirs}]' does not exist",
        )
    assert status == 400
    assert ec2_registry.images[theirs] == before  # nothing changed
    assert [i.name for i in ec2_registry.images.values()] == ["theirs-1"]


def test_a_shared_image_can_be_seen_and_copied_but_not_changed(ec2, other, ec2_registry):
    theirs = register(other, "theirs-1")
    shared = ec2_registry.images[theirs]
    ec2_registry.add_image(
        "shared-1",
        owner_id=OTHER_ACCOUNT,
        launch_permissions=(ec2_registry.account_id,),
        block_device_mappings=shared.block_device_mappings,
    )
    shared_id = next(i for i, image in ec2_registry.images.items() if image.name == "shared-1")
    # Copying needs the storage too: the snapshot OTHER's registration left is OTHER's.
    other.modify_snapshot_attribute(
        SnapshotId=SNAP,
        Attribute="createVolumePermission",
        OperationType="add",
        UserIds=[ec2_registry.account_id],
    )
    copy_id = ec2.copy_image(Name="mine-1", SourceImageId=shared_id, SourceRegion="us-east-1")[
        "ImageId"
    ]
    assert ec2_registry.images[copy_id].owner_id == ec2_registry.account_id
    ec2.create_tags(Resources=[shared_id], Tags=[{"Key": "seen", "Value": "yes"}])
    assert error_of(BY_ACTION["DeregisterImage"], ec2, shared_id)[0] == "AuthFailure"
    assert shared_id in ec2_registry.images
    # The private one stays invisible to the caller.
    assert error_of(BY_ACTION["CopyImage"], ec2, theirs)[0] == "InvalidAMIID.NotFound"
    assert SNAP in {s for image in ec2_registry.images.values() for s in image.snapshot_ids}


def test_a_request_naming_several_resources_answers_image_errors_first(ec2, other, ec2_registry):
    theirs = register(other, "theirs-1")
    gone = register(ec2, "gone-1")
    ec2.deregister_image(ImageId=gone)
    tag = [{"Key": "k", "Value": "v"}]
    # Every image id that does not exist for the caller, in one NotFound.
    assert error_of(lambda c, i: c.create_tags(Resources=[NEVER, theirs], Tags=tag), ec2, None) == (
        "InvalidAMIID.NotFound",
        f"The image id '[{NEVER}, {theirs}]' does not exist",
        400,
    )
    # Image errors come before snapshot errors, whatever the order of the ids.
    missing_snapshot = "snap-0123456789abcdef9"
    assert error_of(
        lambda c, i: c.create_tags(Resources=[missing_snapshot, gone], Tags=tag), ec2, None
    )[0] == ("InvalidAMIID.Unavailable")
    assert error_of(lambda c, i: c.create_tags(Resources=[missing_snapshot], Tags=tag), ec2, None)[
        :2
    ] == ("InvalidSnapshot.NotFound", f"The snapshot '{missing_snapshot}' does not exist.")
