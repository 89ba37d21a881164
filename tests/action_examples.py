"""One minimal valid request per served EC2 action, for the conformance test.

``prepare(registry)`` gives a registry what every example needs (a snapshot, and an image
built from another snapshot and tagged); ``EXAMPLES[action](world)`` is the boto3 keyword
arguments of a request for ``action`` that then succeeds. ``wire`` turns them into the wire
parameters botocore sends, for raw requests.

Self-contained (stdlib, botocore, the package): the conformance test also writes this file
into a ``pytester`` project, whose inner tests import it as ``action_examples``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.serialize import create_serializer

#: A snapshot the registry declares for examples to use (RegisterImage, DescribeSnapshots).
SNAPSHOT = "snap-0c0ffee0c0ffee000"
#: The snapshot the prepared image is built from.
IMAGE_SNAPSHOT = "snap-0c0ffee0c0ffee001"


@dataclass(frozen=True)
class World:
    """What ``prepare`` put in the registry, for the examples to name."""

    region: str
    image_id: str
    snapshot_id: str
    #: A month after the registry's clock: a DeprecateAt EnableImageDeprecation takes.
    later: datetime | None = None


def prepare(registry: Any) -> World:
    """Preload (no EC2 call, so no entry in the call log) what the examples need."""
    registry.add_snapshot(SNAPSHOT)
    registry.add_snapshot(IMAGE_SNAPSHOT)
    image = registry.add_image(
        "conformance-base",
        root_device_name="/dev/sda1",
        block_device_mappings=[
            {"device_name": "/dev/sda1", "ebs": {"snapshot_id": IMAGE_SNAPSHOT}}
        ],
        tags={"env": "test"},
    )
    clock = registry.clock
    now = clock if isinstance(clock, datetime) else clock()
    return World(
        region=registry.region,
        image_id=image.image_id,
        snapshot_id=SNAPSHOT,
        later=now + timedelta(days=30),
    )


Example = Callable[[World], dict[str, Any]]

EXAMPLES: dict[str, Example] = {
    "RegisterImage": lambda w: {
        "Name": "conformance-new",
        "RootDeviceName": "/dev/sda1",
        "BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": w.snapshot_id}}],
    },
    "DescribeImages": lambda w: {"ImageIds": [w.image_id]},
    "DeregisterImage": lambda w: {"ImageId": w.image_id},
    "CreateTags": lambda w: {"Resources": [w.image_id], "Tags": [{"Key": "team", "Value": "web"}]},
    "DeleteTags": lambda w: {"Resources": [w.image_id], "Tags": [{"Key": "env"}]},
    "DescribeTags": lambda w: {"Filters": [{"Name": "resource-id", "Values": [w.image_id]}]},
    "DescribeImageAttribute": lambda w: {"ImageId": w.image_id, "Attribute": "description"},
    "DescribeSnapshots": lambda w: {"SnapshotIds": [w.snapshot_id]},
    "CopyImage": lambda w: {
        "Name": "conformance-copy",
        "SourceImageId": w.image_id,
        "SourceRegion": w.region,
    },
    # The declared snapshot no image maps (the prepared image's is in use).
    "DeleteSnapshot": lambda w: {"SnapshotId": w.snapshot_id},
    "ModifySnapshotAttribute": lambda w: {
        "SnapshotId": w.snapshot_id,
        "CreateVolumePermission": {"Add": [{"UserId": "210987654321"}]},
    },
    "DescribeSnapshotAttribute": lambda w: {
        "SnapshotId": w.snapshot_id,
        "Attribute": "createVolumePermission",
    },
    "ResetSnapshotAttribute": lambda w: {
        "SnapshotId": w.snapshot_id,
        "Attribute": "createVolumePermission",
    },
    "ModifyImageAttribute": lambda w: {
        "ImageId": w.image_id,
        "LaunchPermission": {"Add": [{"UserId": "210987654321"}]},
    },
    "ResetImageAttribute": lambda w: {"ImageId": w.image_id, "Attribute": "launchPermission"},
    "EnableImageDeprecation": lambda w: {"ImageId": w.image_id, "DeprecateAt": w.later},
    "DisableImageDeprecation": lambda w: {"ImageId": w.image_id},
    "EnableImageDeregistrationProtection": lambda w: {"ImageId": w.image_id, "WithCooldown": True},
    "DisableImageDeregistrationProtection": lambda w: {"ImageId": w.image_id},
    "DisableImage": lambda w: {"ImageId": w.image_id},
    "EnableImage": lambda w: {"ImageId": w.image_id},
}


def call(client: Any, action: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """``action`` through a boto3 client (``CopyImage`` -> ``client.copy_image``)."""
    answer: dict[str, Any] = getattr(client, xform_name(action))(**kwargs)
    return answer


@functools.cache
def operation(action: str) -> Any:
    """The installed botocore's model of ``action``."""
    return botocore.session.get_session().get_service_model("ec2").operation_model(action)


@functools.cache
def _serializer() -> Any:
    return create_serializer("ec2", include_validation=True)


def wire(action: str, kwargs: Mapping[str, Any]) -> dict[str, str]:
    """The wire parameters (``Action``, ``Version`` and the rest) botocore sends for these
    kwargs; validated by botocore, so an example that boto3 would refuse fails here."""
    body = _serializer().serialize_to_request(dict(kwargs), operation(action))["body"]
    return {str(k): str(v) for k, v in body.items()}
