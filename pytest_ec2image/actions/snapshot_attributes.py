"""ModifySnapshotAttribute, DescribeSnapshotAttribute and ResetSnapshotAttribute: who may
create volumes from a snapshot (``createVolumePermission``: account ids and the ``all``
group), which only the snapshot's owner may read or change (reference 9.2, 9.3).

ModifySnapshotAttribute takes the permissions in two wire forms: the struct
``CreateVolumePermission.Add.N.{UserId,Group}`` / ``.Remove.N.*`` (boto3, the CLI's
``--create-volume-permission``), and the older flat ``Attribute=createVolumePermission`` +
``OperationType=add|remove`` + ``UserId.N`` / ``UserGroup.N`` (the CLI's ``--user-ids``,
``--group-names``). Every item is checked before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final

from ..access import EVERYONE
from ..errors import Ec2Error, invalid_value, missing
from ..ids import is_account_id
from ..model import Snapshot
from ..references import owned_snapshot
from ..store import RegistryState
from ..validation import check_enum, check_snapshot_id
from ..wire.query import group, scalars
from ..wire.xml import XmlOut
from .context import RequestContext, dry_run

#: M16:SnapshotAttributeName.
ATTRIBUTES: Final = ("productCodes", "createVolumePermission")
PERMISSION: Final = "createVolumePermission"
#: "You can make up to 500 modifications to a snapshot in a single operation." (M16)
MAX_MODIFICATIONS: Final = 500
#: AWS's text for making an encrypted snapshot public (reference 3.3; U+2019 apostrophe).
ENCRYPTED_PUBLIC: Final = (
    "Encrypted snapshots can\u2019t be shared publicly. Specify another snapshot."
)


@dataclass(slots=True)
class _Changes:
    """What one request adds and removes: account ids, and whether the ``all`` group."""

    add_users: list[str] = field(default_factory=list)
    remove_users: list[str] = field(default_factory=list)
    add_public: bool = False
    remove_public: bool = False
    count: int = 0

    def take(self, operation: str, kind: str, value: str, item_type: str) -> None:
        """One item of the request, checked: ``kind`` is ``user`` or ``group``, and
        ``item_type`` the wire's word for it, which AWS's message echoes."""
        if (kind == "user" and not is_account_id(value)) or (kind == "group" and value != EVERYONE):
            raise Ec2Error(
                "InvalidAMIAttributeItemValue",
                f'Invalid attribute item value "{value}" for {item_type} item type.',
            )
        self.count += 1
        if kind == "group":
            if operation == "add":
                self.add_public = True
            else:
                self.remove_public = True
        else:
            (self.add_users if operation == "add" else self.remove_users).append(value)


def _check_attribute(attribute: str, verb: str) -> None:
    if attribute not in ATTRIBUTES:
        raise invalid_value("attribute", attribute, "Unknown attribute.")
    if attribute != PERMISSION:
        # [INFERRED] code and text: AWS documents only that this attribute cannot be changed.
        raise invalid_value(
            "attribute", attribute, f"Only the {PERMISSION} attribute can be {verb}."
        )


def _snapshot_id(ctx: RequestContext) -> str:
    snapshot_id = ctx.params.get("SnapshotId")
    if not snapshot_id:
        raise missing("snapshotId")
    return snapshot_id


def _changes(ctx: RequestContext) -> _Changes:
    """The request's modifications, from the struct form if it has one (then ``Attribute``
    and flat lists are tolerated, the flat ones checked but not applied: clients such as
    Packer send the same permissions both ways), else from the flat form."""
    params = ctx.params
    changes = _Changes()
    struct = [
        (operation.lower(), entry)
        for operation in ("Add", "Remove")
        for _, entry in group(params, f"CreateVolumePermission.{operation}")
    ]
    flat = [("user", u, "UserId") for u in scalars(params, "UserId")] + [
        ("group", g, "UserGroup") for g in scalars(params, "UserGroup")
    ]
    operation_type = params.get("OperationType")
    if operation_type is not None:
        check_enum("operationType", operation_type, ("add", "remove"))
    if struct:
        for operation, entry in struct:
            # An entry with both members is two permissions (the model allows both).
            if "UserId" in entry:
                changes.take(operation, "user", entry["UserId"], "userId")
            if "Group" in entry:
                changes.take(operation, "group", entry["Group"], "group")
        for kind, value, item_type in flat:
            _Changes().take("add", kind, value, item_type)
    elif flat or operation_type is not None:
        if "Attribute" not in params:
            # As AWS answers the same flat lists without Attribute for images (reference 3.2).
            raise missing("CreateVolumePermission")
        if operation_type is None:
            raise missing("OperationType")
        for kind, value, item_type in flat:
            changes.take(operation_type, kind, value, item_type)
    if changes.count == 0:
        # [INFERRED] a request that names no permission to add or remove.
        raise missing("CreateVolumePermission")
    if changes.count > MAX_MODIFICATIONS:
        # [INFERRED] code and text: M16 states the limit only.
        raise invalid_value(
            "createVolumePermission",
            str(changes.count),
            f"You can make up to {MAX_MODIFICATIONS} modifications to a snapshot in a "
            "single operation.",
        )
    return changes


def _apply(snapshot: Snapshot, changes: _Changes) -> Snapshot:
    """Adds first, then removes (so an entry in both ends removed); adding what is there and
    removing what is not change nothing."""
    users = dict.fromkeys(snapshot.create_volume_permissions)
    users.update(dict.fromkeys(changes.add_users))
    for user in changes.remove_users:
        users.pop(user, None)
    public = (snapshot.public or changes.add_public) and not changes.remove_public
    return replace(snapshot, public=public, create_volume_permissions=tuple(users))


def modify_snapshot_attribute(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """ModifySnapshotAttribute: add or remove create-volume permissions, all or none."""
    snapshot_id = _snapshot_id(ctx)
    attribute = ctx.params.get("Attribute")
    if attribute is not None:
        _check_attribute(attribute, "modified")
    changes = _changes(ctx)
    check_snapshot_id(snapshot_id)
    dry_run(ctx)
    with state.lock:
        snapshot = owned_snapshot(state, ctx.region, snapshot_id, ctx.account_id)
        if changes.add_public and snapshot.encrypted:
            raise Ec2Error("UnsupportedOperation", ENCRYPTED_PUBLIC)
        # A lenient snapshot the region never met is recorded now, with its permissions.
        state.region(ctx.region).snapshots[snapshot_id] = _apply(snapshot, changes)
    out.add(out.root, "return", "true")


def _read_request(ctx: RequestContext, verb: str | None) -> tuple[str, str]:
    """``SnapshotId`` and ``Attribute`` of Describe/Reset, both required; ``verb`` set: only
    ``createVolumePermission`` may be given (Reset)."""
    snapshot_id = _snapshot_id(ctx)
    attribute = ctx.params.get("Attribute")
    if not attribute:
        raise missing("attribute")
    if verb is None:
        if attribute not in ATTRIBUTES:
            raise invalid_value("attribute", attribute, "Unknown attribute.")
    else:
        _check_attribute(attribute, verb)
    check_snapshot_id(snapshot_id)
    dry_run(ctx)
    return snapshot_id, attribute


def describe_snapshot_attribute(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DescribeSnapshotAttribute: the permission list (``<createVolumePermission/>`` when
    private), or ``productCodes`` (always empty: the fake has no Marketplace)."""
    snapshot_id, attribute = _read_request(ctx, None)
    with state.lock:
        snapshot = owned_snapshot(state, ctx.region, snapshot_id, ctx.account_id)
    out.add(out.root, "snapshotId", snapshot_id)
    element = out.add(out.root, attribute)
    if attribute == PERMISSION:
        if snapshot.public:
            out.add(out.item(element), "group", EVERYONE)
        for user_id in snapshot.create_volume_permissions:
            out.add(out.item(element), "userId", user_id)


def reset_snapshot_attribute(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """ResetSnapshotAttribute: private again, shared with no account."""
    snapshot_id, _ = _read_request(ctx, "reset")
    with state.lock:
        snapshot = owned_snapshot(state, ctx.region, snapshot_id, ctx.account_id)
        if snapshot.public or snapshot.create_volume_permissions:
            # (A lenient snapshot the region never met has none: nothing to record.)
            reset = replace(snapshot, public=False, create_volume_permissions=())
            state.region(ctx.region).snapshots[snapshot_id] = reset
    out.add(out.root, "return", "true")
