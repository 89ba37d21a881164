"""DescribeImageAttribute for every attribute, and DescribeSnapshots."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import SNAP, SNAP2

OTHER = "210987654321"
UEFI = "QUJDRA=="


def error_of(raised):
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def attribute(ec2, image_id, name):
    answer = ec2.describe_image_attribute(ImageId=image_id, Attribute=name)
    assert answer["ImageId"] == image_id
    return {k: v for k, v in answer.items() if k not in ("ImageId", "ResponseMetadata")}


@pytest.fixture
def fresh(ec2):
    """A private image registered with nothing optional."""
    return ec2.register_image(
        Name="fresh",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )["ImageId"]


@pytest.fixture
def full(ec2):
    """An image registered with every attribute DescribeImageAttribute reports."""
    return ec2.register_image(
        Name="full",
        Description="all of it",
        KernelId="aki-0123456789abcdef0",
        RamdiskId="ari-0123456789abcdef0",
        RootDeviceName="/dev/xvda",
        VirtualizationType="hvm",
        SriovNetSupport="simple",
        BootMode="uefi",
        TpmSupport="v2.0",
        UefiData=UEFI,
        ImdsSupport="v2.0",
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": SNAP}}],
    )["ImageId"]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("description", "Description"),
        ("kernel", "KernelId"),
        ("ramdisk", "RamdiskId"),
        ("sriovNetSupport", "SriovNetSupport"),
        ("bootMode", "BootMode"),
        ("tpmSupport", "TpmSupport"),
        ("uefiData", "UefiData"),
        ("lastLaunchedTime", "LastLaunchedTime"),
        ("imdsSupport", "ImdsSupport"),
    ],
)
def test_unset_value_attributes_answer_empty(ec2, fresh, name, key):
    assert attribute(ec2, fresh, name) == {key: {}}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("description", {"Description": {"Value": "all of it"}}),
        ("kernel", {"KernelId": {"Value": "aki-0123456789abcdef0"}}),
        ("ramdisk", {"RamdiskId": {"Value": "ari-0123456789abcdef0"}}),
        ("sriovNetSupport", {"SriovNetSupport": {"Value": "simple"}}),
        ("bootMode", {"BootMode": {"Value": "uefi"}}),
        ("tpmSupport", {"TpmSupport": {"Value": "v2.0"}}),
        ("uefiData", {"UefiData": {"Value": UEFI}}),
        ("imdsSupport", {"ImdsSupport": {"Value": "v2.0"}}),
        ("deregistrationProtection", {"DeregistrationProtection": {"Value": "disabled"}}),
        ("lastLaunchedTime", {"LastLaunchedTime": {}}),
    ],
)
def test_set_value_attributes(ec2, full, name, expected):
    assert attribute(ec2, full, name) == expected


def test_fresh_private_image_has_no_launch_permissions_or_product_codes(ec2, fresh):
    assert attribute(ec2, fresh, "launchPermission") == {"LaunchPermissions": []}
    assert attribute(ec2, fresh, "productCodes") == {"ProductCodes": []}


def test_public_shared_and_marketplace_images(ec2, ec2_registry):
    image = ec2_registry.add_image(
        "shared",
        public=True,
        launch_permissions=(OTHER, "333333333333"),
        product_codes=(("abc123", "marketplace"),),
    )
    assert attribute(ec2, image.image_id, "launchPermission") == {
        "LaunchPermissions": [{"Group": "all"}, {"UserId": OTHER}, {"UserId": "333333333333"}]
    }
    assert attribute(ec2, image.image_id, "productCodes") == {
        "ProductCodes": [{"ProductCodeId": "abc123", "ProductCodeType": "marketplace"}]
    }


def test_block_device_mapping_is_refused_as_on_aws(ec2, fresh):
    with pytest.raises(ClientError) as raised:
        ec2.describe_image_attribute(ImageId=fresh, Attribute="blockDeviceMapping")
    assert error_of(raised) == ("AuthFailure", "Unauthorized attempt to access restricted resource")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_wrongly_cased_attribute_is_an_invalid_request(ec2, fresh):
    with pytest.raises(ClientError) as raised:
        ec2.describe_image_attribute(ImageId=fresh, Attribute="TpmSupport")
    assert error_of(raised) == ("InvalidRequest", "The request received was invalid.")


def test_unknown_attribute(ec2, fresh):
    with pytest.raises(ClientError) as raised:
        ec2.describe_image_attribute(ImageId=fresh, Attribute="colour")
    assert error_of(raised) == (
        "InvalidParameterValue",
        "Value (colour) for parameter attribute is invalid. Unknown attribute.",
    )


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        (
            {"Attribute": "description"},
            "MissingParameter",
            "The request must contain the parameter imageId",
        ),
        (
            {"ImageId": "ami-0123456789abcdef0"},
            "MissingParameter",
            "The request must contain the parameter attribute",
        ),
        (
            {"ImageId": "ami-1", "Attribute": "description"},
            "InvalidAMIID.Malformed",
            'Invalid id: "ami-1" (expecting "ami-...")',
        ),
        (
            {"ImageId": "ami-0123456789abcdef0", "Attribute": "description"},
            "InvalidAMIID.NotFound",
            "The image id '[ami-0123456789abcdef0]' does not exist",
        ),
    ],
)
def test_request_errors(raw, params, code, message):
    answer = raw({"Action": "DescribeImageAttribute", "Version": "2016-11-15", **params})
    assert (answer.status, answer.code, answer.message) == (400, code, message)


def test_another_accounts_image(ec2, ec2_registry):
    image = ec2_registry.add_image("theirs", owner_id=OTHER, public=True)
    with pytest.raises(ClientError) as raised:
        ec2.describe_image_attribute(ImageId=image.image_id, Attribute="launchPermission")
    assert error_of(raised) == ("AuthFailure", f"Not authorized for image:{image.image_id}")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_dry_run(ec2, fresh):
    with pytest.raises(ClientError) as raised:
        ec2.describe_image_attribute(ImageId=fresh, Attribute="description", DryRun=True)
    assert error_of(raised)[0] == "DryRunOperation"


def test_seed_version_knows_its_six_attributes(raw, ec2_registry):
    image = ec2_registry.add_image("old-one", description="seed era")
    base = {"Action": "DescribeImageAttribute", "Version": "2009-10-31", "ImageId": image.image_id}
    answer = raw({**base, "Attribute": "description"})
    assert answer.status == 200
    assert answer.find("value") == "seed era"
    assert "doc/2009-10-31/" in answer.body.decode()
    answer = raw({**base, "Attribute": "bootMode"})
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")


# --- DescribeSnapshots -----------------------------------------------------------------------


def test_declared_and_recorded_snapshots(ec2, ec2_registry):
    ec2_registry.add_snapshot(SNAP2, size=30, encrypted=True)
    ec2.register_image(
        Name="web-1",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP, "VolumeSize": 12}}
        ],
    )
    answer = ec2.describe_snapshots(OwnerIds=["self"])
    got = {s["SnapshotId"]: s for s in answer["Snapshots"]}
    assert set(got) == {SNAP, SNAP2}
    assert got[SNAP2]["VolumeSize"] == 30
    assert got[SNAP2]["Encrypted"] is True
    assert got[SNAP]["VolumeSize"] == 12  # recorded from the registration
    for snapshot in got.values():
        assert snapshot["State"] == "completed"
        assert snapshot["Progress"] == "100%"
        assert snapshot["OwnerId"] == "123456789012"


def test_snapshot_by_id_lenient_strict_and_missing(ec2, ec2_registry):
    [lenient] = ec2.describe_snapshots(SnapshotIds=[SNAP])["Snapshots"]
    assert (lenient["SnapshotId"], lenient["State"], lenient["VolumeSize"]) == (
        SNAP,
        "completed",
        8,
    )
    ec2_registry.missing_snapshot(SNAP2)
    with pytest.raises(ClientError) as raised:
        ec2.describe_snapshots(SnapshotIds=[SNAP2])
    assert error_of(raised) == (
        "InvalidSnapshot.NotFound",
        f"The snapshot '{SNAP2}' does not exist.",
    )
    ec2_registry.strict = True
    with pytest.raises(ClientError) as raised:
        ec2.describe_snapshots(SnapshotIds=[SNAP])
    assert error_of(raised)[0] == "InvalidSnapshot.NotFound"


def test_snapshot_filters_and_errors(ec2, ec2_registry, raw):
    ec2_registry.add_snapshot(SNAP, size=8)
    ec2_registry.add_snapshot(SNAP2, size=50, state="pending")
    by_status = ec2.describe_snapshots(Filters=[{"Name": "status", "Values": ["pending"]}])
    assert [s["SnapshotId"] for s in by_status["Snapshots"]] == [SNAP2]
    by_size = ec2.describe_snapshots(Filters=[{"Name": "volume-size", "Values": ["8"]}])
    assert [s["SnapshotId"] for s in by_size["Snapshots"]] == [SNAP]
    with pytest.raises(ClientError) as raised:
        ec2.describe_snapshots(Filters=[{"Name": "size", "Values": ["8"]}])
    assert error_of(raised) == ("InvalidParameterValue", "The filter 'size' is invalid")
    answer = raw({"Action": "DescribeSnapshots", "Version": "2016-11-15", "SnapshotId.1": "snap-1"})
    assert (answer.status, answer.code) == (400, "InvalidSnapshotID.Malformed")


def test_snapshot_completed_waiter(ec2, ec2_registry):
    ec2_registry.add_snapshot(SNAP)
    ec2.get_waiter("snapshot_completed").wait(
        SnapshotIds=[SNAP], WaiterConfig={"Delay": 0, "MaxAttempts": 2}
    )


def test_snapshots_paginate(ec2, ec2_registry):
    for _ in range(7):
        ec2_registry.add_snapshot()
    pages = list(
        ec2.get_paginator("describe_snapshots").paginate(
            OwnerIds=["self"], PaginationConfig={"PageSize": 5}
        )
    )
    assert [len(p["Snapshots"]) for p in pages] == [5, 2]
