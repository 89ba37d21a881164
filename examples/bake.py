"""Publish a machine image from an EBS snapshot: the last step of an image-bake pipeline.

``publish()`` registers an EBS-backed image from a snapshot of a prepared root volume, waits
until EC2 reports it ``available``, tags it and returns its id. It talks to EC2 through a plain
``boto3.client("ec2")``, so it runs unchanged against AWS and against pytest-ec2image's fake
(which points ``AWS_ENDPOINT_URL_EC2`` at itself during a test).

A name that is already taken raises :class:`ImageExists` carrying the existing image's id:
names are the pipeline's release identity, so silently reusing an image that another run built
from different content would publish the wrong bits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3
from botocore.exceptions import ClientError

ROOT_DEVICE = "/dev/xvda"
EPHEMERAL_DEVICE = "/dev/sdb"


class ImageExists(Exception):
    """An image with this name already exists in the account and region."""

    def __init__(self, name: str, image_id: str | None) -> None:
        super().__init__(f"an image named {name!r} already exists: {image_id or 'id unknown'}")
        self.name = name
        self.image_id = image_id


def block_device_mappings(snapshot_id: str, root_size: int) -> list[dict[str, Any]]:
    """The root gp3 volume made from ``snapshot_id``, and the first instance-store volume."""
    return [
        {
            "DeviceName": ROOT_DEVICE,
            "Ebs": {
                "SnapshotId": snapshot_id,
                "VolumeSize": root_size,
                "VolumeType": "gp3",
                "DeleteOnTermination": True,
            },
        },
        {"DeviceName": EPHEMERAL_DEVICE, "VirtualName": "ephemeral0"},
    ]


def register(
    ec2: Any,
    name: str,
    snapshot_id: str,
    *,
    description: str | None = None,
    architecture: str = "x86_64",
    root_size: int = 8,
) -> str:
    """Register the image; a taken name raises :class:`ImageExists`."""
    params: dict[str, Any] = {
        "Name": name,
        "Architecture": architecture,
        "RootDeviceName": ROOT_DEVICE,
        "BlockDeviceMappings": block_device_mappings(snapshot_id, root_size),
        "VirtualizationType": "hvm",
        "EnaSupport": True,
        "BootMode": "uefi-preferred",
    }
    if description is not None:
        params["Description"] = description
    try:
        return str(ec2.register_image(**params)["ImageId"])
    except ClientError as error:
        if error.response["Error"]["Code"] != "InvalidAMIName.Duplicate":
            raise
        raise ImageExists(name, find_image(ec2, name)) from error


def find_image(ec2: Any, name: str) -> str | None:
    """The id of this account's image named ``name``, if any."""
    images = ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": [name]}])
    found = images["Images"]
    return str(found[0]["ImageId"]) if found else None


def wait_available(ec2: Any, image_id: str, *, poll_delay: float, max_attempts: int) -> None:
    """Poll DescribeImages until the image is ``available`` (botocore's ``image_available``
    waiter, which raises ``WaiterError`` if the image fails or never becomes available)."""
    ec2.get_waiter("image_available").wait(
        ImageIds=[image_id],
        WaiterConfig={"Delay": poll_delay, "MaxAttempts": max_attempts},
    )


def publish(
    name: str,
    snapshot_id: str,
    *,
    description: str | None = None,
    architecture: str = "x86_64",
    root_size: int = 8,
    tags: Mapping[str, str] | None = None,
    poll_delay: float = 15,
    max_attempts: int = 40,
    ec2: Any = None,
) -> str:
    """Register ``name`` from ``snapshot_id``, wait until it is available, tag it, return its id.

    ``poll_delay`` is the waiter's delay between DescribeImages calls in seconds (AWS's default
    15; tests pass something short). ``ec2`` defaults to ``boto3.client("ec2")``, configured by
    the usual AWS environment variables and files.
    """
    if ec2 is None:
        ec2 = boto3.client("ec2")
    image_id = register(
        ec2,
        name,
        snapshot_id,
        description=description,
        architecture=architecture,
        root_size=root_size,
    )
    wait_available(ec2, image_id, poll_delay=poll_delay, max_attempts=max_attempts)
    all_tags = {"Name": name, "built-by": "bake", **(tags or {})}
    ec2.create_tags(
        Resources=[image_id],
        Tags=[{"Key": key, "Value": value} for key, value in all_tags.items()],
    )
    return image_id
