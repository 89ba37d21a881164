"""RegisterImage: read and check the request (syntax), then what it makes of the image.

The checks run in the reference's order (section 3.0): unknown parameters, then each
parameter's own format in the order of the reference's parameter table, then (after DryRun,
which the handler answers) the image's backing in :func:`resolve_backing` and the state
checks. Block device mappings, syntax and state, live in :mod:`.block_devices`.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Final

from ..errors import Ec2Error, combination, invalid_value, missing
from ..validation import (
    check_description,
    check_enum,
    check_name,
    check_tag_count,
    is_device_name,
    is_resource_id,
    parse_bool,
    parse_tags,
    same_device,
)
from ..wire.query import group, scalars
from .block_devices import MappingRequest, parse_mappings

_LOCATION = re.compile(r"^[^\s\x00-\x1f\x7f]{1,1024}$")

ARCHITECTURES: Final = ("i386", "x86_64", "arm64", "x86_64_mac", "arm64_mac")
LEGACY_ARCHITECTURES: Final = ("i386", "x86_64")
DEFAULT_ROOT_DEVICE: Final = "/dev/sda1"


@dataclass(slots=True, kw_only=True)
class RegisterImageRequest:
    """A RegisterImage request whose parameters each passed their own checks."""

    legacy: bool
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


def parse(params: dict[str, str], *, legacy: bool) -> RegisterImageRequest:
    """Read a RegisterImage request whose parameter names are already known to be valid."""
    request = RegisterImageRequest(legacy=legacy)
    name = params.get("Name")
    if name is not None and name != "":
        check_name(name, legacy=legacy)
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
        allowed = LEGACY_ARCHITECTURES if legacy else ARCHITECTURES
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
    request.mappings = parse_mappings(params, legacy=legacy)
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


# --- after DryRun: what the whole request makes of the image -------------------------------


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
