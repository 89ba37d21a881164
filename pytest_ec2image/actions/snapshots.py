"""DescribeSnapshots and DeleteSnapshot: the snapshots a test declared and the ones
registrations recorded.

An account sees the snapshots it may create volumes from (reference 11): its own, and any
account's that are shared with it or public; by id, a snapshot it may not see is left out of
the answer, not an error. Asked for by id, a well-formed snapshot id
the test never declared exists in lenient mode (SPEC 4.4,
:class:`~pytest_ec2image.references.SnapshotBook`): it is answered as a completed 8 GiB
snapshot of the caller's.

DeleteSnapshot refuses a snapshot an image still maps (``InvalidSnapshot.InUse``, naming the
image) until that image is deregistered; a deleted snapshot is gone for good, even in lenient
mode (it joins ``missing_snapshots``, as DeregisterImage's ``DeleteAssociatedSnapshots``
does).
"""

from __future__ import annotations

from ..access import may_restore, restorable_by
from ..errors import Ec2Error, missing
from ..references import SnapshotBook, owned_snapshot
from ..store import RegionState, RegistryState
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


def delete_snapshot(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DeleteSnapshot of one of the caller's snapshots that no image maps.

    A well-formed id the test never declared is, in lenient mode, a snapshot of the caller's
    (SPEC 4.4: it is one for RegisterImage and DescribeSnapshots too), so deleting it
    succeeds, as cleaning up after a preloaded image needs; strict mode answers ``NotFound``.
    """
    snapshot_id = ctx.params.get("SnapshotId")
    if not snapshot_id:
        raise missing("snapshotId")
    check_snapshot_id(snapshot_id)
    dry_run(ctx)
    with state.lock:
        region = state.region(ctx.region)
        owned_snapshot(state, ctx.region, snapshot_id, ctx.account_id)
        if region.snapshot_users.get(snapshot_id):
            user = _user_of(region, snapshot_id)
            raise Ec2Error(
                "InvalidSnapshot.InUse", f"The snapshot {snapshot_id} is currently in use by {user}"
            )
        region.snapshots.pop(snapshot_id, None)
        region.missing_snapshots.add(snapshot_id)
    out.add(out.root, "return", "true")


def _user_of(region: RegionState, snapshot_id: str) -> str:
    """The first registered image (in registration order) that maps ``snapshot_id``: a scan,
    but only on the way to an error; ``snapshot_users`` answers the common case in O(1)."""
    users = (i.image_id for i in region.images.values() if snapshot_id in i.snapshot_ids)
    return next(users, "an AMI")  # the count and the images cannot disagree; never a 500
