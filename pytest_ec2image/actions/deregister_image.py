"""DeregisterImage, optionally with the snapshots no other image uses."""

from __future__ import annotations

from ..access import find_image
from ..errors import Ec2Error, missing
from ..lifecycle import deregistration_refusal
from ..store import RegistryState
from ..validation import check_image_id, parse_bool
from ..wire.xml import XmlOut
from .context import RequestContext, dry_run


def deregister_image(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DeregisterImage, optionally deleting the snapshots no other image uses.

    The name is free again at once; deregistering the same id again is
    ``InvalidAMIID.Unavailable``. An image under deregistration protection, or in the
    cooldown after it, is refused (``OperationNotPermitted``) and stays.
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
        image = find_image(region, image_id, ctx.account_id, "own")
        refusal = deregistration_refusal(image, state.clock.now())
        if refusal is not None:
            # [INFERRED] AWS documents the refusal, not its answer: DOC-ERR's
            # OperationNotPermitted names termination protection as its example.
            raise Ec2Error("OperationNotPermitted", refusal)
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
