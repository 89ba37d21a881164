"""References a request makes to things outside the image (SPEC 4.4): snapshots, S3
manifests, kernels and ramdisks, and whether each exists.

Lenient (the default): a well-formed reference the test never declared is taken to exist; a
snapshot met that way is recorded with the mapping's size. ``missing_snapshot()`` and
``missing_manifest()`` make one absent, and so does DeregisterImage's
``DeleteAssociatedSnapshots``. Strict: only declared references exist. Malformed ids never get
this far: the actions refuse them while parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

from .access import find_snapshot, may_restore
from .errors import Ec2Error, image_not_found, snapshot_not_found
from .manifest.parsing import DEFAULT_MANIFEST, Manifest, ManifestError, parse
from .model import Snapshot
from .store import RegionState, RegistryState

#: Reads the manifest at an ``ImageLocation`` (``bucket/key.manifest.xml``): its content, or
#: ``None`` when there is none there. See :attr:`Ec2Registry.manifest_source`.
ManifestSource = Callable[[str], "str | bytes | None"]


#: The size in GiB of a snapshot the test never declared, when nothing says otherwise.
DEFAULT_SNAPSHOT_SIZE: Final = 8


@dataclass(slots=True)
class SnapshotBook:
    """The snapshots one request may use, by the rule above, and the undeclared ones it met
    (RegisterImage records those with the image it registers)."""

    known: dict[str, Snapshot]
    missing: frozenset[str]
    strict: bool
    owner_id: str
    region: str
    recorded: list[Snapshot] = field(default_factory=list)

    @classmethod
    def of(cls, state: RegistryState, region: str, account_id: str) -> SnapshotBook:
        """The snapshots of ``region``, for ``account_id`` (read under the lock)."""
        held = state.region(region)
        return cls(
            held.snapshots, frozenset(held.missing_snapshots), state.strict, account_id, region
        )

    def lookup(self, snapshot_id: str, size_hint: int | None, *, use: bool = False) -> Snapshot:
        """``snapshot_id`` if it exists: declared, recorded, or (lenient mode) a new
        undeclared one of ``size_hint`` GiB (default 8), which is recorded. To ``use`` it (a
        volume from it), the caller must also be allowed to restore it."""
        snapshot = self.known.get(snapshot_id)
        if snapshot is not None and snapshot_id not in self.missing:
            if use and snapshot.declared and not may_restore(snapshot, self.owner_id):
                # Another account's declared snapshot, not shared with this one, does not
                # exist for this caller, as on AWS. Undeclared ones are lenient mode's
                # inventions (SPEC 4.4): any account may use them.
                raise snapshot_not_found(snapshot_id)
            return snapshot
        if self.strict or snapshot_id in self.missing:
            raise Ec2Error(
                "InvalidSnapshot.NotFound", f"The snapshot '{snapshot_id}' does not exist."
            )
        for recorded in self.recorded:
            if recorded.snapshot_id == snapshot_id:
                return recorded
        snapshot = Snapshot(
            snapshot_id=snapshot_id,
            owner_id=self.owner_id,
            region=self.region,
            size=size_hint or DEFAULT_SNAPSHOT_SIZE,
            declared=False,
        )
        self.recorded.append(snapshot)
        return snapshot


def check_kernels(state: RegistryState, region: RegionState, ids: Iterable[str | None]) -> None:
    """In strict mode, every kernel or ramdisk id given must be an image the region holds."""
    if not state.strict:
        return
    absent = [i for i in ids if i is not None and i not in region.images]
    if absent:
        raise image_not_found(absent)


def find_manifest(state: RegistryState, region: str, location: str) -> Manifest:
    """The manifest RegisterImage finds at ``location`` in ``region``, or ``InvalidManifest``.

    Order: ``missing_manifest`` locations do not exist; declared ones are used (``None``
    content: a valid default); then the registry's ``manifest_source``, if set, is asked
    (outside the registry lock: it may read a real store); then strict mode says the location
    does not exist and lenient mode takes a valid default manifest to be there.
    """
    with state.lock:
        held = state.region(region)
        if location in held.missing_manifests:
            raise _not_found(location, "it is marked missing")
        declared = location in held.manifests
        content: str | bytes | None = held.manifests.get(location)
        source = state.manifest_source
    if not declared:
        if source is not None:
            try:
                content = source(location)
            except (LookupError, OSError) as error:
                raise _not_found(
                    location, f"the manifest source could not read it ({type(error).__name__})"
                ) from None
            if content is None:
                raise _not_found(location, "the manifest source has nothing there")
        elif state.strict:
            raise _not_found(location, "strict mode and it was never declared")
        else:
            return DEFAULT_MANIFEST
    if content is None:
        return DEFAULT_MANIFEST
    if not isinstance(content, (str, bytes)):
        raise TypeError(
            f"manifest content for {location} must be str, bytes or None, "
            f"got {type(content).__name__}"
        )
    try:
        return parse(content)
    except ManifestError as error:
        raise Ec2Error(
            "InvalidManifest",
            f"The specified AMI has an unparsable manifest: {location}: {error}",
        ) from None


def _not_found(location: str, why: str) -> Ec2Error:
    return Ec2Error(
        "InvalidManifest",
        "The specified AMI has an unparsable manifest, or you may not have access to the "
        f"location of the manifest file in Amazon S3: {location} ({why})",
    )


def owned_snapshot(
    state: RegistryState, region_name: str, snapshot_id: str, account_id: str
) -> Snapshot:
    """The snapshot ``snapshot_id`` that ``account_id`` wants to change, delete or read the
    attributes of (read under the lock): ``InvalidSnapshot.NotFound`` if it is missing
    (``missing_snapshot``, deleted, or strict mode and never declared), ``AuthFailure`` if
    another account owns it. In lenient mode a well-formed id the region never met is taken
    to exist as the caller's, as RegisterImage and DescribeSnapshots take it; the result is
    then not recorded (``declared`` false): the caller stores it if it changes it."""
    region = state.region(region_name)
    if snapshot_id in region.missing_snapshots:
        raise snapshot_not_found(snapshot_id)
    if snapshot_id in region.snapshots:
        return find_snapshot(region, snapshot_id, account_id, "own")
    return SnapshotBook.of(state, region_name, account_id).lookup(snapshot_id, None)
