"""Tests of the cleanup module against pytest-ec2image's ``ec2_registry`` fixture.

The images a real account would hold are preloaded with ``add_image``; ``cleanup.prune`` finds
them through DescribeImages (paginated) and deregisters over HTTP, exactly as against AWS.
"""

from __future__ import annotations

from typing import Any

import cleanup
import pytest

from pytest_ec2image import Ec2Registry

OTHER_ACCOUNT = "210987654321"


def snapshot_of(n: int) -> str:
    return f"snap-{n:017x}"


def add_release(registry: Ec2Registry, name: str, n: int, **fields: Any) -> str:
    """A published image of the line, on its own snapshot (as a bake makes them)."""
    registry.add_snapshot(snapshot_of(n))
    image = registry.add_image(
        name,
        root_device_name="/dev/xvda",
        block_device_mappings=[
            {"device_name": "/dev/xvda", "ebs": {"snapshot_id": snapshot_of(n)}}
        ],
        **fields,
    )
    return image.image_id


def test_keeps_the_newest_and_deregisters_the_rest(ec2_registry: Ec2Registry) -> None:
    # 27 releases, registered oldest first: the registry's clock dates them in that order.
    web = [add_release(ec2_registry, f"web-2026-11-{n:02d}", n) for n in range(1, 28)]
    database = add_release(ec2_registry, "db-2026-11-01", 100)
    someone_elses = ec2_registry.add_image("web-public", owner_id=OTHER_ACCOUNT, public=True)

    result = cleanup.prune("web-", keep=3, page_size=10)

    assert result.kept == web[:-4:-1]
    assert result.deregistered == web[-4::-1]
    assert set(ec2_registry.images) == {*web[-3:], database, someone_elses.image_id}
    # Every pruned image's snapshot is gone; the kept ones' are not.
    assert set(result.snapshots.values()) == {"deleted"}
    assert set(ec2_registry.snapshots) == {snapshot_of(n) for n in (25, 26, 27, 100)}
    # DescribeImages was walked in pages of 10: 24 deregistrations, nothing else.
    describes = ec2_registry.assert_called("DescribeImages", times=3)
    assert all(call.params["MaxResults"] == "10" for call in describes)
    ec2_registry.assert_called("DeregisterImage", times=24)


def test_newest_means_creation_date_not_registration_order(ec2_registry: Ec2Registry) -> None:
    newer = add_release(ec2_registry, "web-b", 1, creation_date="2026-11-26T10:00:00.000Z")
    older = add_release(ec2_registry, "web-a", 2, creation_date="2026-11-20T10:00:00.000Z")

    result = cleanup.prune("web-", keep=1)

    assert (result.kept, result.deregistered) == ([newer], [older])
    ec2_registry.assert_not_registered("web-a")


def test_pending_bakes_are_untouched_and_failed_ones_removed(ec2_registry: Ec2Registry) -> None:
    old = add_release(ec2_registry, "web-1", 1)
    current = add_release(ec2_registry, "web-2", 2)
    broken = add_release(ec2_registry, "web-3", 3)
    ec2_registry.fail_image(broken, "bake step failed")
    in_flight = add_release(ec2_registry, "web-4", 4, state="pending")

    result = cleanup.prune("web-", keep=1)

    assert result.kept == [current]
    assert result.deregistered == [broken, old]
    assert set(ec2_registry.images) == {current, in_flight}


def test_a_snapshot_another_image_uses_is_kept(ec2_registry: Ec2Registry) -> None:
    add_release(ec2_registry, "web-1", 1)
    # A second image of another line was registered from the same snapshot.
    ec2_registry.add_image(
        "base-1",
        root_device_name="/dev/xvda",
        block_device_mappings=[
            {"device_name": "/dev/xvda", "ebs": {"snapshot_id": snapshot_of(1)}}
        ],
    )
    add_release(ec2_registry, "web-2", 2)

    result = cleanup.prune("web-", keep=1)

    assert result.snapshots == {snapshot_of(1): "in-use"}
    assert snapshot_of(1) in ec2_registry.snapshots


def test_dry_run_changes_nothing(ec2_registry: Ec2Registry) -> None:
    ids = [add_release(ec2_registry, f"web-{n}", n) for n in range(5)]

    result = cleanup.prune("web-", keep=2, dry_run=True)

    assert result.deregistered == ids[2::-1]
    assert set(ec2_registry.images) == set(ids)
    assert not ec2_registry.calls.of("DeregisterImage")


def test_throttled_deregistration_is_retried_by_boto3(ec2_registry: Ec2Registry) -> None:
    ids = [add_release(ec2_registry, f"web-{n}", n) for n in range(3)]
    ec2_registry.throttle("DeregisterImage")

    result = cleanup.prune("web-", keep=1)

    assert result.deregistered == ids[1::-1]
    assert set(ec2_registry.images) == {ids[2]}


def test_keep_must_leave_something(ec2_registry: Ec2Registry) -> None:
    with pytest.raises(ValueError, match="keep must be at least 1"):
        cleanup.prune("web-", keep=0)


def test_protected_images_are_skipped_and_reported(ec2_registry: Ec2Registry) -> None:
    old = add_release(
        ec2_registry, "web-1", 1, deregistration_protection="enabled-without-cooldown"
    )
    older_unprotected = add_release(ec2_registry, "web-2", 2)
    current = add_release(ec2_registry, "web-3", 3)

    result = cleanup.prune("web-", keep=1)

    assert result.kept == [current]
    assert result.protected == [old]
    assert result.deregistered == [older_unprotected]
    assert set(ec2_registry.images) == {old, current}
    assert snapshot_of(1) in ec2_registry.snapshots


def test_deprecated_and_disabled_images_are_pruned_too(ec2_registry: Ec2Registry) -> None:
    deprecated = add_release(ec2_registry, "web-1", 1, deprecation_time="2020-01-01T00:00:00.000Z")
    disabled = add_release(ec2_registry, "web-2", 2, state="disabled")
    current = add_release(ec2_registry, "web-3", 3)

    result = cleanup.prune("web-", keep=1)

    assert result.kept == [current]
    assert result.deregistered == [disabled, deprecated]
    assert result.snapshots == {snapshot_of(2): "deleted", snapshot_of(1): "deleted"}


def test_a_lost_deregistration_answer_is_not_an_error(ec2_registry: Ec2Registry) -> None:
    old = add_release(ec2_registry, "web-1", 1)
    current = add_release(ec2_registry, "web-2", 2)
    # The answer is lost after EC2 deregistered the image; boto3's retry meets Unavailable.
    ec2_registry.disconnect("DeregisterImage", after_commit=True)

    result = cleanup.prune("web-", keep=1)

    assert result.deregistered == [old]
    assert set(ec2_registry.images) == {current}
    assert [c.error_code for c in ec2_registry.calls.of("DeregisterImage")] == [
        None,
        "InvalidAMIID.Unavailable",
    ]
    assert result.snapshots == {snapshot_of(1): "deleted"}
