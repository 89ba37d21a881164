"""RegisterImage: the request's syntax (:mod:`.register_request`), DryRun, then the state
checks and the insert, as one atomic step under the registry lock."""

from __future__ import annotations

from types import MappingProxyType

from ..errors import Ec2Error, missing
from ..manifest.parsing import Manifest
from ..model import Image
from ..references import SnapshotBook, check_kernels, find_manifest
from ..store import RegistryState
from ..validation import check_name
from ..wire.xml import XmlOut
from . import register_request
from .block_devices import MappingRequest, resolve_mappings
from .context import RequestContext
from .register_request import RegisterImageRequest


def register_image(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """RegisterImage: syntax checks, DryRun, then the state checks and the insert, atomically."""
    request = register_request.parse(ctx.params, legacy=ctx.legacy)
    # A missing Name is a syntax error, so it answers before DryRun does.
    if request.name is None and state.strict and not ctx.legacy:
        raise missing("name")
    if request.dry_run:
        raise Ec2Error("DryRunOperation")
    root_device_type, root_device_name = register_request.resolve_backing(request)
    manifest_name = None
    if request.image_location is not None:
        # Before the lock: a user's manifest_source may read a real store.
        found = find_manifest(state, ctx.region, request.image_location)
        manifest_name = fill_request(request, found)
        root_device_name = request.root_device_name
    with state.lock:
        region = state.region(ctx.region)
        book = SnapshotBook.of(state, ctx.region, ctx.account_id)
        mappings = resolve_mappings(request.mappings, book, legacy=request.legacy)
        check_kernels(state, region, (request.kernel_id, request.ramdisk_id))
        name = request.name
        if name is None:
            assert request.image_location is not None  # parse() requires one or the other
            name = manifest_name or register_request.derive_name(request.image_location)
            check_name(name, legacy=ctx.legacy)
        holder = region.name_holder(ctx.account_id, name)
        if holder is not None:
            raise Ec2Error(
                "InvalidAMIName.Duplicate", f"AMI name {name} is already in use by AMI {holder}"
            )
        image = Image(
            image_id=state.new_image_id(region, short=ctx.legacy),
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
    ctx.image_id, ctx.created = image.image_id, True
    out.add(out.root, "imageId", image.image_id)


def fill_request(request: RegisterImageRequest, found: Manifest) -> str | None:
    """Fill what ``request`` left out from the manifest (architecture, kernel, ramdisk, root
    device, instance-store mappings of devices the request does not map); return the
    manifest's image name, which names the image when the request gives no Name."""
    if request.architecture is None:
        request.architecture = found.architecture
    if request.kernel_id is None:
        request.kernel_id = found.kernel_id
    if request.ramdisk_id is None:
        request.ramdisk_id = found.ramdisk_id
    if request.root_device_name is None:
        request.root_device_name = found.root_device_name
    given = {m.device_name for m in request.mappings}
    request.mappings = [
        *request.mappings,
        *(
            MappingRequest(device_name=device, virtual_name=virtual)
            for virtual, device in found.mappings
            if device not in given
        ),
    ]
    return found.image_name
