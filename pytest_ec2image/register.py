"""RegisterImage: read and check the request (syntax), then resolve it against state.

The checks run in the reference's order (section 3.0): unknown parameters, then each
parameter's own format in the order of the reference's parameter table, then (after DryRun,
which the server handles) the cross-parameter and state checks in :func:`resolve`.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Final

from .errors import Ec2Error, combination, invalid_value, missing
from .model import BlockDeviceMapping, EbsBlockDevice, Snapshot
from .protocol import group, scalars
from .validation import (
    check_enum,
    check_range,
    check_tag_count,
    is_device_name,
    is_resource_id,
    parse_bool,
    parse_int,
    parse_tags,
    same_device,
)

_MAPPING_FIELDS_SEED = (
    "DeviceName",
    "VirtualName",
    "Ebs.SnapshotId",
    "Ebs.VolumeSize",
    "Ebs.DeleteOnTermination",
    "Ebs.NoDevice",
)
_EBS_FIELDS = (
    "SnapshotId",
    "VolumeSize",
    "DeleteOnTermination",
    "VolumeType",
    "Iops",
    "Encrypted",
    "KmsKeyId",
    "Throughput",
    "OutpostArn",
    "AvailabilityZone",
    "AvailabilityZoneId",
    "VolumeInitializationRate",
    "EbsCardIndex",
)

SEED_PARAMS: Final = frozenset(
    {
        "Action",
        "Version",
        "ImageLocation",
        "Name",
        "Description",
        "Architecture",
        "KernelId",
        "RamdiskId",
        "RootDeviceName",
    }
    | {f"BlockDeviceMapping.N.{f}" for f in _MAPPING_FIELDS_SEED}
)
MODERN_PARAMS: Final = frozenset(
    {
        "Action",
        "Version",
        "ImageLocation",
        "Name",
        "Description",
        "Architecture",
        "KernelId",
        "RamdiskId",
        "RootDeviceName",
        "VirtualizationType",
        "SriovNetSupport",
        "EnaSupport",
        "DryRun",
        "BillingProduct.N",
        "BootMode",
        "TpmSupport",
        "UefiData",
        "ImdsSupport",
        "TagSpecification.N.ResourceType",
        "TagSpecification.N.Tag.N.Key",
        "TagSpecification.N.Tag.N.Value",
        "BlockDeviceMapping.N.DeviceName",
        "BlockDeviceMapping.N.VirtualName",
        "BlockDeviceMapping.N.NoDevice",
    }
    | {f"BlockDeviceMapping.N.Ebs.{f}" for f in _EBS_FIELDS}
)

_MODERN_NAME = re.compile(r"^[A-Za-z0-9()\[\] ./\-'@_]{3,128}$")
_SEED_NAME = re.compile(r"^[A-Za-z0-9(),/\-_]{3,128}$")
_VIRTUAL_NAME = re.compile(r"^ephemeral(?:[0-9]|1[0-9]|2[0-3])$")
_LOCATION = re.compile(r"^[^\s\x00-\x1f\x7f]{1,1024}$")

ARCHITECTURES: Final = ("i386", "x86_64", "arm64", "x86_64_mac", "arm64_mac")
SEED_ARCHITECTURES: Final = ("i386", "x86_64")
VOLUME_TYPES: Final = ("standard", "io1", "io2", "gp2", "gp3", "st1", "sc1")
#: Volume size range in GiB per volume type (M16:EbsBlockDevice.VolumeSize).
SIZE_RANGE: Final = {
    "gp2": (1, 16384),
    "gp3": (1, 65536),
    "io1": (4, 16384),
    "io2": (4, 65536),
    "st1": (125, 16384),
    "sc1": (125, 16384),
    "standard": (1, 1024),
}
IOPS_RANGE: Final = {"gp3": (3000, 80000), "io1": (100, 64000), "io2": (100, 256000)}
THROUGHPUT_RANGE: Final = (125, 2000)
GP3_DEFAULT_IOPS: Final = 3000
GP3_DEFAULT_THROUGHPUT: Final = 125
DEFAULT_ROOT_DEVICE: Final = "/dev/sda1"
#: ``InvalidAMIName.Malformed`` under 2009-10-31 (reference 3.2 gives only today's text).
SEED_NAME_MESSAGE: Final = (
    "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, "
    "'(', ')', ',', '/', '-' and '_' (API version 2009-10-31): {name}"
)
DEFAULT_SNAPSHOT_SIZE: Final = 8


@dataclass(slots=True, kw_only=True)
class EbsRequest:
    """The ``Ebs.*`` fields of one mapping as the request gave them."""

    snapshot_id: str | None = None
    volume_size: int | None = None
    delete_on_termination: bool = True
    volume_type: str | None = None
    iops: int | None = None
    throughput: int | None = None
    encrypted: bool | None = None
    outpost_arn: str | None = None
    availability_zone: str | None = None
    availability_zone_id: str | None = None
    volume_initialization_rate: int | None = None
    ebs_card_index: int | None = None


@dataclass(slots=True, kw_only=True)
class MappingRequest:
    """One ``BlockDeviceMapping.N`` entry as the request gave it."""

    device_name: str
    virtual_name: str | None = None
    no_device: bool = False
    ebs: EbsRequest | None = None


@dataclass(slots=True, kw_only=True)
class RegisterImageRequest:
    """A RegisterImage request whose parameters each passed their own checks."""

    seed: bool
    name: str | None = None
    description: str | None = None
    image_location: str | None = None
    architecture: str | None = None
    kernel_id: str | None = None
    ramdisk_id: str | None = None
    root_device_name: str | None = None
    mappings: list[MappingRequest] = field(default_factory=list)
    virtualization_type: str | None = None
    sriov_net_support: str | None = None
    ena_support: bool | None = None
    dry_run: bool = False
    billing_products: tuple[str, ...] = ()
    boot_mode: str | None = None
    tpm_support: str | None = None
    uefi_data: str | None = None
    imds_support: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


def check_name(name: str, *, seed: bool) -> None:
    """3-128 characters of the generation's charset, or ``InvalidAMIName.Malformed``.

    Today's message is AWS's verbatim text. No 2009 text survives, so the seed's says which
    characters that version takes (comma yes, period no) and names the rejected name.
    """
    if seed:
        if not _SEED_NAME.match(name):
            raise Ec2Error("InvalidAMIName.Malformed", SEED_NAME_MESSAGE.format(name=name))
    elif not _MODERN_NAME.match(name):
        raise Ec2Error("InvalidAMIName.Malformed")


def check_description(description: str) -> None:
    """At most 255 characters (AWS's CreateSnapshot wording)."""
    if len(description) > 255:
        raise invalid_value("description", description, "It exceeds 255 characters")


def parse(params: dict[str, str], *, seed: bool) -> RegisterImageRequest:
    """Read a RegisterImage request whose parameter names are already known to be valid."""
    request = RegisterImageRequest(seed=seed)
    name = params.get("Name")
    if name is not None and name != "":
        check_name(name, seed=seed)
        request.name = name
    elif "ImageLocation" not in params:
        raise missing("name")
    if "Description" in params:
        check_description(params["Description"])
        request.description = params["Description"]
    if "ImageLocation" in params:
        location = params["ImageLocation"]
        if not _LOCATION.match(location):
            raise invalid_value(
                "imageLocation",
                location,
                "Expected: the S3 path of a bundle manifest, such as "
                "'my-bucket/my-image.manifest.xml'.",
            )
        request.image_location = location
    if "Architecture" in params:
        allowed = SEED_ARCHITECTURES if seed else ARCHITECTURES
        request.architecture = check_enum("architecture", params["Architecture"], allowed)
    if "KernelId" in params:
        if not is_resource_id("aki", params["KernelId"]):
            raise Ec2Error("InvalidKernelId.Malformed")
        request.kernel_id = params["KernelId"]
    if "RamdiskId" in params:
        if not is_resource_id("ari", params["RamdiskId"]):
            raise Ec2Error("InvalidRamDiskId.Malformed")
        request.ramdisk_id = params["RamdiskId"]
    if "RootDeviceName" in params:
        root = params["RootDeviceName"]
        if not is_device_name(root):
            raise invalid_value("rootDeviceName", root, f"Invalid device name {root}")
        request.root_device_name = root
    request.mappings = _parse_mappings(params, seed=seed)
    if "VirtualizationType" in params:
        request.virtualization_type = check_enum(
            "virtualizationType", params["VirtualizationType"], ("hvm", "paravirtual")
        )
    if "SriovNetSupport" in params:
        request.sriov_net_support = check_enum(
            "sriovNetSupport", params["SriovNetSupport"], ("simple",)
        )
    if "EnaSupport" in params:
        request.ena_support = parse_bool("enaSupport", params["EnaSupport"])
    if "DryRun" in params:
        request.dry_run = parse_bool("dryRun", params["DryRun"])
    request.billing_products = tuple(scalars(params, "BillingProduct"))
    if "BootMode" in params:
        request.boot_mode = check_enum(
            "bootMode", params["BootMode"], ("legacy-bios", "uefi", "uefi-preferred")
        )
    if "TpmSupport" in params:
        request.tpm_support = check_enum("tpmSupport", params["TpmSupport"], ("v2.0",))
    if "UefiData" in params:
        request.uefi_data = _check_uefi_data(params["UefiData"])
    if "ImdsSupport" in params:
        request.imds_support = check_enum("imdsSupport", params["ImdsSupport"], ("v2.0",))
    request.tags = _parse_tag_specifications(params)
    _check_combinations(request)
    return request


def _parse_mappings(params: dict[str, str], *, seed: bool) -> list[MappingRequest]:
    mappings: list[MappingRequest] = []
    seen: set[str] = set()
    for _, entry in group(params, "BlockDeviceMapping"):
        device = entry.get("DeviceName")
        if device is None or device == "":
            raise Ec2Error("InvalidBlockDeviceMapping", "Missing device name")
        if not is_device_name(device):
            raise Ec2Error("InvalidBlockDeviceMapping", f"Invalid device name {device}")
        if device in seen:
            raise Ec2Error(
                "InvalidBlockDeviceMapping", f"{device} is being assigned to multiple times."
            )
        seen.add(device)
        mapping = MappingRequest(device_name=device)
        no_device = "NoDevice" in entry
        if seed and "Ebs.NoDevice" in entry:
            # boto's 2009 spelling carries a boolean, unlike today's empty NoDevice=.
            no_device = parse_bool("noDevice", entry["Ebs.NoDevice"]) or no_device
        has_ebs = any(k.startswith("Ebs.") and k != "Ebs.NoDevice" for k in entry)
        kinds = [
            k
            for k, on in (
                ("VirtualName", "VirtualName" in entry),
                ("Ebs", has_ebs),
                ("NoDevice", no_device),
            )
            if on
        ]
        if len(kinds) != 1:
            given = " and ".join(kinds) if kinds else "none of them"
            raise Ec2Error(
                "InvalidBlockDeviceMapping",
                f"The block device mapping for {device} must give exactly one of VirtualName, "
                f"Ebs or NoDevice; it gives {given}",
            )
        if "VirtualName" in entry:
            virtual = entry["VirtualName"]
            if not _VIRTUAL_NAME.match(virtual):
                raise Ec2Error(
                    "InvalidBlockDeviceMapping",
                    f"Invalid virtual name {virtual} for {device}: expected ephemeral0 to "
                    "ephemeral23",
                )
            mapping.virtual_name = virtual
        mapping.no_device = no_device
        if has_ebs:
            mapping.ebs = _parse_ebs(device, entry, seed=seed)
        mappings.append(mapping)
    return mappings


def _parse_ebs(device: str, entry: dict[str, str], *, seed: bool) -> EbsRequest:
    ebs = EbsRequest()
    if "Ebs.SnapshotId" in entry:
        snapshot_id = entry["Ebs.SnapshotId"]
        if not is_resource_id("snap", snapshot_id):
            raise Ec2Error(
                "InvalidSnapshotID.Malformed",
                f'Invalid id: "{snapshot_id}" (expecting "snap-...")',
            )
        ebs.snapshot_id = snapshot_id
    if "Ebs.VolumeSize" in entry:
        ebs.volume_size = parse_int("volumeSize", entry["Ebs.VolumeSize"])
    if "Ebs.DeleteOnTermination" in entry:
        ebs.delete_on_termination = parse_bool(
            "deleteOnTermination", entry["Ebs.DeleteOnTermination"]
        )
    if "Ebs.VolumeType" in entry:
        ebs.volume_type = check_enum("volumeType", entry["Ebs.VolumeType"], VOLUME_TYPES)
    if "Ebs.Iops" in entry:
        ebs.iops = parse_int("iops", entry["Ebs.Iops"])
    if "Ebs.Throughput" in entry:
        ebs.throughput = parse_int("throughput", entry["Ebs.Throughput"])
    if "Ebs.Encrypted" in entry:
        ebs.encrypted = parse_bool("encrypted", entry["Ebs.Encrypted"])
    if "Ebs.KmsKeyId" in entry:
        raise combination(
            f"KmsKeyId is not supported for RegisterImage (BlockDeviceMapping {device}); EC2 "
            "takes it only from RunInstances, RequestSpotFleet and RequestSpotInstances"
        )
    ebs.outpost_arn = entry.get("Ebs.OutpostArn")
    ebs.availability_zone = entry.get("Ebs.AvailabilityZone")
    ebs.availability_zone_id = entry.get("Ebs.AvailabilityZoneId")
    if ebs.availability_zone is not None and ebs.availability_zone_id is not None:
        raise combination(
            f"AvailabilityZone and AvailabilityZoneId are mutually exclusive ({device})"
        )
    if "Ebs.VolumeInitializationRate" in entry:
        rate = parse_int("VolumeInitializationRate", entry["Ebs.VolumeInitializationRate"])
        check_range("VolumeInitializationRate", rate, 100, 300, "The volume initialization rate")
        if ebs.snapshot_id is None:
            raise combination(f"VolumeInitializationRate needs a SnapshotId ({device})")
        ebs.volume_initialization_rate = rate
    if "Ebs.EbsCardIndex" in entry:
        ebs.ebs_card_index = parse_int("EbsCardIndex", entry["Ebs.EbsCardIndex"])
    _check_volume(device, ebs, seed=seed)
    return ebs


def _check_volume(device: str, ebs: EbsRequest, *, seed: bool) -> None:
    if ebs.snapshot_id is None and ebs.volume_size is None:
        raise missing("size or snapshotId")
    if ebs.snapshot_id is not None and ebs.encrypted is not None:
        raise combination(
            f"Encrypted cannot be given for a volume created from a snapshot "
            f"({device}, {ebs.snapshot_id}): it takes the snapshot's encryption"
        )
    volume_type = ebs.volume_type or ("standard" if seed else "gp2")
    if ebs.volume_size is not None:
        low, high = SIZE_RANGE[volume_type]
        check_range(
            "volumeSize", ebs.volume_size, low, high, f"The size of a {volume_type} volume in GiB"
        )
    if ebs.iops is not None:
        if volume_type not in IOPS_RANGE:
            raise combination(
                f"The parameter iops is not supported for {volume_type} volumes ({device})"
            )
        low, high = IOPS_RANGE[volume_type]
        check_range("iops", ebs.iops, low, high, f"The IOPS of a {volume_type} volume")
    elif volume_type in ("io1", "io2"):
        raise missing("iops")
    if ebs.throughput is not None:
        if volume_type != "gp3":
            raise combination(
                f"The parameter throughput is only supported for gp3 volumes, not "
                f"{volume_type} ({device})"
            )
        check_range("throughput", ebs.throughput, *THROUGHPUT_RANGE, "The throughput in MiB/s")


def _check_uefi_data(value: str) -> str:
    if len(value) > 64000:
        raise invalid_value("uefiData", value[:32] + "...", "It exceeds 64000 characters")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_value("uefiData", value[:64], "Expected: base64-encoded data.") from None
    return value


def _parse_tag_specifications(params: dict[str, str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for index, spec in group(params, "TagSpecification"):
        resource_type = spec.get("ResourceType")
        if resource_type is None:
            raise missing(f"TagSpecification.{index}.ResourceType")
        if resource_type != "image":
            raise invalid_value(
                "resourceType",
                resource_type,
                "RegisterImage can only tag the image: the resource type must be 'image'.",
            )
        for key, value in parse_tags(spec, "Tag", where=f"TagSpecification.{index}.").items():
            if key in tags:
                raise invalid_value("key", key, "Duplicate tag key.")
            tags[key] = value
    check_tag_count(tags)
    return tags


def _check_combinations(request: RegisterImageRequest) -> None:
    """Parameter pairs AWS rejects whatever the state: checked before DryRun."""
    architecture = request.architecture or "i386"
    virtualization = request.virtualization_type or "paravirtual"
    if architecture in ("arm64", "x86_64_mac", "arm64_mac") and virtualization != "hvm":
        raise combination(
            f"Images with architecture {architecture} must use virtualization type hvm, "
            f"not {virtualization}"
        )
    if request.tpm_support is not None and request.boot_mode != "uefi":
        raise combination(
            f"TpmSupport {request.tpm_support} requires BootMode uefi, not "
            f"{request.boot_mode or 'unset'}"
        )


# --- after DryRun: the request against the registry's state ---------------------------------


@dataclass(slots=True)
class SnapshotBook:
    """What :func:`resolve` needs to know of snapshots, and the ones it newly records."""

    known: dict[str, Snapshot]
    missing: frozenset[str]
    strict: bool
    owner_id: str
    region: str
    recorded: list[Snapshot] = field(default_factory=list)

    def lookup(self, snapshot_id: str, size_hint: int | None) -> Snapshot:
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


def derive_name(location: str) -> str:
    """The image name AWS takes from a manifest path when the request gives none."""
    file_name = location.rsplit("/", 1)[-1]
    return file_name.removesuffix(".manifest.xml")


def resolve_backing(request: RegisterImageRequest) -> tuple[str, str | None]:
    """``(root_device_type, root_device_name)``, after checking ImageLocation vs mappings."""
    if request.image_location is not None:
        ebs = [m.device_name for m in request.mappings if m.ebs is not None]
        if ebs:
            raise combination(
                "An instance store-backed image (ImageLocation) cannot have EBS block device "
                f"mappings: {', '.join(ebs)}"
            )
        return "instance-store", request.root_device_name
    if not request.mappings and request.root_device_name is None:
        raise missing("ImageLocation")
    root = request.root_device_name or DEFAULT_ROOT_DEVICE
    root_mapping = next((m for m in request.mappings if same_device(m.device_name, root)), None)
    if root_mapping is None:
        raise Ec2Error(
            "InvalidBlockDeviceMapping",
            f"The root device {root} has no entry in the block device mapping",
        )
    if root_mapping.ebs is None or root_mapping.ebs.snapshot_id is None:
        raise Ec2Error(
            "InvalidBlockDeviceMapping",
            f"The root device {root} must be an EBS volume created from a snapshot",
        )
    return "ebs", root


def resolve_mappings(
    request: RegisterImageRequest, snapshots: SnapshotBook
) -> tuple[BlockDeviceMapping, ...]:
    """The mappings to store, with AWS's defaults and the snapshots' sizes filled in."""
    resolved: list[BlockDeviceMapping] = []
    for mapping in request.mappings:
        ebs = mapping.ebs
        if ebs is None:
            resolved.append(
                BlockDeviceMapping(
                    device_name=mapping.device_name,
                    virtual_name=mapping.virtual_name,
                    no_device=mapping.no_device,
                )
            )
            continue
        volume_type = ebs.volume_type or ("standard" if request.seed else "gp2")
        size, encrypted = ebs.volume_size, bool(ebs.encrypted)
        if ebs.snapshot_id is not None:
            snapshot = snapshots.lookup(ebs.snapshot_id, ebs.volume_size)
            if snapshot.state != "completed":
                raise Ec2Error(
                    "IncorrectState", f"Snapshot '{snapshot.snapshot_id}' is not 'completed'."
                )
            if size is None:
                # parse() could not check this size: it comes from the snapshot only now.
                size = snapshot.size
                low, high = SIZE_RANGE[volume_type]
                check_range(
                    "volumeSize",
                    size,
                    low,
                    high,
                    f"The size of a {volume_type} volume in GiB (snapshot "
                    f"{snapshot.snapshot_id} is {size} GiB)",
                )
            elif size < snapshot.size:
                raise Ec2Error(
                    "InvalidBlockDeviceMapping",
                    f"Volume of size {size}GB is smaller than  snapshot "
                    f"'{snapshot.snapshot_id}', expect size >= {snapshot.size}GB",
                )
            encrypted = snapshot.encrypted
        iops, throughput = ebs.iops, ebs.throughput
        if volume_type == "gp3":
            iops = iops if iops is not None else GP3_DEFAULT_IOPS
            throughput = throughput if throughput is not None else GP3_DEFAULT_THROUGHPUT
        resolved.append(
            BlockDeviceMapping(
                device_name=mapping.device_name,
                ebs=EbsBlockDevice(
                    snapshot_id=ebs.snapshot_id,
                    volume_size=size,
                    delete_on_termination=ebs.delete_on_termination,
                    volume_type=volume_type,
                    iops=iops,
                    throughput=throughput,
                    encrypted=encrypted,
                    outpost_arn=ebs.outpost_arn,
                    availability_zone=ebs.availability_zone,
                    availability_zone_id=ebs.availability_zone_id,
                    volume_initialization_rate=ebs.volume_initialization_rate,
                    ebs_card_index=ebs.ebs_card_index,
                ),
            )
        )
    return tuple(resolved)
