"""Block device mappings of RegisterImage: their wire parameters, the syntax checks of each
``BlockDeviceMapping.N`` entry, and (after DryRun) their resolution against the registry's
snapshots into the :class:`~pytest_ec2image.model.BlockDeviceMapping` records an image keeps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from ..errors import Ec2Error, combination, missing
from ..model import BlockDeviceMapping, EbsBlockDevice
from ..references import SnapshotBook
from ..validation import (
    check_enum,
    check_range,
    is_device_name,
    is_resource_id,
    parse_bool,
    parse_int,
)
from ..wire.query import group

_VIRTUAL_NAME = re.compile(r"^ephemeral(?:[0-9]|1[0-9]|2[0-3])$")

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


@dataclass(slots=True, kw_only=True)
class MappingRequest:
    """One ``BlockDeviceMapping.N`` entry as the request gave it.

    ``ebs`` holds the ``Ebs.*`` values as given (``None`` where not given):
    :func:`resolve_mappings` fills in AWS's defaults and the snapshot's size.
    """

    device_name: str
    virtual_name: str | None = None
    no_device: bool = False
    ebs: EbsBlockDevice | None = None


# --- syntax: each entry on its own -----------------------------------------------------------


def parse_mappings(params: dict[str, str], *, legacy: bool) -> list[MappingRequest]:
    """The request's ``BlockDeviceMapping.N`` entries, each checked on its own."""
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
        if legacy and "Ebs.NoDevice" in entry:
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
            mapping.ebs = _parse_ebs(device, entry, legacy=legacy)
        mappings.append(mapping)
    return mappings


def _parse_ebs(device: str, entry: dict[str, str], *, legacy: bool) -> EbsBlockDevice:
    given: dict[str, Any] = {}
    if "Ebs.SnapshotId" in entry:
        snapshot_id = entry["Ebs.SnapshotId"]
        if not is_resource_id("snap", snapshot_id):
            raise Ec2Error(
                "InvalidSnapshotID.Malformed",
                f'Invalid id: "{snapshot_id}" (expecting "snap-...")',
            )
        given["snapshot_id"] = snapshot_id
    if "Ebs.VolumeSize" in entry:
        given["volume_size"] = parse_int("volumeSize", entry["Ebs.VolumeSize"])
    if "Ebs.DeleteOnTermination" in entry:
        given["delete_on_termination"] = parse_bool(
            "deleteOnTermination", entry["Ebs.DeleteOnTermination"]
        )
    if "Ebs.VolumeType" in entry:
        given["volume_type"] = check_enum("volumeType", entry["Ebs.VolumeType"], VOLUME_TYPES)
    if "Ebs.Iops" in entry:
        given["iops"] = parse_int("iops", entry["Ebs.Iops"])
    if "Ebs.Throughput" in entry:
        given["throughput"] = parse_int("throughput", entry["Ebs.Throughput"])
    if "Ebs.Encrypted" in entry:
        given["encrypted"] = parse_bool("encrypted", entry["Ebs.Encrypted"])
    if "Ebs.KmsKeyId" in entry:
        raise combination(
            f"KmsKeyId is not supported for RegisterImage (BlockDeviceMapping {device}); EC2 "
            "takes it only from RunInstances, RequestSpotFleet and RequestSpotInstances"
        )
    given["outpost_arn"] = entry.get("Ebs.OutpostArn")
    given["availability_zone"] = entry.get("Ebs.AvailabilityZone")
    given["availability_zone_id"] = entry.get("Ebs.AvailabilityZoneId")
    if given["availability_zone"] is not None and given["availability_zone_id"] is not None:
        raise combination(
            f"AvailabilityZone and AvailabilityZoneId are mutually exclusive ({device})"
        )
    if "Ebs.VolumeInitializationRate" in entry:
        rate = parse_int("VolumeInitializationRate", entry["Ebs.VolumeInitializationRate"])
        check_range("VolumeInitializationRate", rate, 100, 300, "The volume initialization rate")
        if given.get("snapshot_id") is None:
            raise combination(f"VolumeInitializationRate needs a SnapshotId ({device})")
        given["volume_initialization_rate"] = rate
    if "Ebs.EbsCardIndex" in entry:
        given["ebs_card_index"] = parse_int("EbsCardIndex", entry["Ebs.EbsCardIndex"])
    ebs = EbsBlockDevice(**given)
    _check_volume(device, ebs, legacy=legacy)
    return ebs


def _check_volume(device: str, ebs: EbsBlockDevice, *, legacy: bool) -> None:
    if ebs.snapshot_id is None and ebs.volume_size is None:
        raise missing("size or snapshotId")
    if ebs.snapshot_id is not None and ebs.encrypted is not None:
        raise combination(
            f"Encrypted cannot be given for a volume created from a snapshot "
            f"({device}, {ebs.snapshot_id}): it takes the snapshot's encryption"
        )
    volume_type = ebs.volume_type or ("standard" if legacy else "gp2")
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


# --- after DryRun: the mappings against the registry's snapshots ---------------------------


def resolve_mappings(
    mappings: Sequence[MappingRequest], snapshots: SnapshotBook, *, legacy: bool
) -> tuple[BlockDeviceMapping, ...]:
    """The mappings to store, with AWS's defaults and the snapshots' sizes filled in."""
    resolved: list[BlockDeviceMapping] = []
    for mapping in mappings:
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
        volume_type = ebs.volume_type or ("standard" if legacy else "gp2")
        size, encrypted = ebs.volume_size, bool(ebs.encrypted)
        if ebs.snapshot_id is not None:
            snapshot = snapshots.lookup(ebs.snapshot_id, ebs.volume_size, use=True)
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
                ebs=replace(
                    ebs,
                    volume_size=size,
                    volume_type=volume_type,
                    iops=iops,
                    throughput=throughput,
                    encrypted=encrypted,
                ),
            )
        )
    return tuple(resolved)
