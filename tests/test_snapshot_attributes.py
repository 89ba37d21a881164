"""Modify/Describe/ResetSnapshotAttribute (reference 9.2, 9.3): create-volume permissions for
accounts and the ``all`` group, in the struct and the older flat wire forms, and what another
account then sees."""

from __future__ import annotations

import pytest

from tests.conftest import SNAP
from tests.test_snapshot_actions import error_of, not_found

OTHER = "210987654321"
THIRD = "333333333333"
V = "2016-11-15"
ENCRYPTED_PUBLIC = "Encrypted snapshots can\u2019t be shared publicly. Specify another snapshot."


def permissions(client, snapshot_id=SNAP):
    answer = client.describe_snapshot_attribute(
        SnapshotId=snapshot_id, Attribute="createVolumePermission"
    )
    assert answer["SnapshotId"] == snapshot_id
    return answer["CreateVolumePermissions"]


def add(*items):
    return {"Add": list(items)}


def modify(client, snapshot_id=SNAP, **kwargs):
    return client.modify_snapshot_attribute(SnapshotId=snapshot_id, **kwargs)


def flat(operation="add", **extra):
    return {
        "Action": "ModifySnapshotAttribute",
        "Version": V,
        "SnapshotId": SNAP,
        "Attribute": "createVolumePermission",
        "OperationType": operation,
        **extra,
    }


def visible_to(registry, account_id):
    snapshots = registry.client(account_id=account_id).describe_snapshots()["Snapshots"]
    return [s["SnapshotId"] for s in snapshots]


@pytest.fixture
def snap(ec2_registry):
    return ec2_registry.add_snapshot(SNAP)


# --- ModifySnapshotAttribute: the struct form --------------------------------------------------


def test_share_with_an_account_and_unshare(snap, ec2, ec2_registry):
    assert permissions(ec2) == []
    assert visible_to(ec2_registry, OTHER) == []

    modify(ec2, CreateVolumePermission=add({"UserId": OTHER}))
    assert permissions(ec2) == [{"UserId": OTHER}]
    assert ec2_registry.snapshots[SNAP].create_volume_permissions == (OTHER,)
    assert visible_to(ec2_registry, OTHER) == [SNAP]
    assert visible_to(ec2_registry, THIRD) == []

    modify(ec2, CreateVolumePermission={"Remove": [{"UserId": OTHER}]})
    assert permissions(ec2) == []
    assert visible_to(ec2_registry, OTHER) == []


def test_make_public_and_private(snap, ec2, ec2_registry):
    modify(ec2, CreateVolumePermission=add({"Group": "all"}))
    assert permissions(ec2) == [{"Group": "all"}]
    assert ec2_registry.snapshots[SNAP].public
    assert visible_to(ec2_registry, THIRD) == [SNAP]
    modify(ec2, CreateVolumePermission={"Remove": [{"Group": "all"}]})
    assert not ec2_registry.snapshots[SNAP].public
    assert visible_to(ec2_registry, THIRD) == []


def test_add_and_remove_in_one_request_is_accepted(ec2_registry, ec2):
    # The API reference's example 2 does exactly this (the op doc says it cannot be done).
    ec2_registry.add_snapshot(SNAP, create_volume_permissions=[OTHER])
    modify(
        ec2,
        CreateVolumePermission={"Add": [{"Group": "all"}], "Remove": [{"UserId": OTHER}]},
    )
    assert permissions(ec2) == [{"Group": "all"}]


def test_adds_apply_before_removes_and_repeats_change_nothing(snap, ec2):
    modify(
        ec2,
        CreateVolumePermission={
            "Add": [{"UserId": OTHER}, {"UserId": THIRD}, {"UserId": OTHER}],
            "Remove": [{"UserId": THIRD}, {"UserId": "444444444444"}],
        },
    )
    assert permissions(ec2) == [{"UserId": OTHER}]


