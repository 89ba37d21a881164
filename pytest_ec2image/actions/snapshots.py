"""DescribeSnapshots: the snapshots a test declared and the ones registrations recorded.

An account sees the snapshots it may create volumes from (reference 11): its own, and any
account's that are shared with it or public; by id, a snapshot it may not see is left out of
the answer, not an error. Asked for by id, a well-formed snapshot id
the test never declared exists in lenient mode (SPEC 4.4,
:class:`~pytest_ec2image.references.SnapshotBook`): it is answered as a completed 8 GiB
snapshot of the caller's.
"""

from __future__ import annotations

from ..access import may_restore, restorable_by
from ..references import SnapshotBook
from ..store import RegistryState
from ..validation import check_snapshot_id, check_user
from ..wire.query import scalars
from ..wire.render import add_snapshot_item
from ..wire.xml import XmlOut
from .context import RequestContext, dry_run
from .filters import match_all, snapshot_filters
from .paging import read_page


def describe_snapshots(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DescribeSnapshots by id, owner, restorable-by and filters, paginated."""
    params = ctx.params
    snapshot_ids = list(dict.fromkeys(scalars(params, "SnapshotId")))
    for snapshot_id in snapshot_ids:
        check_snapshot_id(snapshot_id)
    owners = scalars(params, "Owner")
    for owner in owners:
        check_user(owner, frozenset({"self", "amazon"}))
    restorable_users = scalars(params, "RestorableBy")
    for user in restorable_users:
        check_user(user, frozenset({"self", "all"}))
    filters = snapshot_filters(params)
    paging = read_page(ctx, ids=snapshot_ids, ids_name="snapshotSet")
    page_size, offset = paging.size, paging.after
    dry_run(ctx)
    owner_ids = {ctx.account_id if o == "self" else o for o in owners}
    caller = ctx.account_id
    restorers = {caller if r == "self" else r for r in restorable_users}
    with state.lock:
        region = state.region(ctx.region)
        if snapshot_ids:
            book = SnapshotBook.of(state, ctx.region, ctx.account_id)
            candidates = [book.lookup(s, None) for s in snapshot_ids]
        else:
            candidates = list(region.snapshots.values())
    shown = [
        s
        for s in candidates
        if may_restore(s, caller)
        and (not owners or s.owner_id in owner_ids)
        and (not restorable_users or any(restorable_by(s, r, caller) for r in restorers))
        and match_all(filters, s)
    ]
    end = offset + page_size if page_size is not None else len(shown)
    snapshot_set = out.add(out.root, "snapshotSet")
    for snapshot in shown[offset:end]:
        add_snapshot_item(out, snapshot_set, snapshot)
    if len(shown) > end:
        out.add(out.root, "nextToken", paging.token(end))

