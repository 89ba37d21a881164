"""Who may see, launch, copy or change an image or a snapshot, and the one way a handler
finds the image or snapshot a request names.

Every handler asks here, so the rules live in one place: an image is visible to its owner and
to the accounts that may launch it (shared with them, or public); only its owner may change
it. A request that names an image gets one answer per case, whatever the action:

- a malformed id: ``InvalidAMIID.Malformed`` (checked while parsing, by
  :func:`~pytest_ec2image.validation.check_image_id`, so it comes before DryRun);
- an id never registered here: ``InvalidAMIID.NotFound``;
- an id that was registered and has been deregistered: ``InvalidAMIID.Unavailable``;
- to see or use it, an image the caller may not launch: ``InvalidAMIID.NotFound``, as if it
  did not exist;
- for what only the owner may do, an image of another account, shared or not:
  ``AuthFailure`` (400), as AWS answers DeregisterImage of another account's AMI
  (reference 4.3).

DescribeImages is the one reader of many images at once: it asks :func:`may_see` and
:func:`executable_by` per image, leaves out the ones the caller may not see, and shows a
deregistered image by id for a while instead of answering ``Unavailable`` (SPEC 4.7).

Callers hold the registry lock: what is found stays true until they have acted on it.
"""

from __future__ import annotations

from typing import Final, Literal

from .errors import Ec2Error, image_not_found, snapshot_not_found
from .model import Image, Snapshot
from .store import RegionState

#: What a request wants to do with the image it names: read it (``see``), launch or copy it
#: (``use``), or what only its owner may do, change it or read its attributes (``own``).
Purpose = Literal["see", "use", "own"]
#: The launch permission group that makes an image public.
EVERYONE: Final = "all"


def may_launch(image: Image, account_id: str) -> bool:
    """Whether ``account_id`` may launch ``image`` (and so copy it): its owner, an account it
    is shared with, or anyone when it is public."""
    return image.owner_id == account_id or image.public or account_id in image.launch_permissions


def may_see(image: Image, account_id: str) -> bool:
    """Whether ``image`` exists as far as ``account_id`` can tell: AWS shows an account the
    images it owns and the ones it may launch, and answers ``NotFound`` for any other."""
    return may_launch(image, account_id)


def may_change(image: Image, account_id: str) -> bool:
    """Whether ``account_id`` may change ``image`` or read its attributes (its owner only)."""
    return image.owner_id == account_id


def executable_by(image: Image, who: str, caller: str) -> bool:
    """DescribeImages' ``ExecutableBy`` test: ``who`` is ``all`` (public images), another
    account id (images explicitly shared with it) or the caller's own id (``self``: the
    images it owns or that are explicitly shared with it; public images only through ``all``).

    EC2's API references of 2008-2013 say so ("self for AMIs for which you own or have
    explicit permissions"); today's says "AMIs shared with your account", and launch through
    the ``all`` group is the public, not an explicit, permission. Sharing with an organization
    or OU grants no account anything here (the fake knows no account's organization)."""
    if who == EVERYONE:
        return image.public
    if who == caller and image.owner_id == caller:
        return True
    return who in image.launch_permissions


def find_image(region: RegionState, image_id: str, account_id: str, purpose: Purpose) -> Image:
    """The image ``image_id`` of ``region``, if ``account_id`` may act on it for ``purpose``;
    otherwise the error AWS answers (see the module's list)."""
    return find_images(region, [image_id], account_id, purpose)[0]


def find_images(
    region: RegionState, image_ids: list[str], account_id: str, purpose: Purpose
) -> list[Image]:
    """The images ``image_ids`` name, for ``purpose``; the first error in AWS's order
    otherwise: every id that does not exist for the caller in one ``NotFound``, then a
    deregistered one (``Unavailable``), then one the caller does not own (``AuthFailure``)."""
    absent = [
        i
        for i in image_ids
        if (i not in region.images and i not in region.deregistered)
        or (purpose != "own" and i in region.images and not may_see(region.images[i], account_id))
    ]
    if absent:
        raise image_not_found(absent)
    return [_check(region, image_id, account_id, purpose) for image_id in image_ids]


def _check(region: RegionState, image_id: str, account_id: str, purpose: Purpose) -> Image:
    image = region.images.get(image_id)
    if image is None:
        if image_id in region.deregistered:
            raise Ec2Error("InvalidAMIID.Unavailable")
        raise image_not_found([image_id])
    if purpose == "own":
        if not may_change(image, account_id):
            raise Ec2Error("AuthFailure", f"Not authorized for image:{image_id}", status=400)
    elif not may_see(image, account_id):
        raise image_not_found([image_id])
    return image


def may_restore(snapshot: Snapshot, account_id: str) -> bool:
    """Whether ``account_id`` may create volumes from ``snapshot`` (and so see it): its owner,
    an account it is shared with, or anyone when it is public."""
    return (
        snapshot.owner_id == account_id
        or snapshot.public
        or account_id in snapshot.create_volume_permissions
    )


def restorable_by(snapshot: Snapshot, who: str, caller: str) -> bool:
    """DescribeSnapshots' ``RestorableBy`` test (reference 11): ``who`` is ``all`` (public
    snapshots), the caller's own id (``self``: the snapshots it owns or that are shared with
    it explicitly, unlike DescribeImages' ``self``; a public one is not explicit) or another
    account id (the caller's own snapshots shared with that account: AWS takes account ids
    "if you own the snapshots", and the caller cannot read another owner's permissions)."""
    if who == EVERYONE:
        return snapshot.public
    if who == caller:
        return snapshot.owner_id == caller or caller in snapshot.create_volume_permissions
    return snapshot.owner_id == caller and who in snapshot.create_volume_permissions


def find_snapshot(
    region: RegionState, snapshot_id: str, account_id: str, purpose: Purpose
) -> Snapshot:
    """A snapshot ``region`` knows (declared, or recorded by a registration or a copy) that
    ``account_id`` may act on for ``purpose``: ``InvalidSnapshot.NotFound`` for one it does
    not know or the caller may not restore, ``AuthFailure`` for what only the owner may do.
    Lenient lookups, which take undeclared snapshots to exist, are
    :class:`~pytest_ec2image.references.SnapshotBook`'s."""
    snapshot = region.snapshots.get(snapshot_id)
    if snapshot is None or (purpose != "own" and not may_restore(snapshot, account_id)):
        raise snapshot_not_found(snapshot_id)
    if purpose == "own" and snapshot.owner_id != account_id:
        # [INFERRED] as for images (reference aws-image-pipeline 9.1 names no text).
        raise Ec2Error("AuthFailure", f"Not authorized for snapshot:{snapshot_id}", status=400)
    return snapshot
