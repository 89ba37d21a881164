"""CopyImage: into the request's region, idempotent with ClientToken, with its own rules."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import SNAP, SNAP2

OTHER = "210987654321"


def error_of(raised):
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


@pytest.fixture
def source(ec2):
    return ec2.register_image(
        Name="web-1",
        Description="the original",
        Architecture="x86_64",
        RootDeviceName="/dev/xvda",
        VirtualizationType="hvm",
        EnaSupport=True,
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": SNAP, "VolumeSize": 10}},
            {"DeviceName": "/dev/sdb", "Ebs": {"SnapshotId": SNAP2}},
            {"DeviceName": "/dev/sdc", "VirtualName": "ephemeral0"},
        ],
        TagSpecifications=[{"ResourceType": "image", "Tags": [{"Key": "team", "Value": "web"}]}],
    )["ImageId"]


@pytest.fixture
def eu(ec2_registry):
    """A client of eu-west-1: its SigV4 scope sends its requests to that region's state."""
    return ec2_registry.client(region_name="eu-west-1")


def test_copy_lands_in_the_region_of_the_request(ec2_registry, source, eu):
    copy_id = eu.copy_image(Name="web-1", SourceImageId=source, SourceRegion="us-east-1")["ImageId"]
    assert copy_id != source
    assert list(ec2_registry.images) == [source]  # us-east-1 unchanged
    europe = ec2_registry.in_region("eu-west-1")
    copy = europe.assert_registered(
        name="web-1",
        source_image_id=source,
        source_image_region="us-east-1",
        region="eu-west-1",
        architecture="x86_64",
        virtualization_type="hvm",
        ena_support=True,
        description=None,
        image_location="123456789012/web-1",
    )
    assert copy.image_id == copy_id
    root, second, ephemeral = copy.block_device_mappings
    # Each EBS snapshot was copied into a new snapshot of eu-west-1.
    assert root.ebs.snapshot_id not in (SNAP, SNAP2)
    assert second.ebs.snapshot_id not in (SNAP, SNAP2, root.ebs.snapshot_id)
    assert root.ebs.volume_size == 10
    assert ephemeral.virtual_name == "ephemeral0"
    assert set(europe.snapshots) == {root.ebs.snapshot_id, second.ebs.snapshot_id}
    assert dict(copy.tags) == {}  # tags are copied only on request
    [described] = eu.describe_images(ImageIds=[copy_id])["Images"]
    assert described["SourceImageId"] == source
    assert described["SourceImageRegion"] == "us-east-1"
    assert described["State"] == "available"


def test_copy_within_one_region_and_duplicate_names(ec2, ec2_registry, source, eu):
    copy_id = ec2.copy_image(Name="web-1-copy", SourceImageId=source, SourceRegion="us-east-1")[
        "ImageId"
    ]
    assert ec2_registry.images[copy_id].source_image_region == "us-east-1"
    with pytest.raises(ClientError) as raised:
        ec2.copy_image(Name="web-1", SourceImageId=source, SourceRegion="us-east-1")
    assert error_of(raised) == (
        "InvalidAMIName.Duplicate",
        f"AMI name web-1 is already in use by AMI {source}",
    )
    # The same name is free in another region, once.
    eu.copy_image(Name="web-1", SourceImageId=source, SourceRegion="us-east-1")
    with pytest.raises(ClientError) as raised:
        eu.copy_image(Name="web-1", SourceImageId=source, SourceRegion="us-east-1")
    assert error_of(raised)[0] == "InvalidAMIName.Duplicate"


def test_client_token_makes_a_retry_answer_the_first_copy(ec2_registry, source, eu):
    kwargs = {"Name": "web-1", "SourceImageId": source, "SourceRegion": "us-east-1"}
    first = eu.copy_image(ClientToken="bake-42", **kwargs)["ImageId"]
    again = eu.copy_image(ClientToken="bake-42", **kwargs)["ImageId"]
    assert again == first
    assert len(ec2_registry.in_region("eu-west-1").images) == 1
    with pytest.raises(ClientError) as raised:
        eu.copy_image(ClientToken="bake-42", **{**kwargs, "Description": "changed"})
    assert error_of(raised)[0] == "IdempotentParameterMismatch"
    assert "bake-42" in error_of(raised)[1]


def test_lost_response_is_retried_by_boto3_onto_the_same_copy(ec2_registry, source, eu):
    # boto3 fills ClientToken itself; its retry resends the same body after the connection
    # drops, and the fake answers the copy the first attempt made.
    ec2_registry.disconnect("CopyImage", after_commit=True)
    copy_id = eu.copy_image(Name="web-1", SourceImageId=source, SourceRegion="us-east-1")["ImageId"]
    assert list(ec2_registry.in_region("eu-west-1").images) == [copy_id]
    first, second = ec2_registry.calls.of("CopyImage")
    assert first.params["ClientToken"] == second.params["ClientToken"]


