"""Version-faithful answers: one store, each request answered in its API version's shape."""

from __future__ import annotations

import pytest

from tests.conftest import SNAP

SEED_IMAGE_FIELDS = {
    "imageId",
    "imageLocation",
    "imageState",
    "imageOwnerId",
    "isPublic",
    "architecture",
    "imageType",
    "name",
    "description",
    "rootDeviceType",
    "rootDeviceName",
    "blockDeviceMapping",
}
MODERN_ONLY = {
    "creationDate",
    "virtualizationType",
    "hypervisor",
    "tagSet",
    "platformDetails",
    "usageOperation",
    "enaSupport",
    "bootMode",
}


def _children(element):
    return {child.tag.split("}")[-1] for child in element}


def _describe(raw, version, image_id):
    params = {"Action": "DescribeImages", "ImageId.1": image_id}
    if version is not None:
        params["Version"] = version
    answer = raw(params, method="GET")
    assert answer.status == 200, answer.body
    return answer


@pytest.fixture
def image_id(ec2):
    return ec2.register_image(
        Name="web-1",
        Description="both eras",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP, "VolumeType": "gp3"}}
        ],
        VirtualizationType="hvm",
        EnaSupport=True,
        BootMode="uefi",
        TagSpecifications=[{"ResourceType": "image", "Tags": [{"Key": "env", "Value": "dev"}]}],
    )["ImageId"]


@pytest.mark.parametrize("version", ["2009-10-31", None, "2008-12-01"])
def test_seed_era_request_sees_only_seed_era_fields(raw, image_id, version):
    answer = _describe(raw, version, image_id)
    namespace = answer.xml.tag.split("}")[0].lstrip("{")
    assert namespace == f"http://ec2.amazonaws.com/doc/{version or '2009-10-31'}/"
    item = next(answer.xml.iter("{*}item"))
    assert _children(item) == SEED_IMAGE_FIELDS
    [ebs] = list(item.iter("{*}ebs"))
    assert _children(ebs) == {"snapshotId", "volumeSize", "deleteOnTermination"}


@pytest.mark.parametrize("version", ["2016-11-15", "2014-10-01"])
def test_modern_request_sees_todays_fields(raw, image_id, version):
    answer = _describe(raw, version, image_id)
    assert answer.xml.tag == f"{{http://ec2.amazonaws.com/doc/{version}/}}DescribeImagesResponse"
    item = next(answer.xml.iter("{*}item"))
    fields = _children(item)
    assert fields >= SEED_IMAGE_FIELDS | MODERN_ONLY
    assert answer.find("creationDate").endswith("Z")
    assert answer.find("virtualizationType") == "hvm"
    assert answer.find("hypervisor") == "xen"
    assert answer.find("volumeType") == "gp3"
    assert answer.find("platformDetails") == "Linux/UNIX"


def test_boto3_sees_the_modern_shape(ec2, image_id):
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["CreationDate"].endswith("Z")
    assert image["VirtualizationType"] == "hvm"
    assert image["Hypervisor"] == "xen"
    assert image["EnaSupport"] is True
    assert image["BootMode"] == "uefi"
    assert image["Tags"] == [{"Key": "env", "Value": "dev"}]
    assert image["BlockDeviceMappings"][0]["Ebs"]["VolumeType"] == "gp3"


def test_seed_registration_is_described_in_both_shapes(raw, ec2_registry):
    registered = raw(
        {
            "Action": "RegisterImage",
            "Version": "2009-10-31",
            "Name": "seed-image",
            "RootDeviceName": "/dev/sda1",
            "BlockDeviceMapping.1.DeviceName": "/dev/sda1",
            "BlockDeviceMapping.1.Ebs.SnapshotId": "snap-6eba6e06",
        },
        method="GET",
    )
    image_id = registered.find("imageId")
    assert len(image_id) == len("ami-61a54008")

    seed_item = next(_describe(raw, "2009-10-31", image_id).xml.iter("{*}item"))
    assert _children(seed_item) == SEED_IMAGE_FIELDS - {"description"}
    modern = _describe(raw, "2016-11-15", image_id)
    assert modern.find("creationDate") is not None
    assert modern.find("virtualizationType") == "paravirtual"
    assert modern.find("volumeType") == "standard"