def test_the_answer_is_return_true(snap, raw):
    answer = raw(
        {
            "Action": "ModifySnapshotAttribute",
            "Version": V,
            "SnapshotId": SNAP,
            "CreateVolumePermission.Add.0.UserId": OTHER,
        }
    )
    assert (answer.status, answer.find("return")) == (200, "true")


def test_a_group_other_than_all_is_refused(snap, ec2):
    assert error_of(modify, ec2, CreateVolumePermission=add({"Group": "everyone"})) == (
        "InvalidAMIAttributeItemValue",
        400,
        'Invalid attribute item value "everyone" for group item type.',
    )


def test_a_malformed_account_id_is_refused_and_nothing_applied(snap, ec2):
    assert error_of(
        modify, ec2, CreateVolumePermission=add({"UserId": OTHER}, {"UserId": "12345"})
    ) == (
        "InvalidAMIAttributeItemValue",
        400,
        'Invalid attribute item value "12345" for userId item type.',
    )
    assert permissions(ec2) == []


def test_an_encrypted_snapshot_cannot_be_made_public(ec2_registry, ec2):
    ec2_registry.add_snapshot(SNAP, encrypted=True)
    assert error_of(modify, ec2, CreateVolumePermission=add({"Group": "all"})) == (
        "UnsupportedOperation",
        400,
        ENCRYPTED_PUBLIC,
    )
    modify(ec2, CreateVolumePermission=add({"UserId": OTHER}))  # sharing with accounts is fine
    assert permissions(ec2) == [{"UserId": OTHER}]


def test_at_most_500_modifications(snap, ec2):
    accounts = [{"UserId": f"{100000000000 + i}"} for i in range(501)]
    code, status, message = error_of(modify, ec2, CreateVolumePermission=add(*accounts))
    assert (code, status) == ("InvalidParameterValue", 400)
    assert message == (
        "Value (501) for parameter createVolumePermission is invalid. "
        "You can make up to 500 modifications to a snapshot in a single operation."
    )
    assert permissions(ec2) == []
    modify(ec2, CreateVolumePermission=add(*accounts[:500]))
    assert len(permissions(ec2)) == 500


# --- ModifySnapshotAttribute: the flat form ----------------------------------------------------


def test_flat_form_through_boto3(snap, ec2):
    # boto3's UserIds / GroupNames travel as UserId.N / UserGroup.N.
    modify(
        ec2,
        Attribute="createVolumePermission",
        OperationType="add",
        UserIds=[OTHER],
        GroupNames=["all"],
    )
    assert permissions(ec2) == [{"Group": "all"}, {"UserId": OTHER}]
    modify(ec2, Attribute="createVolumePermission", OperationType="remove", GroupNames=["all"])
    assert permissions(ec2) == [{"UserId": OTHER}]


def test_flat_form_raw(snap, raw, ec2):
    answer = raw(flat("add", **{"UserId.0": OTHER, "UserId.3": THIRD, "UserGroup.1": "all"}))
    assert (answer.status, answer.find("return")) == (200, "true")
    assert permissions(ec2) == [{"Group": "all"}, {"UserId": OTHER}, {"UserId": THIRD}]
    assert raw(flat("remove", **{"UserId.1": THIRD})).status == 200
    assert permissions(ec2) == [{"Group": "all"}, {"UserId": OTHER}]


def test_flat_form_item_errors_name_the_wire_word(snap, raw):
    answer = raw(flat(**{"UserGroup.1": "admins"}))
    assert (answer.status, answer.code, answer.message) == (
        400,
        "InvalidAMIAttributeItemValue",
        'Invalid attribute item value "admins" for UserGroup item type.',
    )
    answer = raw(flat(**{"UserId.1": "not-an-account"}))
    assert answer.message == 'Invalid attribute item value "not-an-account" for UserId item type.'


