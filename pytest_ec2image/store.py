"""The registry's state: images, snapshots and manifests per region, the call log, faults.

One lock guards it all, so a check and the write it allows (a name is free, then the image
is inserted) are one atomic step however many threads the server answers on.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .faults import FaultPlan
from .ids import CreationClock, IdSource
from .model import Call, Image, Snapshot

if TYPE_CHECKING:
    from .references import ManifestSource


@dataclass(slots=True)
class RegionState:
    """Everything one region holds. Images of every account live here; a name is unique within
    one owner's images."""

    images: dict[str, Image] = field(default_factory=dict)
    #: name -> {owner id -> image id}: exact-name lookups with or without an owner are O(1).
    by_name: dict[str, dict[str, str]] = field(default_factory=dict)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    manifests: dict[str, str | None] = field(default_factory=dict)
    missing_snapshots: set[str] = field(default_factory=set)
    missing_manifests: set[str] = field(default_factory=set)
    #: image id -> the image as it was when deregistered: the id stays taken, and a
    #: DescribeImages by id may still show it (``deregistered_describes``).
    deregistered: dict[str, Image] = field(default_factory=dict)
    #: image id -> insertion number: pagination resumes after a number, so images deregistered
    #: between two pages shift nothing.
    order: dict[str, int] = field(default_factory=dict)
    inserted: int = 0
    #: snapshot id -> how many images map it: DeleteAssociatedSnapshots without a scan.
    snapshot_users: dict[str, int] = field(default_factory=dict)
    #: CopyImage ClientToken -> (the request's parameters, the image id it answered).
    client_tokens: dict[str, tuple[tuple[tuple[str, str], ...], str]] = field(default_factory=dict)

    def name_holder(self, owner_id: str, name: str) -> str | None:
        """The id of the image holding ``name`` in ``owner_id``'s account, if any."""
        return self.by_name.get(name, {}).get(owner_id)

    def insert(self, image: Image) -> None:
        """Store a new image; the caller checked id and name under the lock."""
        self.images[image.image_id] = image
        self.by_name.setdefault(image.name, {})[image.owner_id] = image.image_id
        self.inserted += 1
        self.order[image.image_id] = self.inserted
        for snapshot_id in image.snapshot_ids:
            self.snapshot_users[snapshot_id] = self.snapshot_users.get(snapshot_id, 0) + 1

    def replace(self, image: Image) -> None:
        """Store a changed version of an image already held (same id and name)."""
        self.images[image.image_id] = image

    def remove(self, image_id: str) -> Image:
        """Deregister: forget the image and free its name."""
        image = self.images.pop(image_id)
        owners = self.by_name.get(image.name, {})
        owners.pop(image.owner_id, None)
        if not owners:
            self.by_name.pop(image.name, None)
        self.deregistered[image_id] = image
        del self.order[image_id]
        for snapshot_id in image.snapshot_ids:
            users = self.snapshot_users.pop(snapshot_id, 1) - 1
            if users > 0:
                self.snapshot_users[snapshot_id] = users
        return image


class InternalErrors:
    """Exceptions raised inside the fake while serving; the fixture raises them at teardown."""

    __slots__ = ("_errors", "_lock")

    def __init__(self) -> None:
        self._errors: list[tuple[str, BaseException, str]] = []
        self._lock = threading.Lock()

    def record(self, action: str, error: BaseException) -> None:
        """Keep ``error`` with its formatted traceback."""
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        with self._lock:
            self._errors.append((action, error, text))

    def take(self) -> list[tuple[str, BaseException, str]]:
        """Every recorded error, forgotten afterwards."""
        with self._lock:
            errors, self._errors = self._errors, []
        return errors

    def __len__(self) -> int:
        return len(self._errors)


class RegistryState:
    """The shared core behind an :class:`~pytest_ec2image.Ec2Registry` and its region views."""

    def __init__(
        self,
        *,
        region: str,
        account_id: str,
        strict: bool,
        seed: int,
        scope: str,
        pending_describes: int,
        deregistered_describes: int = 0,
    ) -> None:
        self.lock = threading.RLock()
        self.default_region = region
        self.account_id = account_id
        self.strict = strict
        self.pending_describes = pending_describes
        self.deregistered_describes = deregistered_describes
        self.ids = IdSource(seed, scope)
        self.clock = CreationClock()
        self.regions: dict[str, RegionState] = {}
        self.calls: list[Call] = []
        self.faults = FaultPlan()
        self.errors = InternalErrors()
        self.describe_views: dict[str, int] = {}
        #: image id -> DescribeImages views that showed it ``deregistered``.
        self.deregistered_views: dict[str, int] = {}
        self.unimplemented: list[str] = []
        #: Check SigV2/SigV4 signatures against ``credentials`` (off: any credentials pass).
        self.verify_signatures = False
        #: access key id -> (secret, account id; ``None``: ``account_id``, whatever it is then).
        self.credentials: dict[str, tuple[str, str | None]] = {}
        #: Reads the manifests a test did not declare (see ``references.find_manifest``).
        self.manifest_source: ManifestSource | None = None

    def reset(self) -> None:
        """Forget every region, call and fault, and restart the ids (the caller holds the
        lock and applies the preloads again)."""
        self.regions.clear()
        self.calls.clear()
        self.faults.clear()
        self.describe_views.clear()
        self.deregistered_views.clear()
        self.ids = IdSource(self.ids.seed, self.ids.scope)

    def region(self, name: str) -> RegionState:
        """The state of region ``name``, created on first use."""
        state = self.regions.get(name)
        if state is None:
            state = self.regions[name] = RegionState()
        return state

    def new_image_id(self, region: RegionState, *, short: bool) -> str:
        """A fresh ``ami-`` id no image in ``region`` has held."""
        while True:
            image_id = self.ids.resource_id("ami", short=short)
            if image_id not in region.images and image_id not in region.deregistered:
                return image_id

    def record_call(self, call: Call) -> None:
        """Append to the call log."""
        with self.lock:
            self.calls.append(call)
