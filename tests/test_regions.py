"""Regions are real state: each SigV4 scope reaches its own images, names and snapshots."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import SNAP, register


def test_a_client_of_another_region_lands_there(ec2_registry):
    # Built like user code: only the region differs from the autowired environment.
    sydney = boto3.client("ec2", region_name="ap-southeast-2")
    image_id = register(sydney, "web-1")
    assert ec2_registry.images == {}
    view = ec2_registry.in_region("ap-southeast-2")
    assert view.region == "ap-southeast-2"
    assert list(view.images) == [image_id]
    assert view.images[image_id].region == "ap-southeast-2"
    assert SNAP in view.snapshots  # recorded in the region that registered it
    assert SNAP not in ec2_registry.snapshots
    [call] = ec2_registry.calls.of("RegisterImage")
    assert call.region == "ap-southeast-2"


def test_each_region_describes_only_its_images(ec2, ec2_registry):
    home = register(ec2, "web-1")
    eu = ec2_registry.client(region_name="eu-west-1")
    away = register(eu, "web-1")  # same name, other region: allowed
    assert [i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"]] == [home]
    assert [i["ImageId"] for i in eu.describe_images(Owners=["self"])["Images"]] == [away]
    with pytest.raises(ClientError) as raised:
        eu.describe_images(ImageIds=[home])
    assert raised.value.response["Error"]["Code"] == "InvalidAMIID.NotFound"
    with pytest.raises(ClientError) as raised:
        register(eu, "web-1")
    assert raised.value.response["Error"]["Code"] == "InvalidAMIName.Duplicate"


def test_in_region_view_seeds_and_reads_that_region(ec2_registry):
    view = ec2_registry.in_region("eu-central-1")
    preloaded = view.add_image("eu-only")
    view.add_snapshot(SNAP, size=30)
    frankfurt = ec2_registry.client(region_name="eu-central-1")
    [image] = frankfurt.describe_images(Owners=["self"])["Images"]
    assert image["ImageId"] == preloaded.image_id
    [snapshot] = frankfurt.describe_snapshots(SnapshotIds=[SNAP])["Snapshots"]
    assert snapshot["VolumeSize"] == 30
    assert ec2_registry.images == {}
    assert view.assert_registered(name="eu-only").image_id == preloaded.image_id
    view.assert_not_registered("web-1")


def test_fail_image_in_a_region_view(ec2_registry):
    eu = ec2_registry.client(region_name="eu-west-1")
    image_id = register(eu, "web-1")
    ec2_registry.in_region("eu-west-1").fail_image(image_id, "snapshot lost")
    [image] = eu.describe_images(ImageIds=[image_id])["Images"]
    assert image["State"] == "failed"
    assert image["StateReason"]["Message"] == "snapshot lost"


@pytest.mark.ec2_registry(region="eu-west-2")
def test_the_registry_region_is_the_autowired_default(ec2_registry, ec2):
    image_id = register(ec2, "web-1")
    assert ec2_registry.region == "eu-west-2"
    assert list(ec2_registry.images) == [image_id]
    assert ec2_registry.in_region("us-east-1").images == {}


def test_tags_and_deregister_act_in_the_request_region(ec2_registry, ec2):
    eu = ec2_registry.client(region_name="eu-west-1")
    here, there = register(ec2, "web-1"), register(eu, "web-1")
    eu.create_tags(Resources=[there], Tags=[{"Key": "where", "Value": "eu"}])
    with pytest.raises(ClientError) as raised:
        eu.create_tags(Resources=[here], Tags=[{"Key": "where", "Value": "eu"}])
    assert raised.value.response["Error"]["Code"] == "InvalidAMIID.NotFound"
    assert dict(ec2_registry.in_region("eu-west-1").images[there].tags) == {"where": "eu"}
    assert dict(ec2_registry.images[here].tags) == {}
