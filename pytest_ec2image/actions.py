"""The EC2 actions the fake serves and the table the server routes on.

A handler reads ``ctx.params`` (already known to hold only the action's parameters), raises
:class:`Ec2Error` for anything AWS rejects, and appends its answer's members to ``out``.
RegisterImage and DeregisterImage live here; the other actions have a module each.
:func:`check_fault` holds an injected fault against the table.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from . import attributes, block_devices, copy_image, describe, manifest, register, snapshots, tags
from .context import COMMON, SEED_COMMON, Action, RequestContext, check_image_id, dry_run, not_found
from .errors import Ec2Error, missing
from .model import Image
from .protocol import XmlOut, shape_of
from .store import RegistryState
from .validation import parse_bool

if TYPE_CHECKING:
    from .faults import Fault

__all__ = ["ACTIONS", "Action", "RequestContext", "check_fault"]


# --- RegisterImage ---------------------------------------------------------------------------


def register_image(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """RegisterImage: syntax checks, DryRun, then the state checks and the insert, atomically."""
    request = register.parse(ctx.params, seed=ctx.seed)
    # A missing Name is a syntax error, so it answers before DryRun does.
    if request.name is None and state.strict and not ctx.seed:
        raise missing("name")
    if request.dry_run:
        raise Ec2Error("DryRunOperation")
    root_device_type, root_device_name = register.resolve_backing(request)
    manifest_name = None
    if request.image_location is not None:
        # Before the lock: a user's manifest_source may read a real store.
        found = manifest.resolve(state, ctx.region, request.image_location)
        manifest_name = manifest.fill_request(request, found)
        root_device_name = request.root_device_name
    with state.lock:
        region = state.region(ctx.region)
        book = snapshots.SnapshotBook.of(state, ctx)
        mappings = block_devices.resolve_mappings(request.mappings, book, seed=request.seed)
        if state.strict:
            missing_ids = [
                i
                for i in (request.kernel_id, request.ramdisk_id)
                if i is not None and i not in region.images
            ]
            if missing_ids:
                raise not_found(missing_ids)
        name = request.name
        if name is None:
            assert request.image_location is not None  # parse() requires one or the other
            name = manifest_name or register.derive_name(request.image_location)
            register.check_name(name, seed=ctx.seed)
        holder = region.name_holder(ctx.account_id, name)
        if holder is not None:
            raise Ec2Error(
                "InvalidAMIName.Duplicate", f"AMI name {name} is already in use by AMI {holder}"
            )
        image = Image(
            image_id=state.new_image_id(region, short=ctx.seed),
            name=name,
            owner_id=ctx.account_id,
            region=ctx.region,
            creation_date=state.clock.next_date(),
            description=request.description,
            architecture=request.architecture or "i386",
            image_location=request.image_location or f"{ctx.account_id}/{name}",
            root_device_type=root_device_type,
            root_device_name=root_device_name,
            block_device_mappings=mappings,
            virtualization_type=request.virtualization_type or "paravirtual",
            ena_support=request.ena_support,
            sriov_net_support=request.sriov_net_support,
            boot_mode=request.boot_mode,
            tpm_support=request.tpm_support,
            uefi_data=request.uefi_data,
            imds_support=request.imds_support,
            kernel_id=request.kernel_id,
            ramdisk_id=request.ramdisk_id,
            billing_products=request.billing_products,
            tags=MappingProxyType(request.tags),
            api_version=ctx.version,
        )
        region.insert(image)
        for snapshot in book.recorded:
            region.snapshots[snapshot.snapshot_id] = snapshot
    ctx.image_id = image.image_id
    out.add(out.root, "imageId", image.image_id)


# --- DeregisterImage -------------------------------------------------------------------------


def deregister_image(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DeregisterImage, optionally deleting the snapshots no other image uses.

    The name is free again at once; deregistering the same id again is
    ``InvalidAMIID.Unavailable``.
    """
    image_id = ctx.params.get("ImageId")
    if not image_id:
        raise missing("imageId")
    check_image_id(image_id)
    delete_snapshots = parse_bool(
        "deleteAssociatedSnapshots", ctx.params.get("DeleteAssociatedSnapshots", "false")
    )
    dry_run(ctx)
    with state.lock:
        region = state.region(ctx.region)
        image = region.images.get(image_id)
        if image is None:
            if image_id in region.deregistered:
                raise Ec2Error("InvalidAMIID.Unavailable")
            raise not_found([image_id])
        if image.owner_id != ctx.account_id:
            raise Ec2Error("AuthFailure", f"Not authorized for image:{image_id}", status=400)
        region.remove(image_id)
        results: list[tuple[str, str]] = []
        if delete_snapshots:
            for snapshot_id in dict.fromkeys(image.snapshot_ids):
                if region.snapshot_users.get(snapshot_id):
                    results.append((snapshot_id, "skipped"))  # another image still maps it
                elif region.snapshots.pop(snapshot_id, None) is not None:
                    # Gone for good: lenient mode must not take it to exist again.
                    region.missing_snapshots.add(snapshot_id)
                    results.append((snapshot_id, "success"))
                else:
                    results.append((snapshot_id, "client-error"))
    ctx.image_id = image_id
    out.add(out.root, "return", "true")
    if delete_snapshots:
        result_set = out.add(out.root, "deleteSnapshotResultSet")
        for snapshot_id, code in results:
            item = out.item(result_set)
            out.add(item, "snapshotId", snapshot_id)
            out.add(item, "returnCode", code)


# --- the table -------------------------------------------------------------------------------

ACTIONS: Final[dict[str, Action]] = {
    "RegisterImage": Action(register_image, register.MODERN_PARAMS, register.SEED_PARAMS),
    "DescribeImages": describe.ACTION,
    "DeregisterImage": Action(
        deregister_image,
        COMMON | {"ImageId", "DeleteAssociatedSnapshots"},
        SEED_COMMON | {"ImageId"},
    ),
    "CreateTags": tags.CREATE_TAGS,
    "DeleteTags": tags.DELETE_TAGS,
    "DescribeTags": tags.DESCRIBE_TAGS,
    "DescribeImageAttribute": attributes.ACTION,
    "DescribeSnapshots": snapshots.ACTION,
    "CopyImage": copy_image.ACTION,
}


# --- faults against the table ----------------------------------------------------------------


def check_fault(fault: Fault) -> None:
    """A fault for an action the fake does not serve, or a ``when`` naming a parameter the
    action does not have, would silently never fire: refuse it up front."""
    action = ACTIONS.get(fault.action)
    if action is None:
        raise ValueError(
            f"{fault.action!r} is not an action the fake serves, so this fault could never "
            f"fire; served actions: {', '.join(sorted(ACTIONS))}"
        )
    if fault.when is None or callable(fault.when):
        return
    known = action.params | (action.seed_params or frozenset())
    for key in fault.when:
        try:
            shape = shape_of(key)
        except Ec2Error:
            shape = ""
        if shape not in known:
            raise ValueError(
                f"when={{{key!r}: ...}}: {key!r} is not a {fault.action} wire parameter, so "
                f"this fault could never fire (wire names look like "
                f"{_example_names(action.params)})"
            )


def _example_names(shapes: frozenset[str]) -> str:
    examples = sorted(s.replace(".N", ".1") for s in shapes if s not in ("Action", "Version"))
    return ", ".join(examples[:4]) + (", ..." if len(examples) > 4 else "")
