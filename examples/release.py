"""Release a published machine image: share it, copy it to other regions, schedule its
deprecation and protect it from deregistration, the steps a bake pipeline runs after
``bake.publish``.

``release(image_id, ...)`` shares the image (and its snapshots, without which another account
cannot copy it) with accounts and an organization, copies it to each region in ``copy_to``
under the same name (with a ``ClientToken``, so a retried copy is not copied twice), sets a
deprecation date ``deprecate_in_days`` from now on the image and its copies, and turns on
deregistration protection. It talks to EC2 through plain boto3 clients, unchanged against AWS
and against pytest-ec2image's fake.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3


@dataclass
class Released:
    """What :func:`release` did: the image, its copies by region, and the deprecation time."""

    image_id: str
    copies: dict[str, str] = field(default_factory=dict)
    deprecate_at: datetime | None = None


def _snapshot_ids(image: dict[str, Any]) -> list[str]:
    return [
        mapping["Ebs"]["SnapshotId"]
        for mapping in image.get("BlockDeviceMappings", [])
        if "SnapshotId" in mapping.get("Ebs", {})
    ]


def share(
    ec2: Any, image_id: str, accounts: Sequence[str], organization_arn: str | None = None
) -> None:
    """Let ``accounts`` (and the organization) launch and copy the image."""
    grants: list[dict[str, str]] = [{"UserId": account} for account in accounts]
    if organization_arn is not None:
        grants.append({"OrganizationArn": organization_arn})
    if not grants:
        return
    ec2.modify_image_attribute(ImageId=image_id, LaunchPermission={"Add": grants})
    if accounts:
        [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
        for snapshot_id in _snapshot_ids(image):
            ec2.modify_snapshot_attribute(
                SnapshotId=snapshot_id,
                Attribute="createVolumePermission",
                OperationType="add",
                UserIds=list(accounts),
            )


def release(
    image_id: str,
    *,
    share_with: Sequence[str] = (),
    organization_arn: str | None = None,
    copy_to: Sequence[str] = (),
    deprecate_in_days: int | None = None,
    protect: bool = True,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ec2: Any = None,
) -> Released:
    """Share, copy, deprecate and protect the image ``image_id`` (see the module)."""
    if ec2 is None:
        ec2 = boto3.client("ec2")
    source_region = ec2.meta.region_name
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    share(ec2, image_id, share_with, organization_arn)
    result = Released(image_id)
    clients = {source_region: ec2}
    for region in copy_to:
        regional = boto3.client("ec2", region_name=region)
        copy = regional.copy_image(
            Name=image["Name"],
            SourceImageId=image_id,
            SourceRegion=source_region,
            ClientToken=f"release-{image_id}-{region}",
            CopyImageTags=True,
        )
        result.copies[region] = copy["ImageId"]
        clients[region] = regional
    if deprecate_in_days is not None:
        result.deprecate_at = now() + timedelta(days=deprecate_in_days)
    for region, client in clients.items():
        target = image_id if region == source_region else result.copies[region]
        if result.deprecate_at is not None:
            client.enable_image_deprecation(ImageId=target, DeprecateAt=result.deprecate_at)
        if protect:
            client.enable_image_deregistration_protection(ImageId=target, WithCooldown=False)
    return result
