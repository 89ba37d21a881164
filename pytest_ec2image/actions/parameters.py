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

# --- snapshot deletion and sharing (issue 14, item 2) ---------------------------------------
# All four predate API version 2009-10-31: DeleteSnapshot came with EBS (2008-08-08), the
# attribute actions with snapshot sharing, as DescribeSnapshots' RestorableBy did. The struct
# form of ModifySnapshotAttribute (CreateVolumePermission.Add.N.*) is today's API only.

DELETE_SNAPSHOT: Final = COMMON | {"SnapshotId"}
DELETE_SNAPSHOT_LEGACY: Final = LEGACY_COMMON | {"SnapshotId"}

_FLAT_PERMISSIONS: Final = frozenset(
    {"SnapshotId", "Attribute", "OperationType", "UserId.N", "UserGroup.N"}
)
MODIFY_SNAPSHOT_ATTRIBUTE: Final = (
    COMMON
    | _FLAT_PERMISSIONS
    | {
        f"CreateVolumePermission.{operation}.N.{member}"
        for operation in ("Add", "Remove")
        for member in ("UserId", "Group")
    }
)
MODIFY_SNAPSHOT_ATTRIBUTE_LEGACY: Final = LEGACY_COMMON | _FLAT_PERMISSIONS
#: DescribeSnapshotAttribute and ResetSnapshotAttribute.
SNAPSHOT_ATTRIBUTE: Final = COMMON | {"SnapshotId", "Attribute"}
SNAPSHOT_ATTRIBUTE_LEGACY: Final = LEGACY_COMMON | {"SnapshotId", "Attribute"}

# --- sharing: ModifyImageAttribute, ResetImageAttribute ----------------------------------------

_LAUNCH_PERMISSION_MEMBERS: Final = ("UserId", "Group", "OrganizationArn", "OrganizationalUnitArn")
#: The older flat form, which 2009-10-31 already had (without the organization lists, M14a).
_FLAT_LAUNCH_PERMISSIONS: Final = frozenset(
    {"Attribute", "OperationType", "UserId.N", "UserGroup.N", "ProductCode.N", "Value"}
)
MODIFY_IMAGE_ATTRIBUTE: Final = (
    COMMON
    | {"ImageId", "Description.Value", "ImdsSupport.Value"}
    | {"OrganizationArn.N", "OrganizationalUnitArn.N"}
    | _FLAT_LAUNCH_PERMISSIONS
    | {
        f"LaunchPermission.{side}.N.{member}"
        for side in ("Add", "Remove")
        for member in _LAUNCH_PERMISSION_MEMBERS
    }
)
MODIFY_IMAGE_ATTRIBUTE_LEGACY: Final = LEGACY_COMMON | {"ImageId"} | _FLAT_LAUNCH_PERMISSIONS
RESET_IMAGE_ATTRIBUTE: Final = COMMON | {"ImageId", "Attribute"}
RESET_IMAGE_ATTRIBUTE_LEGACY: Final = LEGACY_COMMON | {"ImageId", "Attribute"}

# --- the image lifecycle: deprecation, deregistration protection, disabling -------------------

#: DisableImageDeprecation, DisableImageDeregistrationProtection, EnableImage, DisableImage.
IMAGE_ID_ONLY: Final = COMMON | {"ImageId"}
ENABLE_IMAGE_DEPRECATION: Final = COMMON | {"ImageId", "DeprecateAt"}
ENABLE_IMAGE_DEREGISTRATION_PROTECTION: Final = COMMON | {"ImageId", "WithCooldown"}
