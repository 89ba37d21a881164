"""RegisterImage stores every parameter of reference section 2 and DescribeImages echoes it.

Each value is read back twice: from DescribeImages through boto3 (the wire) and from
``ec2_registry.images`` (the typed Python view), so a parameter that is parsed but dropped,
renamed or mis-rendered fails here.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from pytest_ec2image import BlockDeviceMapping, EbsBlockDevice, Ec2Error, Image, Snapshot
from tests.conftest import SNAP, SNAP2, send
from tests.ec2_model import botocore_serialize, serialize, too_old_for, unknown_members

ACCOUNT = "123456789012"
OUTPOST = "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0"
UEFI = "QU1JIHVlZmkgdmFyaWFibGUgc3RvcmU="  # base64 of "AMI uefi variable store"
CREATION_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

#: Every modern RegisterImage parameter boto3 can send, each with a non-default value.
FULL = {
    "Name": "web-2026-11-26 (v1) [x86] it's@ci_build/7",
    "Description": "Web tier, baked by CI",
    "Architecture": "x86_64",
    "KernelId": "aki-12345678",
    "RamdiskId": "ari-0123456789abcdef0",
    "RootDeviceName": "/dev/xvda",
    "BlockDeviceMappings": [
        {
            "DeviceName": "/dev/xvda",
            "Ebs": {
                "SnapshotId": SNAP,
                "VolumeSize": 40,
                "DeleteOnTermination": False,
                "VolumeType": "gp3",
                "Iops": 4000,
                "Throughput": 250,
                "VolumeInitializationRate": 200,
                "EbsCardIndex": 1,
            },
        },
        {
            "DeviceName": "/dev/xvdb",
            "Ebs": {
                "VolumeSize": 100,
                "VolumeType": "io2",
                "Iops": 5000,
                "Encrypted": True,
                "OutpostArn": OUTPOST,
                "AvailabilityZone": "us-east-1a",
            },
        },
        {
            "DeviceName": "/dev/xvdc",
            "Ebs": {"SnapshotId": SNAP2, "VolumeType": "st1", "AvailabilityZoneId": "use1-az1"},
        },
        {"DeviceName": "/dev/xvdd", "VirtualName": "ephemeral0"},
        {"DeviceName": "/dev/xvde", "NoDevice": ""},
    ],
    "VirtualizationType": "hvm",
    "SriovNetSupport": "simple",
    "EnaSupport": True,
    "BillingProducts": ["bp-6ba54002", "bp-6ba54003"],
    "BootMode": "uefi",
    "TpmSupport": "v2.0",
    "UefiData": UEFI,
    "ImdsSupport": "v2.0",
    "TagSpecifications": [
        {
            "ResourceType": "image",
            "Tags": [{"Key": "Name", "Value": "web"}, {"Key": "team", "Value": "platform"}],
        }
    ],
}

EXPECTED_MAPPINGS = (
    BlockDeviceMapping(
        device_name="/dev/xvda",
        ebs=EbsBlockDevice(
            snapshot_id=SNAP,
            volume_size=40,
            delete_on_termination=False,
            volume_type="gp3",
            iops=4000,
            throughput=250,
            encrypted=False,
            volume_initialization_rate=200,
            ebs_card_index=1,
        ),
    ),
    BlockDeviceMapping(
        device_name="/dev/xvdb",
        ebs=EbsBlockDevice(
            volume_size=100,
            delete_on_termination=True,
            volume_type="io2",
            iops=5000,
            encrypted=True,
            outpost_arn=OUTPOST,
            availability_zone="us-east-1a",
        ),
    ),
    BlockDeviceMapping(
        device_name="/dev/xvdc",
        ebs=EbsBlockDevice(
            snapshot_id=SNAP2,
            volume_size=500,
            delete_on_termination=True,
            volume_type="st1",
            encrypted=True,
            availability_zone_id="use1-az1",
        ),
    ),
    BlockDeviceMapping(device_name="/dev/xvdd", virtual_name="ephemeral0"),
    BlockDeviceMapping(device_name="/dev/xvde", no_device=True),
)


@pytest.fixture
def full_image_id(ec2, ec2_registry):
    """FULL registered through boto3 (the installed botocore must know every member)."""
    ec2_registry.add_snapshot(SNAP, size=30)
    ec2_registry.add_snapshot(SNAP2, size=500, encrypted=True)
    return ec2.register_image(**FULL)["ImageId"]


@pytest.fixture
def full_image_id_raw(ec2_registry):
    """FULL registered through raw HTTP: any botocore, or none."""
    ec2_registry.add_snapshot(SNAP, size=30)
    ec2_registry.add_snapshot(SNAP2, size=500, encrypted=True)
    answer = send(ec2_registry.endpoint_url, serialize(FULL))
    assert answer.status == 200, answer.body
    return answer.find("imageId")


@pytest.mark.skipif(bool(unknown_members(FULL)), reason="botocore too old to compare")
def test_full_is_what_botocore_sends():
    assert serialize(FULL) == botocore_serialize(FULL)


@pytest.mark.skipif(bool(too_old_for(FULL)), reason=too_old_for(FULL))
def test_every_parameter_reads_back_from_describe_images(ec2, full_image_id):
    [image] = ec2.describe_images(ImageIds=[full_image_id])["Images"]
    assert CREATION_DATE.match(image.pop("CreationDate"))
    assert image == {
        "ImageId": full_image_id,
        "ImageLocation": f"{ACCOUNT}/{FULL['Name']}",
        "State": "available",
        "OwnerId": ACCOUNT,
        "Public": False,
        "Architecture": "x86_64",
        "ImageType": "machine",
        "KernelId": "aki-12345678",
        "RamdiskId": "ari-0123456789abcdef0",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "Name": FULL["Name"],
        "Description": "Web tier, baked by CI",
        "RootDeviceType": "ebs",
        "RootDeviceName": "/dev/xvda",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "SnapshotId": SNAP,
                    "VolumeSize": 40,
                    "DeleteOnTermination": False,
                    "VolumeType": "gp3",
                    "Iops": 4000,
                    "Throughput": 250,
                    "Encrypted": False,
                    "VolumeInitializationRate": 200,
                    "EbsCardIndex": 1,
                },
            },
            {
                "DeviceName": "/dev/xvdb",
                "Ebs": {
                    "VolumeSize": 100,
                    "DeleteOnTermination": True,
                    "VolumeType": "io2",
                    "Iops": 5000,
                    "Encrypted": True,
                    "OutpostArn": OUTPOST,
                    "AvailabilityZone": "us-east-1a",
                },
            },
            {
                "DeviceName": "/dev/xvdc",
                "Ebs": {
                    "SnapshotId": SNAP2,
                    "VolumeSize": 500,
                    "DeleteOnTermination": True,
                    "VolumeType": "st1",
                    "Encrypted": True,
                    "AvailabilityZoneId": "use1-az1",
                },
            },
            {"DeviceName": "/dev/xvdd", "VirtualName": "ephemeral0"},
            {"DeviceName": "/dev/xvde", "NoDevice": ""},
        ],
        "VirtualizationType": "hvm",
        "Tags": [{"Key": "Name", "Value": "web"}, {"Key": "team", "Value": "platform"}],
        "Hypervisor": "xen",
        "SriovNetSupport": "simple",
        "EnaSupport": True,
        "BootMode": "uefi",
        "TpmSupport": "v2.0",
        "ImdsSupport": "v2.0",
        # AWS shows every owned image's protection, "disabled" by default (reference 7, 10).
        "DeregistrationProtection": "disabled",
    }


@pytest.mark.parametrize(
    "transport",
    [
        pytest.param("raw", id="raw"),
        pytest.param(
            "boto3", id="boto3", marks=pytest.mark.skipif(bool(too_old_for(FULL)), reason="old")
        ),
    ],
)
def test_every_parameter_reads_back_from_the_registry(ec2_registry, request, transport):
    fixture = "full_image_id_raw" if transport == "raw" else "full_image_id"
    full_image_id = request.getfixturevalue(fixture)
    image = ec2_registry.images[full_image_id]
    assert isinstance(image, Image)
    assert CREATION_DATE.match(image.creation_date)
    assert image == Image(
        image_id=full_image_id,
        name=FULL["Name"],
        owner_id=ACCOUNT,
        region="us-east-1",
        creation_date=image.creation_date,
        description="Web tier, baked by CI",
        architecture="x86_64",
        image_location=f"{ACCOUNT}/{FULL['Name']}",
        root_device_type="ebs",
        root_device_name="/dev/xvda",
        block_device_mappings=EXPECTED_MAPPINGS,
        virtualization_type="hvm",
        ena_support=True,
        sriov_net_support="simple",
        boot_mode="uefi",
        tpm_support="v2.0",
        uefi_data=UEFI,
        imds_support="v2.0",
        kernel_id="aki-12345678",
        ramdisk_id="ari-0123456789abcdef0",
        billing_products=("bp-6ba54002", "bp-6ba54003"),
        tags={"Name": "web", "team": "platform"},
        api_version="2016-11-15",
    )
    assert image.snapshot_ids == (SNAP, SNAP2)
    assert ec2_registry.assert_registered(name=FULL["Name"], boot_mode="uefi") == image


def test_every_parameter_reads_back_from_describe_images_xml(ec2_registry, full_image_id_raw):
    # The wire itself, for any botocore: three Ebs members have no locationName in the model,
    # so their XML names are UpperCamel (reference 4.1).
    answer = send(
        ec2_registry.endpoint_url,
        {"Action": "DescribeImages", "Version": "2016-11-15", "ImageId.1": full_image_id_raw},
    )
    [item] = answer.xml.iterfind("{*}imagesSet/{*}item")

    def text(path):
        return item.findtext("/".join(f"{{*}}{step}" for step in path.split("/")))

    assert text("name") == FULL["Name"]
    assert (text("bootMode"), text("tpmSupport"), text("imdsSupport")) == ("uefi", "v2.0", "v2.0")
    assert (text("enaSupport"), text("sriovNetSupport")) == ("true", "simple")
    tags = {
        t.findtext("{*}key"): t.findtext("{*}value") for t in item.iterfind("{*}tagSet/{*}item")
    }
    assert tags == {"Name": "web", "team": "platform"}
    root, data, from_snapshot, ephemeral, absent = item.iterfind("{*}blockDeviceMapping/{*}item")
    assert root.findtext("{*}ebs/{*}VolumeInitializationRate") == "200"
    assert root.findtext("{*}ebs/{*}EbsCardIndex") == "1"
    assert root.findtext("{*}ebs/{*}throughput") == "250"
    assert data.findtext("{*}ebs/{*}outpostArn") == OUTPOST
    assert data.findtext("{*}ebs/{*}availabilityZone") == "us-east-1a"
    assert from_snapshot.findtext("{*}ebs/{*}AvailabilityZoneId") == "use1-az1"
    assert ephemeral.findtext("{*}virtualName") == "ephemeral0"
    assert absent.findtext("{*}noDevice") == ""
    # Neither UefiData nor BillingProducts is an Image field of DescribeImages.
    assert item.find("{*}uefiData") is None
    assert item.find("{*}billingProducts") is None


# --- defaults ---------------------------------------------------------------------------------


def test_defaults_of_a_minimal_ebs_registration(ec2, ec2_registry):
    ec2_registry.add_snapshot(SNAP, size=30)
    image_id = ec2.register_image(
        Name="minimal",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )["ImageId"]
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["BlockDeviceMappings"] == [
        {
            "DeviceName": "/dev/sda1",
            "Ebs": {
                "SnapshotId": SNAP,
                "VolumeSize": 30,
                "DeleteOnTermination": True,
                "VolumeType": "gp2",
                "Encrypted": False,
            },
        }
    ]
    expected = {
        "Architecture": "i386",
        "VirtualizationType": "paravirtual",
        "Hypervisor": "xen",
        "ImageType": "machine",
        "Public": False,
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "ImageLocation": f"{ACCOUNT}/minimal",
        "RootDeviceType": "ebs",
        "RootDeviceName": "/dev/sda1",
        "State": "available",
        "OwnerId": ACCOUNT,
    }
    assert {k: image[k] for k in expected} == expected
    # Optional fields a registration never set are left out, as AWS leaves them out.
    for absent in (
        "Description",
        "KernelId",
        "RamdiskId",
        "EnaSupport",
        "SriovNetSupport",
        "BootMode",
        "TpmSupport",
        "ImdsSupport",
        "Tags",
        "Platform",
        "ImageOwnerAlias",
        "StateReason",
    ):
        assert absent not in image, absent

    stored = ec2_registry.images[image_id]
    assert stored.block_device_mappings == (
        BlockDeviceMapping(
            device_name="/dev/sda1",
            ebs=EbsBlockDevice(
                snapshot_id=SNAP,
                volume_size=30,
                delete_on_termination=True,
                volume_type="gp2",
                encrypted=False,
            ),
        ),
    )
    assert (stored.architecture, stored.virtualization_type, stored.hypervisor) == (
        "i386",
        "paravirtual",
        "xen",
    )
    assert (stored.public, stored.image_type, stored.platform_details) == (
        False,
        "machine",
        "Linux/UNIX",
    )
    assert stored.usage_operation == "RunInstances"
    assert stored.description is stored.ena_support is stored.boot_mode is None
    assert dict(stored.tags) == {}


def test_gp3_defaults_to_3000_iops_and_125_throughput(ec2, ec2_registry):
    image_id = ec2.register_image(
        Name="gp3-defaults",
        RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": SNAP, "VolumeType": "gp3"}}
        ],
    )["ImageId"]
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    ebs = image["BlockDeviceMappings"][0]["Ebs"]
    assert (ebs["VolumeType"], ebs["Iops"], ebs["Throughput"]) == ("gp3", 3000, 125)
    stored = ec2_registry.images[image_id].block_device_mappings[0].ebs
    assert (stored.iops, stored.throughput) == (3000, 125)


def test_an_empty_volume_is_unencrypted_by_default_and_a_snapshot_volume_takes_its_snapshots(
    ec2, ec2_registry
):
    ec2_registry.add_snapshot(SNAP, size=8, encrypted=True)
    image_id = ec2.register_image(
        Name="encryption",
        RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": SNAP}},
            {"DeviceName": "/dev/xvdb", "Ebs": {"VolumeSize": 10}},
        ],
    )["ImageId"]
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert [m["Ebs"]["Encrypted"] for m in image["BlockDeviceMappings"]] == [True, False]
    stored = ec2_registry.images[image_id].block_device_mappings
    assert [m.ebs.encrypted for m in stored] == [True, False]


def test_an_undeclared_snapshot_is_recorded_with_the_mapping_size(ec2, ec2_registry):
    ec2.register_image(
        Name="lenient",
        RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": SNAP, "VolumeSize": 12}},
            {"DeviceName": "/dev/xvdb", "Ebs": {"SnapshotId": SNAP2}},
        ],
    )
    assert ec2_registry.snapshots[SNAP] == Snapshot(
        snapshot_id=SNAP, owner_id=ACCOUNT, region="us-east-1", size=12, declared=False
    )
    # Without a size the snapshot gets the 8 GiB default, and so does the volume.
    assert ec2_registry.snapshots[SNAP2].size == 8
    image = ec2_registry.assert_registered(name="lenient")
    assert [m.ebs.volume_size for m in image.block_device_mappings] == [12, 8]


def test_an_s3_backed_image_keeps_its_location_as_given(ec2, ec2_registry):
    image_id = ec2.register_image(
        Name="from-s3", ImageLocation="my-bucket/images/web.manifest.xml"
    )["ImageId"]
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["ImageLocation"] == "my-bucket/images/web.manifest.xml"
    assert image["RootDeviceType"] == "instance-store"
    assert image["BlockDeviceMappings"] == []
    assert "RootDeviceName" not in image
    stored = ec2_registry.images[image_id]
    assert stored.image_location == "my-bucket/images/web.manifest.xml"
    assert (stored.root_device_type, stored.root_device_name) == ("instance-store", None)


def test_an_s3_backed_image_takes_virtual_name_and_no_device_mappings(ec2, ec2_registry):
    image_id = ec2.register_image(
        Name="from-s3-mapped",
        ImageLocation="my-bucket/web.manifest.xml",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
            {"DeviceName": "/dev/sdc", "NoDevice": ""},
        ],
    )["ImageId"]
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["BlockDeviceMappings"] == [
        {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
        {"DeviceName": "/dev/sdc", "NoDevice": ""},
    ]


def test_a_partition_less_root_mapping_counts_as_the_root(ec2, ec2_registry):
    # AWS keeps AMIs whose RootDeviceName /dev/sda1 is mapped as /dev/sda (reference 3.5).
    image_id = ec2.register_image(
        Name="partition",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda", "Ebs": {"SnapshotId": SNAP}}],
    )["ImageId"]
    stored = ec2_registry.images[image_id]
    assert (stored.root_device_name, stored.block_device_mappings[0].device_name) == (
        "/dev/sda1",
        "/dev/sda",
    )


def test_mappings_without_root_device_name_default_the_root_to_dev_sda1(ec2, ec2_registry):
    image_id = ec2.register_image(
        Name="default-root",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )["ImageId"]
    assert ec2_registry.images[image_id].root_device_name == "/dev/sda1"


def test_ena_support_false_is_stored_and_shown(ec2, ec2_registry):
    image_id = ec2.register_image(
        Name="no-ena",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
        EnaSupport=False,
    )["ImageId"]
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["EnaSupport"] is False
    assert ec2_registry.images[image_id].ena_support is False


@pytest.mark.parametrize(
    ("architecture", "virtualization"),
    [("i386", "paravirtual"), ("arm64", "hvm"), ("x86_64_mac", "hvm"), ("arm64_mac", "hvm")],
)
def test_every_architecture_is_accepted(ec2, ec2_registry, architecture, virtualization):
    image_id = ec2.register_image(
        Name=f"arch-{architecture}",
        Architecture=architecture,
        VirtualizationType=virtualization,
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )["ImageId"]
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["Architecture"] == ec2_registry.images[image_id].architecture == architecture


@pytest.mark.parametrize(
    ("volume_type", "extra"),
    [
        ("standard", {"VolumeSize": 8}),
        ("gp2", {"VolumeSize": 8}),
        ("gp3", {"VolumeSize": 8, "Iops": 3000, "Throughput": 125}),
        ("io1", {"VolumeSize": 8, "Iops": 100}),
        ("io2", {"VolumeSize": 8, "Iops": 256000}),
        ("st1", {"VolumeSize": 125}),
        ("sc1", {"VolumeSize": 16384}),
    ],
)
def test_every_volume_type_is_accepted(ec2, ec2_registry, volume_type, extra):
    image_id = ec2.register_image(
        Name=f"type-{volume_type}",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}},
            {"DeviceName": "/dev/sdb", "Ebs": {"VolumeType": volume_type, **extra}},
        ],
    )["ImageId"]
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    ebs = image["BlockDeviceMappings"][1]["Ebs"]
    assert ebs["VolumeType"] == volume_type
    assert {k: ebs[k] for k in extra} == extra
    assert ec2_registry.images[image_id].block_device_mappings[1].ebs.volume_type == volume_type


@pytest.mark.parametrize("boot_mode", ["legacy-bios", "uefi", "uefi-preferred"])
def test_every_boot_mode_is_accepted(ec2, ec2_registry, boot_mode):
    image_id = ec2.register_image(
        Name=f"boot-{boot_mode}",
        BootMode=boot_mode,
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )["ImageId"]
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["BootMode"] == ec2_registry.images[image_id].boot_mode == boot_mode


def test_a_tag_without_value_gets_the_empty_string(ec2, ec2_registry):
    request = {
        "Name": "tag-no-value",
        "RootDeviceName": "/dev/sda1",
        "BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
        "TagSpecifications": [{"ResourceType": "image", "Tags": [{"Key": "flag"}]}],
    }
    # Raw: botocore before 1.3x has no TagSpecifications on RegisterImage.
    image_id = send(ec2_registry.endpoint_url, serialize(request)).find("imageId")
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["Tags"] == [{"Key": "flag", "Value": ""}]
    assert dict(ec2_registry.images[image_id].tags) == {"flag": ""}


def test_the_returned_id_is_a_modern_ami_id(ec2):
    image_id = ec2.register_image(
        Name="id-format",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )["ImageId"]
    assert re.fullmatch(r"ami-[0-9a-f]{17}", image_id)


# --- the call log -----------------------------------------------------------------------------


def test_the_call_log_records_a_registration(ec2, ec2_registry):
    image_id = ec2.register_image(
        Name="logged",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )["ImageId"]
    [call] = ec2_registry.calls.of("RegisterImage")
    assert dict(call.params) == {
        "Action": "RegisterImage",
        "Version": "2016-11-15",
        "Name": "logged",
        "RootDeviceName": "/dev/sda1",
        "BlockDeviceMapping.1.DeviceName": "/dev/sda1",
        "BlockDeviceMapping.1.Ebs.SnapshotId": SNAP,
    }
    assert (call.status, call.ok, call.image_id) == (200, True, image_id)
    assert (call.error_code, call.error_message, call.fault) == (None, None, None)
    assert (call.auth, call.access_key) == ("sigv4", "AKIAIOSFODNN7EXAMPLE")
    assert (call.method, call.version, call.region) == ("POST", "2016-11-15", "us-east-1")
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", call.request_id
    )
    assert call.summary() == f"RegisterImage Name=logged -> 200 {image_id}"
    ec2_registry.assert_called("RegisterImage", times=1)


def test_the_call_log_records_a_rejected_registration(ec2, ec2_registry, raw):
    answer = raw({"Action": "RegisterImage", "Version": "2016-11-15", "Name": "a,b"})
    [call] = ec2_registry.calls.of("RegisterImage")
    assert (call.status, call.ok, call.image_id) == (400, False, None)
    assert call.error_code == answer.code == "InvalidAMIName.Malformed"
    assert call.error_message == answer.message
    assert (call.auth, call.access_key, call.method) == ("none", None, "POST")
    assert call.request_id == answer.xml.findtext("RequestID")
    assert call.summary() == "RegisterImage Name=a,b -> 400 InvalidAMIName.Malformed"


def test_the_call_log_records_sigv2_access_keys(ec2_registry, raw):
    raw(
        {
            "Action": "RegisterImage",
            "Version": "2014-05-01",
            "Name": "sigv2",
            "ImageLocation": "bucket/sigv2.manifest.xml",
            "AWSAccessKeyId": "AKIDSIGV2EXAMPLE",
            "SignatureMethod": "HmacSHA256",
            "SignatureVersion": "2",
            "Timestamp": "2026-11-26T22:23:41Z",
            "Signature": "c2lnbmF0dXJl",
        }
    )
    [call] = ec2_registry.calls
    assert call.ok
    assert (call.auth, call.access_key) == ("sigv2", "AKIDSIGV2EXAMPLE")
    # Auth parameters are not request data: the log keeps only the real parameters.
    assert set(call.params) == {"Action", "Version", "Name", "ImageLocation"}


# --- the Python API ---------------------------------------------------------------------------


def test_add_image_preloads_an_image_describe_images_shows(ec2, ec2_registry):
    image = ec2_registry.add_image(
        "preloaded",
        architecture="x86_64",
        description="from an earlier bake",
        state="pending",
        tags={"team": "qa"},
        creation_date="2025-01-15T10:11:12.000Z",
        block_device_mappings=[
            {"device_name": "/dev/xvda", "ebs": {"snapshot_id": SNAP, "volume_size": 20}}
        ],
        root_device_name="/dev/xvda",
    )
    assert ec2_registry.images == {image.image_id: image}
    assert re.fullmatch(r"ami-[0-9a-f]{17}", image.image_id)
    [shown] = ec2.describe_images(ImageIds=[image.image_id])["Images"]
    assert shown["State"] == "pending"
    assert shown["CreationDate"] == "2025-01-15T10:11:12.000Z"
    assert shown["ImageLocation"] == f"{ACCOUNT}/preloaded"
    assert shown["Tags"] == [{"Key": "team", "Value": "qa"}]
    assert shown["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"] == 20
    assert image.block_device_mappings[0].ebs == EbsBlockDevice(snapshot_id=SNAP, volume_size=20)


def test_add_image_of_another_owner_does_not_take_the_name_from_this_account(ec2, ec2_registry):
    other = ec2_registry.add_image("shared-name", owner_id="210987654321", public=True)
    image_id = ec2.register_image(Name="shared-name", ImageLocation="b/shared.manifest.xml")[
        "ImageId"
    ]
    assert {other.image_id, image_id} == set(ec2_registry.images)


def test_add_image_rejects_what_aws_could_not_hold(ec2_registry):
    with pytest.raises(Ec2Error) as malformed:
        ec2_registry.add_image("a,b")
    assert malformed.value.code == "InvalidAMIName.Malformed"
    ec2_registry.add_image("taken")
    with pytest.raises(ValueError, match="AMI name taken is already in use by AMI ami-"):
        ec2_registry.add_image("taken")
    with pytest.raises(TypeError, match="unknown fields: colour"):
        ec2_registry.add_image("fields", colour="red")
    with pytest.raises(Ec2Error) as long_description:
        ec2_registry.add_image("described", description="d" * 256)
    assert long_description.value.code == "InvalidParameterValue"


def test_add_snapshot_declares_size_encryption_and_state(ec2_registry):
    declared = ec2_registry.add_snapshot(SNAP, size=30, encrypted=True, state="pending")
    assert declared == Snapshot(
        snapshot_id=SNAP,
        owner_id=ACCOUNT,
        region="us-east-1",
        size=30,
        encrypted=True,
        state="pending",
    )
    assert ec2_registry.snapshots == {SNAP: declared}
    fresh = ec2_registry.add_snapshot()
    assert re.fullmatch(r"snap-0[0-9a-f]{16}", fresh.snapshot_id)
    assert (fresh.size, fresh.encrypted, fresh.state) == (8, False, "completed")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"snapshot_id": "snap-xyz"}, "'snap-xyz' is not a snapshot id"),
        ({"snapshot_id": "vol-0123456789abcdef0"}, "is not a snapshot id"),
        ({"size": 0}, "snapshot size must be at least 1 GiB, got 0"),
    ],
)
def test_add_snapshot_rejects_bad_values(ec2_registry, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        ec2_registry.add_snapshot(**kwargs)


def test_add_snapshot_undoes_missing_snapshot(ec2, ec2_registry):
    ec2_registry.missing_snapshot(SNAP)
    ec2_registry.add_snapshot(SNAP)
    ec2.register_image(
        Name="back",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )
    ec2_registry.assert_registered(name="back")


@pytest.mark.ec2_registry(
    images=[{"name": "preloaded-by-marker"}], snapshots=[{"snapshot_id": SNAP, "size": 30}]
)
def test_reset_returns_to_the_configured_start_state(ec2, ec2_registry):
    [preloaded] = ec2_registry.images.values()
    ec2.register_image(
        Name="transient",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP2}}],
    )
    ec2_registry.throttle(times=None)
    assert len(ec2_registry.images) == 2
    assert set(ec2_registry.snapshots) == {SNAP, SNAP2}

    ec2_registry.reset()

    assert [i.name for i in ec2_registry.images.values()] == ["preloaded-by-marker"]
    assert list(ec2_registry.images) == [preloaded.image_id]
    assert set(ec2_registry.snapshots) == {SNAP}
    assert ec2_registry.snapshots[SNAP].size == 30
    assert len(ec2_registry.calls) == 0
    # The throttle fault is gone too: the next call succeeds.
    ec2.register_image(Name="after-reset", ImageLocation="b/after.manifest.xml")
    ec2_registry.assert_registered(name="after-reset")


def test_a_fixed_clock_gives_fixed_strictly_increasing_creation_dates(ec2, ec2_registry):
    ec2_registry.clock = datetime(2026, 11, 26, 10, 11, 12, tzinfo=timezone.utc)
    first = ec2.register_image(Name="clock-1", ImageLocation="b/c1.manifest.xml")["ImageId"]
    second = ec2.register_image(Name="clock-2", ImageLocation="b/c2.manifest.xml")["ImageId"]
    dates = [ec2_registry.images[i].creation_date for i in (first, second)]
    assert dates == ["2026-11-26T10:11:12.000Z", "2026-11-26T10:11:12.001Z"]
