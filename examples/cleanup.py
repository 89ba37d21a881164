"""Prune old machine images: keep the newest few of a release line, deregister the rest.

A bake pipeline publishes ``web-2026-11-24``, ``web-2026-11-25``, ... and each image pins a
snapshot that costs money. ``prune("web-", keep=3)`` keeps the three newest *available* images
whose name starts with ``web-``, deregisters the older ones together with their snapshots, and
removes ``failed`` images of the line outright. Images still ``pending`` belong to a bake in
flight and are never touched. Only the account's own images are considered (``Owner=self``),
so a public image that happens to share the prefix is safe.

It talks to EC2 through a plain ``boto3.client("ec2")``, unchanged against AWS and against
pytest-ec2image's fake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3


@dataclass
class Pruned:
    """What :func:`prune` did (or, with ``dry_run``, would do), newest first."""

    kept: list[str] = field(default_factory=list)
    deregistered: list[str] = field(default_factory=list)
    #: snapshot id -> DeleteAssociatedSnapshots' return code (``success``, ``skipped``, ...).
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
    for image in images_of(ec2, prefix, page_size=page_size):
        state = image["State"]
        if state == "available" and available < keep:
            available += 1
            result.kept.append(image["ImageId"])
        elif state in ("available", "failed"):
            result.deregistered.append(image["ImageId"])
    if dry_run:
        return result
    for image_id in result.deregistered:
        answer = ec2.deregister_image(ImageId=image_id, DeleteAssociatedSnapshots=delete_snapshots)
        for outcome in answer.get("DeleteSnapshotResults", []):
            result.snapshots[outcome["SnapshotId"]] = outcome["ReturnCode"]
    return result
