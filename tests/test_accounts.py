"""Regions and accounts: the SigV4 scope picks the region, the access key picks the account."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from pytest_ec2image.registry import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY
from pytest_ec2image.wire.auth import Credential
from tests.conftest import SNAP

OTHER_KEY, OTHER_SECRET, OTHER_ACCOUNT = "AKIAOTHERACCOUNT0001", "other-secret", "210987654321"
MAPPING = [{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}]


def _register(client, name):
    return client.register_image(
        Name=name, RootDeviceName="/dev/sda1", BlockDeviceMappings=MAPPING
    )["ImageId"]


@pytest.fixture
def other(ec2_registry):
    """A client whose access key acts for another account."""
    ec2_registry.add_credentials(OTHER_KEY, OTHER_SECRET, account_id=OTHER_ACCOUNT)
    return ec2_registry.client(aws_access_key_id=OTHER_KEY, aws_secret_access_key=OTHER_SECRET)


# --- regions ---------------------------------------------------------------------------------


def test_sigv4_scope_region_selects_the_region_state(ec2_registry):
    west = ec2_registry.client(region_name="eu-west-1")
    image_id = _register(west, "web-1")

    assert image_id in ec2_registry.in_region("eu-west-1").images
    assert ec2_registry.images == {}
    assert ec2_registry.calls[0].region == "eu-west-1"
    assert west.describe_images(ImageIds=[image_id])["Images"][0]["Name"] == "web-1"
    with pytest.raises(ClientError) as raised:
        ec2_registry.client().describe_images(ImageIds=[image_id])
    assert raised.value.response["Error"]["Code"] == "InvalidAMIID.NotFound"


def test_same_name_in_two_regions_is_fine(ec2_registry):
    _register(ec2_registry.client(), "web-1")
    _register(ec2_registry.client(region_name="ap-southeast-2"), "web-1")
    assert len(ec2_registry.images) == 1
    assert len(ec2_registry.in_region("ap-southeast-2").images) == 1


def test_region_selection_holds_with_signature_verification(ec2_registry):
    ec2_registry.verify_signatures = True
    _register(ec2_registry.client(region_name="eu-central-1"), "web-1")
    assert len(ec2_registry.in_region("eu-central-1").images) == 1


def test_sigv2_requests_use_the_default_region(raw, ec2_registry):
    answer = raw(
        {
            "Action": "DescribeImages",
            "Version": "2014-05-01",
            "AWSAccessKeyId": TEST_ACCESS_KEY_ID,
        }
    )
    assert answer.status == 200
    assert ec2_registry.calls[0].region == ec2_registry.region


# --- accounts --------------------------------------------------------------------------------


def test_credentials_list_the_test_key_and_added_keys(ec2_registry, other):
    assert ec2_registry.credentials == {
        TEST_ACCESS_KEY_ID: Credential(TEST_SECRET_ACCESS_KEY, ec2_registry.account_id),
        OTHER_KEY: Credential(OTHER_SECRET, OTHER_ACCOUNT),
    }
    ec2_registry.reset()
    assert OTHER_KEY in ec2_registry.credentials


def test_a_key_bound_to_another_account_registers_for_that_account(ec2_registry, other):
    image_id = _register(other, "web-1")
    image = ec2_registry.images[image_id]
    assert image.owner_id == OTHER_ACCOUNT
    assert image.image_location == f"{OTHER_ACCOUNT}/web-1"
    [described] = other.describe_images(Owners=["self"])["Images"]
    assert described["OwnerId"] == OTHER_ACCOUNT


def test_duplicate_names_are_per_account(ec2, ec2_registry, other):
    mine = _register(ec2, "web-1")
    theirs = _register(other, "web-1")
    assert mine != theirs

    with pytest.raises(ClientError) as raised:
        _register(other, "web-1")
    assert raised.value.response["Error"] == {
        "Code": "InvalidAMIName.Duplicate",
        "Message": f"AMI name web-1 is already in use by AMI {theirs}",
    }


def test_owner_self_shows_only_the_callers_account(ec2, ec2_registry, other):
    mine = _register(ec2, "mine-1")
    theirs = _register(other, "theirs-1")

    assert [i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"]] == [mine]
    assert [i["ImageId"] for i in other.describe_images(Owners=["self"])["Images"]] == [theirs]
    # Private images of another account are not visible at all.
    assert [i["ImageId"] for i in ec2.describe_images()["Images"]] == [mine]
    assert other.describe_images(Owners=[ec2_registry.account_id])["Images"] == []


def test_deregistering_another_accounts_image_is_not_authorized(ec2, other):
    theirs = _register(other, "theirs-1")
    with pytest.raises(ClientError) as raised:
        ec2.deregister_image(ImageId=theirs)
    assert raised.value.response["Error"] == {
        "Code": "AuthFailure",
        "Message": f"Not authorized for image:{theirs}",
    }
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_another_accounts_key_is_verified_with_its_own_secret(ec2_registry, other):
    ec2_registry.verify_signatures = True
    _register(other, "web-1")
    forged = ec2_registry.client(aws_access_key_id=OTHER_KEY)  # signed with the test secret
    with pytest.raises(ClientError) as raised:
        forged.describe_images()
    assert raised.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_unknown_key_acts_for_the_default_account_when_not_verifying(ec2_registry):
    client = ec2_registry.client(aws_access_key_id="AKIANEVERDECLARED001")
    image_id = _register(client, "web-1")
    assert ec2_registry.images[image_id].owner_id == ec2_registry.account_id
    assert ec2_registry.calls[0].access_key == "AKIANEVERDECLARED001"


def test_a_key_added_without_account_follows_the_registry_account(ec2_registry):
    ec2_registry.add_credentials("AKIASAMEACCOUNT00001", "s3cret")
    assert ec2_registry.credentials["AKIASAMEACCOUNT00001"] == ("s3cret", ec2_registry.account_id)
    client = ec2_registry.client(
        aws_access_key_id="AKIASAMEACCOUNT00001", aws_secret_access_key="s3cret"
    )
    image_id = _register(client, "web-1")
    assert ec2_registry.images[image_id].owner_id == ec2_registry.account_id


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("", "s"), {}, "non-empty"),
        (("AKIAX", ""), {}, "non-empty"),
        (("AKIAX", "s"), {"account_id": "12345"}, "12 digits"),
    ],
)
def test_add_credentials_rejects_bad_values(ec2_registry, args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ec2_registry.add_credentials(*args, **kwargs)
