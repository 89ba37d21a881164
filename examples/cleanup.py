"""Prune old machine images: keep the newest few of a release line, deregister the rest.

A bake pipeline publishes ``web-2026-11-24``, ``web-2026-11-25``, ... and each image pins a
snapshot that costs money. ``prune("web-", keep=3)`` keeps the three newest *available* images
whose name starts with ``web-``, deregisters the older ones (deprecated and disabled ones
included) and then deletes their snapshots, and removes ``failed`` images of the line outright.
Images still ``pending`` belong to a bake in flight and are never touched; images with
deregistration protection are skipped and reported. Only the account's own images are
considered (``Owner=self``), so a public image that happens to share the prefix is safe.

Snapshots are deleted one by one after the deregistration, as Terraform and Ansible do: one
that another image still uses answers ``InvalidSnapshot.InUse`` and is kept.

It talks to EC2 through a plain ``boto3.client("ec2")``, unchanged against AWS and against
pytest-ec2image's fake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ClientError


@dataclass
class Pruned:
    """What :func:`prune` did (or, with ``dry_run``, would do), newest first."""

    kept: list[str] = field(default_factory=list)
    deregistered: list[str] = field(default_factory=list)
    #: Images that would have gone but have deregistration protection.
    protected: list[str] = field(default_factory=list)
    #: snapshot id -> ``deleted``, ``in-use`` (another image maps it) or ``gone`` (already).
    snapshots: dict[str, str] = field(default_factory=dict)


def _escape(prefix: str) -> str:
    """The prefix as a literal in an EC2 filter value (``*``, ``?`` and ``\\`` escaped)."""
    return "".join("\\" + c if c in "*?\\" else c for c in prefix)


def images_of(ec2: Any, prefix: str, *, page_size: int = 100) -> list[dict[str, Any]]:
    """The account's images whose name starts with ``prefix``, newest first."""
    paginator = ec2.get_paginator("describe_images")
    pages = paginator.paginate(
        Owners=["self"],
        Filters=[{"Name": "name", "Values": [_escape(prefix) + "*"]}],
        # An owner sees its deprecated images anyway; disabled ones only when asked for.
        IncludeDeprecated=True,
        IncludeDisabled=True,
        PaginationConfig={"PageSize": page_size},
    )
    images = [image for page in pages for image in page["Images"]]
    # EC2 returns images in no particular order; the creation date says which is newest.
    return sorted(images, key=lambda image: image["CreationDate"], reverse=True)


def prune(
    prefix: str,
    keep: int,
    *,
    delete_snapshots: bool = True,
    dry_run: bool = False,
    page_size: int = 100,
) -> Pruned:
    """Keep the ``keep`` newest available images named ``prefix*``; deregister older and
    failed ones (and their snapshots unless ``delete_snapshots=False``)."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}: pruning never empties a line")
    ec2 = boto3.client("ec2")
    result = Pruned()
    available = 0
    doomed: list[dict[str, Any]] = []
    for image in images_of(ec2, prefix, page_size=page_size):
        state = image["State"]
        if state == "available" and available < keep:
            available += 1
            result.kept.append(image["ImageId"])
        elif state in ("available", "failed", "disabled"):
            if image.get("DeregistrationProtection", "disabled") != "disabled":
                result.protected.append(image["ImageId"])
            else:
                doomed.append(image)
    result.deregistered = [image["ImageId"] for image in doomed]
    if dry_run:
        return result
    for image in list(doomed):
        if not _deregister(ec2, image["ImageId"]):
            doomed.remove(image)
            result.deregistered.remove(image["ImageId"])
            result.protected.append(image["ImageId"])
    if delete_snapshots:
        for image in doomed:
            for mapping in image.get("BlockDeviceMappings", []):
                snapshot_id = mapping.get("Ebs", {}).get("SnapshotId")
                if snapshot_id is not None and snapshot_id not in result.snapshots:
                    result.snapshots[snapshot_id] = _delete_snapshot(ec2, snapshot_id)
    return result


def _deregister(ec2: Any, image_id: str) -> bool:
    """Deregister ``image_id``; ``False`` when it is protected (it stays)."""
    try:
        ec2.deregister_image(ImageId=image_id)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code == "OperationNotPermitted":
            return False
        # A retry after an answer lost on the way back: the first attempt deregistered it.
        if code != "InvalidAMIID.Unavailable":
            raise
    return True


def _delete_snapshot(ec2: Any, snapshot_id: str) -> str:
    try:
        ec2.delete_snapshot(SnapshotId=snapshot_id)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code == "InvalidSnapshot.InUse":
            return "in-use"
        if code == "InvalidSnapshot.NotFound":
            return "gone"
        raise
    return "deleted"