def test_flat_form_needs_attribute_and_operation_type(snap, raw):
    params = flat(**{"UserId.1": OTHER})
    del params["Attribute"]
    answer = raw(params)
    assert (answer.status, answer.code, answer.message) == (
        400,
        "MissingParameter",
        "The request must contain the parameter CreateVolumePermission",
    )
    params = flat(**{"UserId.1": OTHER})
    del params["OperationType"]
    answer = raw(params)
    assert (answer.code, answer.message) == (
        "MissingParameter",
        "The request must contain the parameter OperationType",
    )
    answer = raw(flat("grant", **{"UserId.1": OTHER}))
    assert (answer.status, answer.code, answer.message) == (
        400,
        "InvalidParameterValue",
        "Invalid value 'grant' for operationType.",
    )


def test_a_request_that_changes_nothing_is_refused(snap, raw):
    answer = raw(flat())
    assert (answer.status, answer.code, answer.message) == (
        400,
        "MissingParameter",
        "The request must contain the parameter CreateVolumePermission",
    )


def test_struct_and_flat_together_the_struct_decides(snap, raw, ec2):
    # Packer-style: the same permissions both ways; the flat lists are checked, not applied.
    answer = raw(flat(**{"UserId.1": THIRD, "CreateVolumePermission.Add.1.UserId": OTHER}))
    assert answer.status == 200
    assert permissions(ec2) == [{"UserId": OTHER}]
    answer = raw(flat(**{"UserId.1": "bad", "CreateVolumePermission.Add.1.UserId": OTHER}))
    assert answer.code == "InvalidAMIAttributeItemValue"


def test_the_legacy_version_takes_the_flat_form_only(snap, raw, ec2):
    answer = raw({**flat(**{"UserId.1": OTHER}), "Version": "2009-10-31"})
    assert answer.status == 200
    assert permissions(ec2) == [{"UserId": OTHER}]
    answer = raw(
        {
            **flat(**{"CreateVolumePermission.Add.1.UserId": THIRD}),
            "Version": "2009-10-31",
        }
    )
    assert (answer.status, answer.code) == (400, "UnknownParameter")


# --- attributes that cannot be modified, ids, owners -------------------------------------------


def test_unknown_and_unmodifiable_attributes(snap, ec2):
    share = add({"UserId": OTHER})
    assert error_of(modify, ec2, Attribute="volumeSize", CreateVolumePermission=share) == (
        "InvalidParameterValue",
        400,
        "Value (volumeSize) for parameter attribute is invalid. Unknown attribute.",
    )
    assert error_of(modify, ec2, Attribute="productCodes", CreateVolumePermission=share) == (
        "InvalidParameterValue",
        400,
        "Value (productCodes) for parameter attribute is invalid. "
        "Only the createVolumePermission attribute can be modified.",
    )


def test_only_the_owner_may_modify_describe_or_reset(ec2_registry):
    ec2_registry.add_snapshot(SNAP, create_volume_permissions=[OTHER])
    other = ec2_registry.client(account_id=OTHER)
    refused = ("AuthFailure", 400, f"Not authorized for snapshot:{SNAP}")
    assert error_of(modify, other, CreateVolumePermission=add({"Group": "all"})) == refused
    assert error_of(permissions, other) == refused
    reset = other.reset_snapshot_attribute
    assert error_of(reset, SnapshotId=SNAP, Attribute="createVolumePermission") == refused
    assert ec2_registry.snapshots[SNAP].create_volume_permissions == (OTHER,)
    assert not ec2_registry.snapshots[SNAP].public


def test_unknown_missing_and_malformed_snapshots(ec2_registry, ec2):
    ec2_registry.strict = True
    share = add({"UserId": OTHER})
    assert error_of(modify, ec2, CreateVolumePermission=share) == not_found(SNAP)
    assert error_of(permissions, ec2) == not_found(SNAP)
    assert error_of(modify, ec2, "snap-1", CreateVolumePermission=share) == (
        "InvalidSnapshotID.Malformed",
        400,
        'Invalid id: "snap-1" (expecting "snap-...")',
    )
    ec2_registry.strict = False
    ec2_registry.missing_snapshot(SNAP)
    assert error_of(modify, ec2, CreateVolumePermission=share) == not_found(SNAP)


