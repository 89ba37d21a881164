"""Tests of the release module against pytest-ec2image's ``ec2_registry`` fixture: share with
accounts and an organization, copy to another region, deprecate in N days, protect; and what
the accounts it shared with can then do.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import bake
import pytest
import release
from botocore.exceptions import ClientError

from pytest_ec2image import Ec2Registry

SNAPSHOT = "snap-0123456789abcdef0"
NAME = "web-2026-11-26"
PARTNER = "210987654321"
STRANGER = "333333333333"
ORGANIZATION = "arn:aws:organizations::123456789012:organization/o-abcd1234ef"
NOW = datetime(2026, 11, 26, 12, 0, 29, tzinfo=timezone.utc)


@pytest.fixture
def published(ec2_registry: Ec2Registry) -> str:
    ec2_registry.clock = NOW
    return bake.publish(NAME, snapshot_id=SNAPSHOT, poll_delay=0)


def test_release_shares_copies_deprecates_and_protects(
    ec2_registry: Ec2Registry, published: str
) -> None:
    done = release.release(
        published,
        share_with=[PARTNER],
        organization_arn=ORGANIZATION,
        copy_to=["eu-west-1"],
        deprecate_in_days=90,
        now=lambda: NOW,
    )

    image = ec2_registry.images[published]
    assert image.launch_permissions == (PARTNER,)
    assert image.organization_arns == (ORGANIZATION,)
    assert not image.public
    # EC2 rounds the deprecation time to the minute (12:00:29 -> 12:00).
    assert image.deprecation_time == "2027-02-24T12:00:00.000Z"
    assert image.deregistration_protection == "enabled-without-cooldown"
    assert ec2_registry.snapshots[SNAPSHOT].create_volume_permissions == (PARTNER,)

    copy = ec2_registry.in_region("eu-west-1").images[done.copies["eu-west-1"]]
    assert (copy.name, copy.source_image_id, copy.source_image_region) == (
        NAME,
        published,
        "us-east-1",
    )
    assert copy.deprecation_time == image.deprecation_time
    assert copy.deregistration_protection == "enabled-without-cooldown"
    assert dict(copy.tags)["built-by"] == "bake"
    assert done.deprecate_at == NOW + timedelta(days=90)


def test_the_partner_can_see_and_copy_it_and_a_stranger_cannot(
    ec2_registry: Ec2Registry, published: str
) -> None:
    release.release(published, share_with=[PARTNER], protect=False)

    partner = ec2_registry.client(account_id=PARTNER)
    assert [i["ImageId"] for i in partner.describe_images(ExecutableUsers=["self"])["Images"]] == [
        published
    ]
    copy_id = partner.copy_image(
        Name="partner-copy", SourceImageId=published, SourceRegion="us-east-1"
    )["ImageId"]
    assert ec2_registry.images[copy_id].owner_id == PARTNER

    stranger = ec2_registry.client(account_id=STRANGER)
    assert stranger.describe_images(ExecutableUsers=["self"])["Images"] == []
    with pytest.raises(ClientError) as raised:
        stranger.copy_image(Name="stolen", SourceImageId=published, SourceRegion="us-east-1")
    assert raised.value.response["Error"]["Code"] == "InvalidAMIID.NotFound"


def test_a_retried_copy_is_not_copied_twice(ec2_registry: Ec2Registry, published: str) -> None:
    # The copy's answer is lost after EC2 made it: boto3 retries with the same ClientToken.
    ec2_registry.in_region("eu-west-1").disconnect("CopyImage", after_commit=True)

    done = release.release(published, copy_to=["eu-west-1"], protect=False)

    europe = ec2_registry.in_region("eu-west-1")
    assert list(europe.images) == [done.copies["eu-west-1"]]
    assert len(ec2_registry.calls.of("CopyImage")) == 2


def test_a_protected_image_cannot_be_deregistered(
    ec2_registry: Ec2Registry, published: str
) -> None:
    release.release(published)

    with pytest.raises(ClientError) as raised:
        ec2_registry.client().deregister_image(ImageId=published)

    assert raised.value.response["Error"]["Code"] == "OperationNotPermitted"
    assert published in ec2_registry.images


def test_throttling_mid_way_is_retried(ec2_registry: Ec2Registry, published: str) -> None:
    ec2_registry.throttle("EnableImageDeprecation", times=2)

    release.release(published, deprecate_in_days=30, now=lambda: NOW)

    assert ec2_registry.images[published].deprecation_time == "2026-12-26T12:00:00.000Z"
    calls = ec2_registry.calls.of("EnableImageDeprecation")
    assert [c.status for c in calls] == [503, 503, 200]
