"""DescribeSnapshots: the snapshots a test declared and the ones registrations recorded.

As for RegisterImage (SPEC 4.4), a well-formed snapshot id the test never declared exists in
lenient mode: asked for by id, it is answered as a completed 8 GiB snapshot of the caller's.
``missing_snapshot()``, strict mode and DeregisterImage's DeleteAssociatedSnapshots make one
absent.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from .context import (
    Action,
    RequestContext,
    dry_run,
    is_account_id,
    make_token,
    max_results,
    query_key,
    read_token,
)
from .errors import Ec2Error
from .filters import PLACEHOLDER_VOLUME_ID, match_all, snapshot_filters, snapshot_progress
from .model import Snapshot
from .protocol import XmlOut, scalars
from .register import DEFAULT_SNAPSHOT_SIZE
from .store import RegistryState
from .validation import is_resource_id


def _check_users(values: list[str], allowed: frozenset[str]) -> None:
    for value in values:
        if value not in allowed and not is_account_id(value):
            raise Ec2Error("InvalidUserID.Malformed", f'Invalid user id: "{value}"')


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
    _check_users(owners, frozenset({"self", "amazon"}))
    restorable_by = scalars(params, "RestorableBy")
    _check_users(restorable_by, frozenset({"self", "all"}))
    filters = snapshot_filters(params)
    page_size = max_results(params)
    if page_size is not None and snapshot_ids:
        raise Ec2Error(
            "InvalidParameterCombination",
            "The parameter snapshotSet cannot be used with the parameter maxResults",
        )
    key = query_key(ctx.action, params)
    offset = read_token(params, key)
    dry_run(ctx)
    owner_ids = {ctx.account_id if o == "self" else o for o in owners}
    # Only the owner can restore the fake's snapshots: they are never shared or public.
    restorers = {ctx.account_id if r == "self" else r for r in restorable_by}
    with state.lock:
        region = state.region(ctx.region)
        if snapshot_ids:
            candidates = [_by_id(state, ctx, s) for s in snapshot_ids]
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
        out.add(out.root, "nextToken", make_token(end, key))


def _by_id(state: RegistryState, ctx: RequestContext, snapshot_id: str) -> Snapshot:
    region = state.region(ctx.region)
    snapshot = region.snapshots.get(snapshot_id)
    if snapshot is not None and snapshot_id not in region.missing_snapshots:
        return snapshot
    if state.strict or snapshot_id in region.missing_snapshots:
        raise Ec2Error("InvalidSnapshot.NotFound", f"The snapshot '{snapshot_id}' does not exist.")
    return Snapshot(
        snapshot_id=snapshot_id,
        owner_id=ctx.account_id,
        region=ctx.region,
        size=DEFAULT_SNAPSHOT_SIZE,
        declared=False,
    )


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
        tag_set = out.add(item, "tagSet")
        for tag_key, tag_value in snapshot.tags.items():
            tag = out.item(tag_set)
            out.add(tag, "key", tag_key)
            out.add(tag, "value", tag_value)


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
