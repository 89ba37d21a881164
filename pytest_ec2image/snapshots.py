"""Which snapshots exist (:class:`SnapshotBook`), and DescribeSnapshots: the snapshots a test
declared and the ones registrations recorded.

For RegisterImage and DescribeSnapshots alike (SPEC 4.4), a well-formed snapshot id the test
never declared exists in lenient mode: asked for by id, it is answered as a completed 8 GiB
snapshot of the caller's. ``missing_snapshot()``, strict mode and DeregisterImage's
DeleteAssociatedSnapshots make one absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from lxml import etree

from .context import Action, RequestContext, check_user, dry_run, read_page
from .errors import Ec2Error
from .filters import PLACEHOLDER_VOLUME_ID, match_all, snapshot_filters, snapshot_progress
from .model import Snapshot
from .protocol import XmlOut, scalars
from .render import add_tag_set
from .store import RegistryState
from .validation import is_resource_id

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
    def of(cls, state: RegistryState, ctx: RequestContext) -> SnapshotBook:
        """The snapshots of ``ctx``'s region, for ``ctx``'s account (read under the lock)."""
        region = state.region(ctx.region)
        return cls(
            region.snapshots,
            frozenset(region.missing_snapshots),
            state.strict,
            ctx.account_id,
            ctx.region,
        )

    def lookup(self, snapshot_id: str, size_hint: int | None) -> Snapshot:
        """``snapshot_id`` if it exists: declared, recorded, or (lenient mode) a new
        undeclared one of ``size_hint`` GiB (default 8), which is recorded."""
        snapshot = self.known.get(snapshot_id)
        if snapshot is not None and snapshot_id not in self.missing:
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


def describe_snapshots(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DescribeSnapshots by id, owner, restorable-by and filters, paginated."""
    params = ctx.params
    snapshot_ids = list(dict.fromkeys(scalars(params, "SnapshotId")))
    for snapshot_id in snapshot_ids:
        if not is_resource_id("snap", snapshot_id):
            raise Ec2Error(
                "InvalidSnapshotID.Malformed", f'Invalid id: "{snapshot_id}" (expecting "snap-...")'
            )
    owners = scalars(params, "Owner")
    for owner in owners:
        check_user(owner, frozenset({"self", "amazon"}))
    restorable_by = scalars(params, "RestorableBy")
    for user in restorable_by:
        check_user(user, frozenset({"self", "all"}))
    filters = snapshot_filters(params)
    paging = read_page(ctx, ids=snapshot_ids, ids_name="snapshotSet")
    page_size, offset = paging.size, paging.after
    dry_run(ctx)
    owner_ids = {ctx.account_id if o == "self" else o for o in owners}
    # Only the owner can restore the fake's snapshots: they are never shared or public.
    restorers = {ctx.account_id if r == "self" else r for r in restorable_by}
    with state.lock:
        region = state.region(ctx.region)
        if snapshot_ids:
            book = SnapshotBook.of(state, ctx)
            candidates = [book.lookup(s, None) for s in snapshot_ids]
        else:
            candidates = list(region.snapshots.values())
    shown = [
        s
        for s in candidates
        if (not owners or s.owner_id in owner_ids)
        and (not restorable_by or s.owner_id in restorers)
        and match_all(filters, s)
    ]
    end = offset + page_size if page_size is not None else len(shown)
    snapshot_set = out.add(out.root, "snapshotSet")
    for snapshot in shown[offset:end]:
        _add_snapshot(out, snapshot_set, snapshot)
    if len(shown) > end:
        out.add(out.root, "nextToken", paging.token(end))


def _add_snapshot(out: XmlOut, parent: etree._Element, snapshot: Snapshot) -> None:
    item = out.item(parent)
    out.add(item, "snapshotId", snapshot.snapshot_id)
    out.add(item, "volumeId", PLACEHOLDER_VOLUME_ID)
    out.add(item, "status", snapshot.state)
    out.add(item, "progress", snapshot_progress(snapshot))
    out.add(item, "ownerId", snapshot.owner_id)
    out.add(item, "volumeSize", str(snapshot.size))
    out.add(item, "encrypted", "true" if snapshot.encrypted else "false")
    out.add(item, "storageTier", "standard")
    if snapshot.tags:
        add_tag_set(out, item, snapshot.tags)


ACTION: Final = Action(
    describe_snapshots,
    frozenset(
        {
            "Action",
            "Version",
            "DryRun",
            "SnapshotId.N",
            "Owner.N",
            "RestorableBy.N",
            "Filter.N.Name",
            "Filter.N.Value.N",
            "MaxResults",
            "NextToken",
        }
    ),
    frozenset({"Action", "Version", "SnapshotId.N", "Owner.N", "RestorableBy.N"}),
)
