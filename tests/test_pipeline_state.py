"""The pipeline's state as a test preloads it (SPEC 4.7, last point) and a second account in
one line: ``add_image(..., launch_permissions=..., deprecation_time=...,
deregistration_protection=..., state="disabled")``, ``add_snapshot(...,
create_volume_permissions=...)``, ``client(account_id=...)``."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

OTHER = "210987654321"


def test_add_image_takes_the_sharing_and_lifecycle_state(ec2_registry):
    image = ec2_registry.add_image(
        "web-1",
        launch_permissions=[OTHER, "all", OTHER],
        organization_arns=["arn:aws:organizations::123456789012:organization/o-abc"],
        deprecation_time=datetime(2031, 1, 2, 3, 4, tzinfo=timezone.utc),
        deregistration_protection="enabled-with-cooldown",
    )
    assert image.public
    assert image.is_public
    assert image.launch_permissions == (OTHER,)
    assert image.organization_arns == ("arn:aws:organizations::123456789012:organization/o-abc",)
    assert image.deprecation_time == "2031-01-02T03:04:00.000Z"
    assert image.deregistration_protection == "enabled-with-cooldown"
    assert image.state == "available"
    assert ec2_registry.add_image("web-2", state="disabled").state == "disabled"
    assert ec2_registry.images[image.image_id] == image


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"launch_permissions": ["12"]}, "launch_permissions: '12' is not a 12-digit account id"),
        ({"launch_permissions": "all"}, "launch_permissions must be a list"),
        ({"deregistration_protection": "on"}, "deregistration_protection must be one of"),
        ({"deprecation_time": "soon"}, "deprecation_time must be a datetime or an ISO 8601"),
        ({"creation_date": "yesterday"}, "creation_date must be a datetime or an ISO 8601"),
        ({"creation_date": "2026-02-29T00:00:00Z"}, "creation_date must be a datetime"),
        (
            {"state": "disabled", "launch_permissions": ["all"]},
            "a disabled image has no launch permissions",
        ),
    ],
)
def test_add_image_refuses_what_aws_could_not_hold(ec2_registry, fields, message):
    with pytest.raises((ValueError, TypeError), match=message):
        ec2_registry.add_image("web-1", **fields)
    assert len(ec2_registry.images) == 0


def test_add_snapshot_takes_create_volume_permissions(ec2_registry):
    snapshot = ec2_registry.add_snapshot(create_volume_permissions=[OTHER, "all"])
    assert (snapshot.public, snapshot.create_volume_permissions) == (True, (OTHER,))
    with pytest.raises(ValueError, match="'x' is not a 12-digit account id"):
        ec2_registry.add_snapshot(create_volume_permissions=["x"])


def test_a_client_for_another_account_in_one_line(ec2_registry):
    other = ec2_registry.client(account_id=OTHER)
    image_id = other.register_image(
        Name="theirs-1",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": "snap-0123456789abcdef0"}}
        ],
    )["ImageId"]
    assert ec2_registry.images[image_id].owner_id == OTHER
    assert ec2_registry.credentials[f"AKIAFAKE{OTHER}"].account_id == OTHER
    # The same client again: the key is reused, not added twice.
    again = ec2_registry.client(account_id=OTHER)
    assert [i["ImageId"] for i in again.describe_images(Owners=["self"])["Images"]] == [image_id]
    assert ec2_registry.client().describe_images(Owners=["self"])["Images"] == []
    # Its own account id is the registry's default client.
    mine = ec2_registry.client(account_id=ec2_registry.account_id)
    assert mine.meta.config.region_name == ec2_registry.region
    with pytest.raises(ValueError, match="account_id must be 12 digits"):
        ec2_registry.client(account_id="nope")


@pytest.mark.ec2_registry(verify_signatures=True)
def test_another_accounts_client_signs_with_a_key_the_registry_verifies(ec2_registry):
    other = ec2_registry.client(account_id=OTHER)
    assert other.describe_images()["Images"] == []
    assert ec2_registry.calls[-1].access_key == f"AKIAFAKE{OTHER}"
    assert ec2_registry.calls[-1].status == 200