def test_copy_image_tags_and_tag_specifications(ec2_registry, source, eu):
    copy_id = eu.copy_image(
        Name="web-1",
        SourceImageId=source,
        SourceRegion="us-east-1",
        CopyImageTags=True,
        TagSpecifications=[
            {"ResourceType": "image", "Tags": [{"Key": "stage", "Value": "eu"}]},
            {"ResourceType": "snapshot", "Tags": [{"Key": "copied", "Value": "yes"}]},
        ],
    )["ImageId"]
    europe = ec2_registry.in_region("eu-west-1")
    assert dict(europe.images[copy_id].tags) == {"team": "web", "stage": "eu"}
    assert [dict(s.tags) for s in europe.snapshots.values()] == [{"copied": "yes"}] * 2


def test_encrypted_copy(ec2_registry, source, eu):
    copy_id = eu.copy_image(
        Name="web-1",
        SourceImageId=source,
        SourceRegion="us-east-1",
        Encrypted=True,
        KmsKeyId="alias/images",
    )["ImageId"]
    europe = ec2_registry.in_region("eu-west-1")
    mappings = europe.images[copy_id].block_device_mappings
    assert [m.ebs.encrypted for m in mappings if m.ebs] == [True, True]
    assert all(s.encrypted for s in europe.snapshots.values())


def test_public_image_of_another_account_can_be_copied(ec2, ec2_registry):
    theirs = ec2_registry.add_image("vendor-image", owner_id=OTHER, public=True)
    private = ec2_registry.add_image("vendor-private", owner_id=OTHER)
    copy_id = ec2.copy_image(
        Name="my-copy", SourceImageId=theirs.image_id, SourceRegion="us-east-1"
    )["ImageId"]
    assert ec2_registry.images[copy_id].owner_id == "123456789012"
    assert ec2_registry.images[copy_id].public is False
    with pytest.raises(ClientError) as raised:
        ec2.copy_image(Name="x-copy", SourceImageId=private.image_id, SourceRegion="us-east-1")
    assert error_of(raised)[0] == "InvalidAMIID.NotFound"


def test_source_must_exist_in_the_source_region(ec2, source):
    with pytest.raises(ClientError) as raised:
        ec2.copy_image(Name="web-2", SourceImageId=source, SourceRegion="eu-west-1")
    assert error_of(raised) == (
        "InvalidAMIID.NotFound",
        f"The image id '[{source}]' does not exist",
    )


def test_failed_source_is_unavailable(ec2, ec2_registry, source):
    ec2_registry.fail_image(source)
    with pytest.raises(ClientError) as raised:
        ec2.copy_image(Name="web-2", SourceImageId=source, SourceRegion="us-east-1")
    assert error_of(raised)[0] == "InvalidAMIID.Unavailable"


@pytest.mark.parametrize(
    ("params", "code", "fragment"),
    [
        ({"Name": None}, "MissingParameter", "parameter name"),
        ({"SourceImageId": None}, "MissingParameter", "parameter sourceImageId"),
        ({"SourceRegion": None}, "MissingParameter", "parameter sourceRegion"),
        ({"Name": "a,b"}, "InvalidAMIName.Malformed", "AMI names must be"),
        ({"SourceImageId": "ami-12"}, "InvalidAMIID.Malformed", "ami-12"),
        ({"SourceRegion": "mars"}, "InvalidParameterValue", "mars"),
        ({"Description": "d" * 256}, "InvalidParameterValue", "It exceeds 255 characters"),
        ({"ClientToken": "t" * 129}, "InvalidParameterValue", "It exceeds 128 characters"),
        ({"KmsKeyId": "alias/x"}, "InvalidParameterCombination", "KmsKeyId"),
        ({"Encrypted": "perhaps"}, "InvalidParameterValue", "perhaps"),
        (
            {"TagSpecification.1.ResourceType": "volume", "TagSpecification.1.Tag.1.Key": "a"},
            "InvalidParameterValue",
            "volume",
        ),
        (
            {"TagSpecification.1.ResourceType": "image", "TagSpecification.1.Tag.1.Key": "aws:a"},
            "InvalidParameterValue",
            "aws:a",
        ),
    ],
)
def test_request_errors(raw, ec2_registry, params, code, fragment):
    source = ec2_registry.add_image("web-1")
    request = {
        "Action": "CopyImage",
        "Version": "2016-11-15",
        "Name": "web-2",
        "SourceImageId": source.image_id,
        "SourceRegion": "us-east-1",
        **params,
    }
    answer = raw({k: v for k, v in request.items() if v is not None})
    assert (answer.status, answer.code) == (400, code)
    assert fragment in answer.message
    assert list(ec2_registry.images) == [source.image_id]


def test_dry_run_copies_nothing(ec2, ec2_registry, source):
    with pytest.raises(ClientError) as raised:
        ec2.copy_image(Name="web-2", SourceImageId=source, SourceRegion="us-east-1", DryRun=True)
    assert error_of(raised)[0] == "DryRunOperation"
    assert list(ec2_registry.images) == [source]


def test_copy_image_did_not_exist_in_2009(raw, ec2_registry):
    source = ec2_registry.add_image("web-1")
    answer = raw(
        {
            "Action": "CopyImage",
            "Version": "2009-10-31",
            "Name": "web-2",
            "SourceImageId": source.image_id,
            "SourceRegion": "us-east-1",
        }
    )
    assert (answer.status, answer.code) == (400, "InvalidAction")


