"""The wire parameters each served action takes, as shapes (``Filter.N.Value.N``), per API
generation: what the table in :mod:`pytest_ec2image.actions` holds for every action.

Plain data, with no handler behind it: the ``Ec2Registry`` facade checks a fault's ``when``
against these without loading a handler, and the conformance test compares them with
botocore's model of each operation.
"""

from __future__ import annotations

from typing import Final

from .context import COMMON, LEGACY_COMMON

# --- RegisterImage ---------------------------------------------------------------------------

_LEGACY_MAPPING_FIELDS: Final = (
    "DeviceName",
    "VirtualName",
    "Ebs.SnapshotId",
    "Ebs.VolumeSize",
    "Ebs.DeleteOnTermination",
    "Ebs.NoDevice",
)
EBS_FIELDS: Final = (
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
#: The ``BlockDeviceMapping.N.*`` shapes of the legacy generation and of today's API.
LEGACY_MAPPING_PARAMS: Final = frozenset(
    f"BlockDeviceMapping.N.{f}" for f in _LEGACY_MAPPING_FIELDS
)
MAPPING_PARAMS: Final = frozenset(
    {
        "BlockDeviceMapping.N.DeviceName",
        "BlockDeviceMapping.N.VirtualName",
        "BlockDeviceMapping.N.NoDevice",
    }
    | {f"BlockDeviceMapping.N.Ebs.{f}" for f in EBS_FIELDS}
)
#: What both API generations of RegisterImage take.
_REGISTER_BASE: Final = LEGACY_COMMON | {
    "ImageLocation",
    "Name",
    "Description",
    "Architecture",
    "KernelId",
    "RamdiskId",
    "RootDeviceName",
}
REGISTER_IMAGE_LEGACY: Final = _REGISTER_BASE | LEGACY_MAPPING_PARAMS
REGISTER_IMAGE: Final = (
    _REGISTER_BASE
    | {
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
    }
    | MAPPING_PARAMS
)

# --- the other image actions -----------------------------------------------------------------

DEREGISTER_IMAGE: Final = COMMON | {"ImageId", "DeleteAssociatedSnapshots"}
DEREGISTER_IMAGE_LEGACY: Final = LEGACY_COMMON | {"ImageId"}

_FILTERS: Final = frozenset({"Filter.N.Name", "Filter.N.Value.N"})
_PAGING: Final = frozenset({"MaxResults", "NextToken"})

DESCRIBE_IMAGES: Final = (
    COMMON
    | {"ImageId.N", "Owner.N", "ExecutableBy.N", "IncludeDeprecated", "IncludeDisabled"}
    | _FILTERS
    | _PAGING
)
DESCRIBE_IMAGES_LEGACY: Final = LEGACY_COMMON | {"ImageId.N", "Owner.N", "ExecutableBy.N"}

DESCRIBE_IMAGE_ATTRIBUTE: Final = COMMON | {"ImageId", "Attribute"}
DESCRIBE_IMAGE_ATTRIBUTE_LEGACY: Final = LEGACY_COMMON | {"ImageId", "Attribute"}

COPY_IMAGE: Final = COMMON | {
    "Name",
    "SourceImageId",
    "SourceRegion",
    "Description",
    "ClientToken",
    "Encrypted",
    "KmsKeyId",
    "CopyImageTags",
    "TagSpecification.N.ResourceType",
    "TagSpecification.N.Tag.N.Key",
    "TagSpecification.N.Tag.N.Value",
    "DestinationOutpostArn",
    "DestinationAvailabilityZone",
    "DestinationAvailabilityZoneId",
    "SnapshotCopyCompletionDurationMinutes",
}

# --- tags and snapshots ----------------------------------------------------------------------

CHANGE_TAGS: Final = COMMON | {"ResourceId.N", "Tag.N.Key", "Tag.N.Value"}
DESCRIBE_TAGS: Final = COMMON | _FILTERS | _PAGING

DESCRIBE_SNAPSHOTS: Final = (
    COMMON | {"SnapshotId.N", "Owner.N", "RestorableBy.N"} | _FILTERS | _PAGING
)
DESCRIBE_SNAPSHOTS_LEGACY: Final = LEGACY_COMMON | {"SnapshotId.N", "Owner.N", "RestorableBy.N"}

# --- the image lifecycle: deprecation, deregistration protection, disabling -------------------

#: DisableImageDeprecation, DisableImageDeregistrationProtection, EnableImage, DisableImage.
IMAGE_ID_ONLY: Final = COMMON | {"ImageId"}
ENABLE_IMAGE_DEPRECATION: Final = COMMON | {"ImageId", "DeprecateAt"}
ENABLE_IMAGE_DEREGISTRATION_PROTECTION: Final = COMMON | {"ImageId", "WithCooldown"}
