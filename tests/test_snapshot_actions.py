"""DeleteSnapshot (reference 9.1): refused while an image maps the snapshot, gone for good
once deleted, only the owner's to delete."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from pytest_ec2image import Ec2Registry
from tests.conftest import SNAP, SNAP2, register

OTHER = "210987654321"
V = "2016-11-15"


def error_of(call, *args, **kwargs):
    """``(code, HTTP status, message)`` of the ClientError ``call`` raises."""
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def not_found(snapshot_id):
    return ("InvalidSnapshot.NotFound", 400, f"The snapshot '{snapshot_id}' does not exist.")


def in_use(snapshot_id, image_id):
    return (
        "InvalidSnapshot.InUse",
        400,
        f"The snapshot {snapshot_id} is currently in use by {image_id}",
    )


def test_delete_a_declared_snapshot(ec2, ec2_registry):
    ec2_registry.add_snapshot(SNAP)
    answer = ec2.delete_snapshot(SnapshotId=SNAP)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert SNAP not in ec2_registry.snapshots
    assert error_of(ec2.describe_snapshots, SnapshotIds=[SNAP]) == not_found(SNAP)
    assert ec2.describe_snapshots()["Snapshots"] == []


def test_the_answer_is_return_true(raw, ec2_registry):
    ec2_registry.add_snapshot(SNAP)
    answer = raw({"Action": "DeleteSnapshot", "Version": V, "SnapshotId": SNAP})
    assert (answer.status, answer.find("return")) == (200, "true")


def test_a_second_delete_is_not_found(ec2, ec2_registry):
    ec2_registry.add_snapshot(SNAP)
    ec2.delete_snapshot(SnapshotId=SNAP)
    assert error_of(ec2.delete_snapshot, SnapshotId=SNAP) == not_found(SNAP)


def test_refused_while_a_registered_image_maps_it_then_allowed(ec2, ec2_registry):
    ec2_registry.add_snapshot(SNAP)
    image_id = register(ec2, snapshot=SNAP)

    assert error_of(ec2.delete_snapshot, SnapshotId=SNAP) == in_use(SNAP, image_id)
    assert SNAP in ec2_registry.snapshots
    # DeregisterImage releases it at once (Terraform deletes right after it returns).
    ec2.deregister_image(ImageId=image_id)
    ec2.delete_snapshot(SnapshotId=SNAP)
    assert SNAP not in ec2_registry.snapshots


def test_a_disabled_image_still_holds_its_snapshot(ec2, ec2_registry):
    image = ec2_registry.add_image(
        "disabled-1",
        state="disabled",
        root_device_name="/dev/sda1",
        block_device_mappings=[{"device_name": "/dev/sda1", "ebs": {"snapshot_id": SNAP}}],
    )
    assert error_of(ec2.delete_snapshot, SnapshotId=SNAP) == in_use(SNAP, image.image_id)


def test_the_message_names_an_image_that_still_maps_it(ec2, ec2_registry):
    first = register(ec2, "web-1", snapshot=SNAP)
    second = register(ec2, "web-2", snapshot=SNAP)
    assert error_of(ec2.delete_snapshot, SnapshotId=SNAP) == in_use(SNAP, first)
    ec2.deregister_image(ImageId=first)
    assert error_of(ec2.delete_snapshot, SnapshotId=SNAP) == in_use(SNAP, second)
    ec2.deregister_image(ImageId=second)
    ec2.delete_snapshot(SnapshotId=SNAP)


def test_another_accounts_image_holds_it_too(ec2, ec2_registry):
    ec2_registry.add_snapshot(SNAP, create_volume_permissions=[OTHER])
    image_id = register(ec2_registry.client(account_id=OTHER), snapshot=SNAP)
    assert error_of(ec2.delete_snapshot, SnapshotId=SNAP) == in_use(SNAP, image_id)


def test_lenient_an_undeclared_snapshot_is_deleted_and_gone_for_good(ec2, ec2_registry):
    # Choice: undeclared snapshots exist in lenient mode (SPEC 4.4), for deletion too: the
    # snapshot of a preloaded image, which no registration recorded, can be cleaned up.
    image = ec2_registry.add_image(
        "preloaded-1",
        root_device_name="/dev/sda1",
        block_device_mappings=[{"device_name": "/dev/sda1", "ebs": {"snapshot_id": SNAP}}],
    )
    assert SNAP not in ec2_registry.snapshots
    assert error_of(ec2.delete_snapshot, SnapshotId=SNAP) == in_use(SNAP, image.image_id)
    ec2.deregister_image(ImageId=image.image_id)
    ec2.delete_snapshot(SnapshotId=SNAP)

    assert error_of(ec2.describe_snapshots, SnapshotIds=[SNAP]) == not_found(SNAP)
    assert error_of(ec2.delete_snapshot, SnapshotId=SNAP) == not_found(SNAP)
    code, status, _ = error_of(register, ec2, "web-2", snapshot=SNAP)
    assert (code, status) == ("InvalidSnapshot.NotFound", 400)


def test_strict_an_undeclared_snapshot_is_not_found(ec2, ec2_registry):
    ec2_registry.strict = True
    assert error_of(ec2.delete_snapshot, SnapshotId=SNAP) == not_found(SNAP)


def test_a_missing_snapshot_is_not_found(ec2, ec2_registry):
    ec2_registry.missing_snapshot(SNAP)
    assert error_of(ec2.delete_snapshot, SnapshotId=SNAP) == not_found(SNAP)


def test_a_malformed_id_is_named(ec2):
    assert error_of(ec2.delete_snapshot, SnapshotId="snap-xyz") == (
        "InvalidSnapshotID.Malformed",
        400,
        'Invalid id: "snap-xyz" (expecting "snap-...")',
    )


def test_only_the_owner_may_delete(ec2_registry):
    ec2_registry.add_snapshot(SNAP, create_volume_permissions=[OTHER])
    other = ec2_registry.client(account_id=OTHER)
    assert error_of(other.delete_snapshot, SnapshotId=SNAP) == (
        "AuthFailure",
        400,
        f"Not authorized for snapshot:{SNAP}",
    )
    assert SNAP in ec2_registry.snapshots


def test_with_signatures_verified_the_other_account_is_still_refused(ec2_registry):
    ec2_registry.verify_signatures = True
    other = ec2_registry.client(account_id=OTHER)
    register(other, snapshot=SNAP2)  # recorded as OTHER's
    ec2_registry.add_snapshot(SNAP)
    assert error_of(other.delete_snapshot, SnapshotId=SNAP)[0] == "AuthFailure"
    assert error_of(ec2_registry.client().delete_snapshot, SnapshotId=SNAP2)[0] == "AuthFailure"


def test_raw_missing_id_a_list_form_and_the_legacy_version(raw, ec2_registry):
    answer = raw({"Action": "DeleteSnapshot", "Version": V})
    assert (answer.status, answer.code, answer.message) == (
        400,
        "MissingParameter",
        "The request must contain the parameter snapshotId",
    )
    # The API reference's sample writes SnapshotId.1: the parameter is scalar.
    answer = raw({"Action": "DeleteSnapshot", "Version": V, "SnapshotId.1": SNAP})
    assert (answer.status, answer.code) == (400, "UnknownParameter")
    ec2_registry.add_snapshot(SNAP)
    answer = raw({"Action": "DeleteSnapshot", "Version": "2009-10-31", "SnapshotId": SNAP})
    assert (answer.status, answer.find("return")) == (200, "true")


def test_the_call_log_names_the_snapshot(ec2, ec2_registry: Ec2Registry):
    ec2_registry.add_snapshot(SNAP)
    ec2.delete_snapshot(SnapshotId=SNAP)
    assert ec2_registry.calls[-1].summary() == f"DeleteSnapshot SnapshotId={SNAP} -> 200"