@pytest.mark.ec2_registry(pending_describes=2)
def test_a_copy_is_pending_first(ec2_registry, eu):
    source = ec2_registry.add_image("web-1")
    copy_id = eu.copy_image(Name="web-1", SourceImageId=source.image_id, SourceRegion="us-east-1")[
        "ImageId"
    ]
    states = [eu.describe_images(ImageIds=[copy_id])["Images"][0]["State"] for _ in range(3)]
    assert states == ["pending", "pending", "available"]


def test_a_copy_starts_private_unprotected_and_not_deprecated(ec2, ec2_registry):
    source = ec2_registry.add_image(
        "shared-source",
        root_device_name="/dev/sda1",
        block_device_mappings=[{"device_name": "/dev/sda1", "ebs": {"snapshot_id": SNAP}}],
        launch_permissions=["all", "210987654321"],
        organization_arns=["arn:aws:organizations::123456789012:organization/o-abcd1234ef"],
        organizational_unit_arns=[
            "arn:aws:organizations::123456789012:ou/o-abcd1234ef/ou-ab12-cdef5678"
        ],
        deprecation_time="2030-01-01T00:00:00.000Z",
        deregistration_protection="enabled-without-cooldown",
    )
    copy_id = ec2.copy_image(
        Name="copy-1", SourceImageId=source.image_id, SourceRegion="us-east-1"
    )["ImageId"]
    copy = ec2_registry.images[copy_id]
    assert (copy.public, copy.launch_permissions) == (False, ())
    assert (copy.organization_arns, copy.organizational_unit_arns) == ((), ())
    assert (copy.deprecation_time, copy.deregistration_protection) == (None, "disabled")


def _shared_with_other(ec2, *snapshots):
    """An image of ours on ``snapshots``, its launch permission shared with OTHER."""
    mappings = [
        {"DeviceName": f"/dev/sd{letter}", "Ebs": {"SnapshotId": snapshot}}
        for letter, snapshot in zip("ab", snapshots, strict=False)
    ]
    image_id = ec2.register_image(
        Name="shared-1", RootDeviceName="/dev/sda", BlockDeviceMappings=mappings
    )["ImageId"]
    ec2.modify_image_attribute(ImageId=image_id, LaunchPermission={"Add": [{"UserId": OTHER}]})
    return image_id


def test_a_shared_image_is_not_copied_until_its_snapshots_are_shared(ec2, ec2_registry):
    # What packer's snapshot_users is for: launch permission does not reach the storage.
    ec2_registry.add_snapshot(SNAP)
    ec2_registry.add_snapshot(SNAP2)
    image_id = _shared_with_other(ec2, SNAP, SNAP2)
    other = ec2_registry.client(account_id=OTHER)
    before = (len(ec2_registry.images), len(ec2_registry.snapshots))
    with pytest.raises(ClientError) as raised:
        other.copy_image(Name="their-copy", SourceImageId=image_id, SourceRegion="us-east-1")
    assert error_of(raised) == (
        "InvalidRequest",
        "You do not have permission to access the storage of this ami",
    )
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert (len(ec2_registry.images), len(ec2_registry.snapshots)) == before
    # One snapshot shared is not enough: every one the image maps must be.
    ec2.modify_snapshot_attribute(
        SnapshotId=SNAP, Attribute="createVolumePermission", OperationType="add", UserIds=[OTHER]
    )
    with pytest.raises(ClientError) as raised:
        other.copy_image(Name="their-copy", SourceImageId=image_id, SourceRegion="us-east-1")
    assert error_of(raised)[0] == "InvalidRequest"
    ec2.modify_snapshot_attribute(
        SnapshotId=SNAP2,
        CreateVolumePermission={"Add": [{"Group": "all"}]},  # public storage serves too
    )
    copy_id = other.copy_image(Name="their-copy", SourceImageId=image_id, SourceRegion="us-east-1")[
        "ImageId"
    ]
    assert ec2_registry.images[copy_id].owner_id == OTHER


def test_storage_access_is_the_owners_own_and_lenient_for_undeclared_snapshots(ec2, ec2_registry):
    ec2_registry.add_snapshot(SNAP)  # declared, never shared
    owned = _shared_with_other(ec2, SNAP)
    ours = ec2.copy_image(Name="our-copy", SourceImageId=owned, SourceRegion="us-east-1")
    assert ec2_registry.images[ours["ImageId"]].owner_id == ec2_registry.account_id
    # Lenient mode takes a snapshot it was never told of as existing, and as readable.
    vendor = ec2_registry.add_image(
        "vendor-image",
        owner_id=OTHER,
        public=True,
        root_device_name="/dev/sda1",
        block_device_mappings=[
            {"device_name": "/dev/sda1", "ebs": {"snapshot_id": "snap-0fedcba9876543210"}}
        ],
    )
    copy_id = ec2.copy_image(
        Name="vendor-copy", SourceImageId=vendor.image_id, SourceRegion="us-east-1"
    )["ImageId"]
    assert copy_id in ec2_registry.images