def test_lenient_an_undeclared_snapshot_can_be_shared(ec2, ec2_registry):
    # Choice: it is the caller's (SPEC 4.4), and sharing records it.
    assert permissions(ec2) == []
    assert SNAP not in ec2_registry.snapshots
    modify(ec2, CreateVolumePermission=add({"UserId": OTHER}))
    assert ec2_registry.snapshots[SNAP].create_volume_permissions == (OTHER,)
    assert visible_to(ec2_registry, OTHER) == [SNAP]


def test_what_the_other_account_shares_this_one_sees(ec2_registry, ec2):
    other = ec2_registry.client(account_id=OTHER)
    modify(other, CreateVolumePermission=add({"UserId": ec2_registry.account_id}))
    [seen] = ec2.describe_snapshots(RestorableByUserIds=["self"])["Snapshots"]
    assert (seen["SnapshotId"], seen["OwnerId"]) == (SNAP, OTHER)
    assert error_of(ec2.delete_snapshot, SnapshotId=SNAP)[0] == "AuthFailure"


def test_with_signatures_verified(ec2_registry, ec2):
    ec2_registry.verify_signatures = True
    ec2_registry.add_snapshot(SNAP)
    modify(ec2_registry.client(), CreateVolumePermission=add({"UserId": OTHER}))
    assert visible_to(ec2_registry, OTHER) == [SNAP]


# --- DescribeSnapshotAttribute / ResetSnapshotAttribute ----------------------------------------


def test_describe_private_is_an_empty_element(snap, raw, ec2):
    answer = raw(
        {
            "Action": "DescribeSnapshotAttribute",
            "Version": V,
            "SnapshotId": SNAP,
            "Attribute": "createVolumePermission",
        }
    )
    assert answer.status == 200
    assert answer.find("snapshotId") == SNAP
    assert b"<createVolumePermission/>" in answer.body
    codes = ec2.describe_snapshot_attribute(SnapshotId=SNAP, Attribute="productCodes")
    assert codes["ProductCodes"] == []


def test_describe_needs_a_known_attribute(snap, raw, ec2):
    answer = raw({"Action": "DescribeSnapshotAttribute", "Version": V, "SnapshotId": SNAP})
    assert (answer.status, answer.code, answer.message) == (
        400,
        "MissingParameter",
        "The request must contain the parameter attribute",
    )
    describe = ec2.describe_snapshot_attribute
    assert error_of(describe, SnapshotId=SNAP, Attribute="volumeSize") == (
        "InvalidParameterValue",
        400,
        "Value (volumeSize) for parameter attribute is invalid. Unknown attribute.",
    )


def test_reset_makes_it_private(ec2_registry, ec2):
    ec2_registry.add_snapshot(SNAP, create_volume_permissions=[OTHER, "all"])
    answer = ec2.reset_snapshot_attribute(SnapshotId=SNAP, Attribute="createVolumePermission")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert permissions(ec2) == []
    assert visible_to(ec2_registry, OTHER) == []
    assert visible_to(ec2_registry, THIRD) == []


def test_reset_only_create_volume_permission(snap, ec2, raw):
    reset = ec2.reset_snapshot_attribute
    assert error_of(reset, SnapshotId=SNAP, Attribute="productCodes") == (
        "InvalidParameterValue",
        400,
        "Value (productCodes) for parameter attribute is invalid. "
        "Only the createVolumePermission attribute can be reset.",
    )
    answer = raw(
        {
            "Action": "ResetSnapshotAttribute",
            "Version": "2009-10-31",
            "SnapshotId": SNAP,
            "Attribute": "createVolumePermission",
        }
    )
    assert (answer.status, answer.find("return")) == (200, "true")
