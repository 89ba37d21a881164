"""DescribeSnapshots as each account sees it (reference 11): by default the caller's own
snapshots, the ones shared with it and the public ones; ``RestorableBy.N`` and ``Owner.N``
narrow that down, and never widen it."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

OTHER = "210987654321"
THIRD = "333333333333"
OWN = "snap-0aaaaaaaaaaaaaaa1"
SHARED = "snap-0aaaaaaaaaaaaaaa2"
PUBLIC = "snap-0aaaaaaaaaaaaaaa3"
BOTH = "snap-0aaaaaaaaaaaaaaa4"


@pytest.fixture
def snapshots(ec2_registry):
    """Four snapshots of the registry's account: private, shared with OTHER, public, and
    shared with THIRD."""
    ec2_registry.add_snapshot(OWN)
    ec2_registry.add_snapshot(SHARED, create_volume_permissions=[OTHER])
    ec2_registry.add_snapshot(PUBLIC, create_volume_permissions=["all"])
    ec2_registry.add_snapshot(BOTH, create_volume_permissions=[THIRD])


def ids(answer):
    return [s["SnapshotId"] for s in answer["Snapshots"]]


def test_the_owner_sees_all_of_its_snapshots(snapshots, ec2):
    assert ids(ec2.describe_snapshots()) == [OWN, SHARED, PUBLIC, BOTH]


def test_another_account_sees_only_what_is_shared_with_it_or_public(snapshots, ec2_registry):
    other = ec2_registry.client(account_id=OTHER)
    assert ids(other.describe_snapshots()) == [SHARED, PUBLIC]
    third = ec2_registry.client(account_id=THIRD)
    assert ids(third.describe_snapshots()) == [PUBLIC, BOTH]


def test_by_id_a_snapshot_the_caller_may_not_see_is_left_out(snapshots, ec2_registry):
    other = ec2_registry.client(account_id=OTHER)
    answer = other.describe_snapshots(SnapshotIds=[OWN, SHARED])
    assert ids(answer) == [SHARED]
    # Left out, not an error, and the list element is there (botocore then gives []).
    assert other.describe_snapshots(SnapshotIds=[OWN])["Snapshots"] == []


def test_restorable_by_self_is_owned_or_explicitly_shared_not_public(snapshots, ec2_registry, ec2):
    other = ec2_registry.client(account_id=OTHER)
    assert ids(other.describe_snapshots(RestorableByUserIds=["self"])) == [SHARED]
    assert ids(other.describe_snapshots(RestorableByUserIds=[OTHER])) == [SHARED]
    assert ids(ec2.describe_snapshots(RestorableByUserIds=["self"])) == [OWN, SHARED, PUBLIC, BOTH]


def test_restorable_by_all_is_the_public_ones(snapshots, ec2_registry, ec2):
    assert ids(ec2.describe_snapshots(RestorableByUserIds=["all"])) == [PUBLIC]
    other = ec2_registry.client(account_id=OTHER)
    assert ids(other.describe_snapshots(RestorableByUserIds=["all"])) == [PUBLIC]


def test_restorable_by_an_account_is_the_callers_snapshots_shared_with_it(
    snapshots, ec2_registry, ec2
):
    assert ids(ec2.describe_snapshots(RestorableByUserIds=[OTHER])) == [SHARED]
    assert ids(ec2.describe_snapshots(RestorableByUserIds=[OTHER, THIRD])) == [SHARED, BOTH]
    # THIRD cannot read who else the owner shares with: nothing of another owner's matches.
    third = ec2_registry.client(account_id=THIRD)
    assert ids(third.describe_snapshots(RestorableByUserIds=[OTHER])) == []


def test_owner_narrows_to_the_visible_snapshots_of_that_owner(snapshots, ec2_registry):
    other = ec2_registry.client(account_id=OTHER)
    owner = ec2_registry.account_id
    assert ids(other.describe_snapshots(OwnerIds=[owner])) == [SHARED, PUBLIC]
    assert ids(other.describe_snapshots(OwnerIds=["self"])) == []
    assert ids(other.describe_snapshots(OwnerIds=[owner], RestorableByUserIds=["self"])) == [SHARED]


def test_registered_snapshots_are_their_registrants(snapshots, ec2_registry, ec2):
    other = ec2_registry.client(account_id=OTHER)
    other.register_image(
        Name="other-1",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": "snap-bbbbbbbb"}}],
    )
    assert "snap-bbbbbbbb" in ids(other.describe_snapshots(OwnerIds=["self"]))
    assert "snap-bbbbbbbb" not in ids(ec2.describe_snapshots())


def test_raw_lists_numbered_from_zero(snapshots, raw, ec2_registry):
    answer = raw(
        {
            "Action": "DescribeSnapshots",
            "Version": "2016-11-15",
            "RestorableBy.0": "all",
            "Owner.0": ec2_registry.account_id,
        }
    )
    assert answer.status == 200
    assert [e.text for e in answer.xml.iter() if e.tag.endswith("snapshotId")] == [PUBLIC]


def test_a_bad_restorable_by_value_is_named(snapshots, ec2):
    with pytest.raises(ClientError) as raised:
        ec2.describe_snapshots(RestorableByUserIds=["everyone"])
    error = raised.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidUserID.Malformed",
        400,
    )
    assert error["Error"]["Message"] == 'Invalid user id: "everyone"'


# --- other actions follow the same visibility (review of the snapshot merge) -----------------


def test_register_image_from_another_accounts_private_snapshot_is_not_found(ec2_registry):
    theirs = "snap-0000000000000abcd"
    ec2_registry.add_snapshot(theirs)  # the registry's own account owns it
    other = ec2_registry.client(account_id="210987654321")
    with pytest.raises(ClientError) as raised:
        other.register_image(
            Name="stolen-1",
            RootDeviceName="/dev/sda1",
            BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": theirs}}],
        )
    assert raised.value.response["Error"] == {
        "Code": "InvalidSnapshot.NotFound",
        "Message": f"The snapshot '{theirs}' does not exist.",
    }
    assert len(ec2_registry.images) == 0
    # Shared with it, the same registration succeeds.
    ec2_registry.add_snapshot(theirs, create_volume_permissions=["210987654321"])
    image_id = other.register_image(
        Name="allowed-1",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": theirs}}],
    )["ImageId"]
    assert ec2_registry.images[image_id].owner_id == "210987654321"


def test_describe_tags_lists_only_snapshots_the_caller_may_restore(ec2_registry):
    mine = ec2_registry.add_snapshot("snap-0000000000000aaaa")
    ec2_registry.client().create_tags(
        Resources=[mine.snapshot_id], Tags=[{"Key": "team", "Value": "bake"}]
    )
    other = ec2_registry.client(account_id="210987654321")
    assert other.describe_tags()["Tags"] == []
    by_id = other.describe_tags(Filters=[{"Name": "resource-id", "Values": [mine.snapshot_id]}])
    assert by_id["Tags"] == []
    assert [t["ResourceId"] for t in ec2_registry.client().describe_tags()["Tags"]] == [
        mine.snapshot_id
    ]


def test_missing_snapshot_forgets_a_declared_one(ec2_registry):
    snapshot = ec2_registry.add_snapshot("snap-0000000000000bbbb")
    ec2_registry.missing_snapshot(snapshot.snapshot_id)
    assert snapshot.snapshot_id not in ec2_registry.snapshots
    assert ec2_registry.client().describe_snapshots(OwnerIds=["self"])["Snapshots"] == []
