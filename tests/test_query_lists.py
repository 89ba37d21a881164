"""Query lists (SPEC 4.8): members numbered from any non-negative integer, gaps allowed, taken
in index order, for every list parameter; absurd indexes refused clearly. boto3 numbers from 1,
so these are raw requests, as clients that number from 0 (Apache libcloud) send them."""

from __future__ import annotations

import pytest

from tests.conftest import SNAP, SNAP2


def test_register_image_with_mappings_numbered_from_zero(raw, ec2_registry):
    answer = raw(
        {
            "Action": "RegisterImage",
            "Version": "2016-11-15",
            "Name": "web-1",
            "RootDeviceName": "/dev/sda1",
            "BlockDeviceMapping.0.DeviceName": "/dev/sda1",
            "BlockDeviceMapping.0.Ebs.SnapshotId": SNAP,
            "BlockDeviceMapping.7.DeviceName": "/dev/sdb",
            "BlockDeviceMapping.7.Ebs.SnapshotId": SNAP2,
            "BlockDeviceMapping.3.DeviceName": "/dev/sdc",
            "BlockDeviceMapping.3.VirtualName": "ephemeral0",
        }
    )
    assert answer.status == 200, answer.body
    image = ec2_registry.images[answer.find("imageId")]
    # Index order (0, 3, 7), not the order they arrived in.
    assert [m.device_name for m in image.block_device_mappings] == [
        "/dev/sda1",
        "/dev/sdc",
        "/dev/sdb",
    ]


def test_create_tags_numbered_from_zero_as_libcloud_sends_it(raw, ec2_registry):
    image = ec2_registry.add_image("web-1")
    answer = raw(
        {
            "Action": "CreateTags",
            "Version": "2016-11-15",
            "ResourceId.0": image.image_id,
            "Tag.0.Key": "team",
            "Tag.0.Value": "bake",
            "Tag.2.Key": "stage",
            "Tag.2.Value": "prod",
        }
    )
    assert (answer.status, answer.find("return")) == (200, "true"), answer.body
    assert dict(ec2_registry.images[image.image_id].tags) == {"team": "bake", "stage": "prod"}


def test_describe_images_ids_and_filters_from_zero(raw, ec2_registry):
    first, second = ec2_registry.add_image("web-1"), ec2_registry.add_image("web-2")
    answer = raw(
        {
            "Action": "DescribeImages",
            "Version": "2016-11-15",
            "ImageId.0": second.image_id,
            "ImageId.4": first.image_id,
            "Filter.0.Name": "name",
            "Filter.0.Value.0": "web-*",
        }
    )
    assert answer.status == 200, answer.body
    ids = [e.text for e in answer.xml.iter() if e.tag.endswith("}imageId")]
    assert sorted(ids) == sorted([first.image_id, second.image_id])


@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("ResourceId.01", "01"),
        ("ResourceId.00", "00"),
        ("ResourceId.10001", "10001"),
        ("Tag.99999999999.Key", "99999999999"),
    ],
)
def test_leading_zeros_and_absurd_indexes_are_refused_naming_them(raw, ec2_registry, name, index):
    image = ec2_registry.add_image("web-1")
    params = {"Action": "CreateTags", "Version": "2016-11-15", "ResourceId.1": image.image_id}
    params.setdefault(name, "x")
    params.setdefault("Tag.1.Key", "k")
    answer = raw(params)
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")
    assert answer.message == (
        f"Value ({index}) for parameter {name} is invalid. "
        "List indexes run from 0 to 10000, without leading zeros."
    )
    assert ec2_registry.images[image.image_id].tags == {}
