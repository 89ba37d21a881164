"""The failures every image-bake pipeline should be tested against, injected with
pytest-ec2image's faults: a taken name, throttling (with and beyond the client's retries), a
missing snapshot, and an image that fails after registration.

Each test checks what the pipeline *did* (the call log) as well as what it raised: a pipeline
that tags or reuses an image it should not have is the bug these tests exist to catch.
"""

from __future__ import annotations

import bake
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError

from pytest_ec2image import Ec2Registry

SNAPSHOT = "snap-0123456789abcdef0"
NAME = "web-2026-11-26"


# --- a taken name ---------------------------------------------------------------------------------


def test_a_taken_name_raises_and_leaves_the_existing_image_alone(
    ec2_registry: Ec2Registry,
) -> None:
    existing = ec2_registry.duplicate_name(NAME)

    with pytest.raises(bake.ImageExists) as raised:
        bake.publish(NAME, snapshot_id=SNAPSHOT, poll_delay=0)

    assert raised.value.image_id == existing.image_id
    assert list(ec2_registry.images) == [existing.image_id]
    ec2_registry.assert_called("CreateTags", times=0)  # nobody else's image got our tags


def test_a_lost_answer_makes_the_retry_meet_our_own_image(ec2_registry: Ec2Registry) -> None:
    # RegisterImage has no ClientToken: when its answer is lost after the image was
    # registered, the SDK's retry is told the name is taken, by the image the first attempt
    # made. The pipeline must not treat that as someone else's image silently.
    ec2_registry.disconnect("RegisterImage", after_commit=True)

    with pytest.raises(bake.ImageExists) as raised:
        bake.publish(NAME, snapshot_id=SNAPSHOT, poll_delay=0)

    [only] = ec2_registry.images.values()
    assert raised.value.image_id == only.image_id
    first, retry = ec2_registry.calls.of("RegisterImage")
    assert (first.status, first.image_id) == (0, only.image_id)  # no answer, but registered
    assert retry.error_code == "InvalidAMIName.Duplicate"


# --- throttling -----------------------------------------------------------------------------------


@pytest.mark.ec2_fault("RegisterImage", "RequestLimitExceeded", times=2)
def test_throttling_is_retried_by_the_client(ec2_registry: Ec2Registry) -> None:
    image_id = bake.publish(NAME, snapshot_id=SNAPSHOT, poll_delay=0)

    registers = ec2_registry.assert_called("RegisterImage", times=3)
    assert [call.status for call in registers] == [503, 503, 200]
    ec2_registry.assert_registered(name=NAME, image_id=image_id)


def test_throttling_beyond_the_retry_budget_fails_the_bake(ec2_registry: Ec2Registry) -> None:
    # A small retry budget keeps the test fast; the default client would try 5 times.
    ec2 = ec2_registry.client(config=Config(retries={"mode": "standard", "total_max_attempts": 2}))
    fault = ec2_registry.throttle("RegisterImage", times=None)

    with pytest.raises(ClientError) as raised:
        bake.publish(NAME, snapshot_id=SNAPSHOT, poll_delay=0, ec2=ec2)

    assert raised.value.response["Error"]["Code"] == "RequestLimitExceeded"
    assert fault.hits == 2
    ec2_registry.assert_not_registered(NAME)


def test_throttled_polling_does_not_fail_the_wait(ec2_registry: Ec2Registry) -> None:
    ec2_registry.pending_describes = 1
    ec2_registry.throttle("DescribeImages", times=1)

    bake.publish(NAME, snapshot_id=SNAPSHOT, poll_delay=0)

    statuses = [call.status for call in ec2_registry.calls.of("DescribeImages")]
    assert statuses == [503, 200, 200]  # throttled, then pending, then available


# --- a missing snapshot -------------------------------------------------------------------------


def test_a_missing_snapshot_fails_before_anything_is_registered(
    ec2_registry: Ec2Registry,
) -> None:
    ec2_registry.missing_snapshot(SNAPSHOT)

    with pytest.raises(ClientError) as raised:
        bake.publish(NAME, snapshot_id=SNAPSHOT, poll_delay=0)

    assert raised.value.response["Error"]["Code"] == "InvalidSnapshot.NotFound"
    ec2_registry.assert_not_registered(NAME)
    assert [call.action for call in ec2_registry.calls] == ["RegisterImage"]


@pytest.mark.ec2_registry(strict=True, snapshots=[{"snapshot_id": SNAPSHOT, "size": 8}])
def test_strict_mode_only_knows_declared_snapshots(ec2_registry: Ec2Registry) -> None:
    # In strict mode a typo in a snapshot id fails as it would on AWS.
    with pytest.raises(ClientError, match="InvalidSnapshot.NotFound"):
        bake.publish(NAME, snapshot_id="snap-0123456789abcdef9", poll_delay=0)

    bake.publish(NAME, snapshot_id=SNAPSHOT, poll_delay=0)
    ec2_registry.assert_registered(name=NAME, snapshot_ids=[SNAPSHOT])


# --- an image that fails after registration ----------------------------------------------------


def test_an_image_that_fails_is_not_tagged(ec2_registry: Ec2Registry) -> None:
    ec2_registry.fail_image(NAME, "Snapshot is not readable")

    with pytest.raises(WaiterError):
        bake.publish(NAME, snapshot_id=SNAPSHOT, poll_delay=0)

    image = ec2_registry.assert_registered(name=NAME, state="failed")
    assert image.state_reason is not None
    assert image.state_reason.message == "Snapshot is not readable"
    ec2_registry.assert_called("CreateTags", times=0)
