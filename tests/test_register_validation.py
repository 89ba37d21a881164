"""Every RegisterImage validation rule of reference section 3, through raw HTTP and boto3.

One table drives both transports. A case gives the boto3 ``register_image`` keyword arguments
when boto3 can send the request (the raw side sends their wire form, the same parameters
botocore sends), or the raw wire parameters and the reason boto3 cannot. A botocore too old
to know a member a case uses (the ``lowest`` tox env) leaves that case's boto3 run out.
Each case checks the error code, the HTTP status and the exact message, and that the rejected
request left nothing behind: no image, no recorded snapshot.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_ec2image import Ec2Registry
from tests.conftest import SNAP, SNAP2, send
from tests.ec2_model import boto3_refuses, botocore_serialize, serialize, unknown_members

MALFORMED_NAME = (
    "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, "
    "'(', ')', '.', '-', '/' and '_'"
)
SEED_MALFORMED_NAME = (
    "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, "
    "'(', ')', ',', '/', '-' and '_' (API version 2009-10-31): {}"
)
DRY_RUN = "Request would have succeeded, but DryRun flag is set."
#: AWS's text, then (the fake's addition) the location and why it is not there.
INVALID_MANIFEST = re.compile(
    r"^The specified AMI has an unparsable manifest, or you may not have access to the location "
    r"of the manifest file in Amazon S3\b.*: bucket/web\.manifest\.xml \(.+\)$"
)
OMIT: Any = object()


def api(*extra_mappings: dict[str, Any], root: dict[str, Any] | None = None, **params: Any):
    """boto3 kwargs of a valid EBS-backed registration, changed by ``params`` (``OMIT`` drops a
    parameter), ``root`` (fields added to the root mapping's Ebs) and extra mappings."""
    request: dict[str, Any] = {
        "Name": "web-1",
        "RootDeviceName": "/dev/sda1",
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP, **(root or {})}},
            *extra_mappings,
        ],
    }
    request.update(params)
    return {k: v for k, v in request.items() if v is not OMIT}


def wire(version: str | None = "2016-11-15", **params: str) -> dict[str, str]:
    """Wire parameters of a valid EBS-backed registration, changed by ``params``."""
    request = {
        "Action": "RegisterImage",
        "Version": version,
        "Name": "web-1",
        "RootDeviceName": "/dev/sda1",
        "BlockDeviceMapping.1.DeviceName": "/dev/sda1",
        "BlockDeviceMapping.1.Ebs.SnapshotId": SNAP,
    }
    request.update(params)
    return {k: v for k, v in request.items() if v is not OMIT and v is not None}


def ebs(device: str = "/dev/sdb", **fields: Any) -> dict[str, Any]:
    """A boto3 mapping of ``device`` with these Ebs fields."""
    return {"DeviceName": device, "Ebs": fields}


Message = str | re.Pattern[str] | Callable[[Ec2Registry], str]


@dataclass(frozen=True)
class Case:
    id: str
    code: str
    message: Message
    status: int = 400
    #: boto3 register_image kwargs; None when boto3 cannot send the request (see raw_only).
    api: dict[str, Any] | None = None
    #: the wire parameters, for the cases boto3 cannot express.
    wire: dict[str, str] | None = None
    #: a raw form body (duplicate keys cannot live in a dict), with an optional query string.
    body: str | None = None
    query: str = ""
    #: why boto3 cannot send this request.
    raw_only: str = ""
    method: str = "POST"
    setup: Callable[[Ec2Registry], object] | None = None
    params: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        assert (self.api is None) == bool(self.raw_only), self.id
        if self.api is not None:
            object.__setattr__(self, "params", serialize(self.api))
        elif self.wire is not None:
            object.__setattr__(self, "params", self.wire)


def strict(registry: Ec2Registry) -> None:
    registry.strict = True


CASES = [
    # --- protocol: action, version, parameter names, encoding (reference 1.1, 1.4) ---------
    Case(
        "missing-action",
        "MissingParameter",
        "The request must contain the parameter Action",
        wire=wire(Action=OMIT),
        raw_only="boto3 always sends Action",
    ),
    Case(
        "invalid-action",
        "InvalidAction",
        "The action RegisterImages is not valid for this web service.",
        wire=wire(Action="RegisterImages"),
        raw_only="boto3 sends only the operations of its model",
    ),
    Case(
        "no-such-version-date",
        "NoSuchVersion",
        "The requested version (2020-01-01) of service AmazonEC2 does not exist",
        wire=wire("2020-01-01"),
        raw_only="boto3 always sends Version=2016-11-15",
    ),
    Case(
        "no-such-version-word",
        "NoSuchVersion",
        "The requested version (latest) of service AmazonEC2 does not exist",
        wire=wire("latest"),
        raw_only="boto3 always sends Version=2016-11-15",
    ),
    Case(
        "unknown-parameter",
        "UnknownParameter",
        "The parameter ImageName is not recognized",
        wire=wire(ImageName="web-1"),
        raw_only="boto3 drops parameters its model does not have",
    ),
    Case(
        "parameter-names-are-case-sensitive",
        "UnknownParameter",
        "The parameter name is not recognized",
        wire=wire(Name=OMIT, name="web-1"),
        raw_only="boto3 spells parameter names from its model",
    ),
    Case(
        "model-member-name-is-not-the-wire-name",
        "UnknownParameter",
        "The parameter BlockDeviceMappings.2.DeviceName is not recognized",
        wire=wire(**{"BlockDeviceMappings.2.DeviceName": "/dev/sdb"}),
        raw_only="boto3 flattens lists with the query name BlockDeviceMapping",
    ),
    Case(
        "ebs-no-device-is-seed-only",
        "UnknownParameter",
        "The parameter BlockDeviceMapping.2.Ebs.NoDevice is not recognized",
        wire=wire(
            **{
                "BlockDeviceMapping.2.DeviceName": "/dev/sdb",
                "BlockDeviceMapping.2.Ebs.NoDevice": "true",
            }
        ),
        raw_only="Ebs.NoDevice is boto 2009's spelling; boto3 sends NoDevice=",
    ),
    Case(
        "duplicate-key-in-body",
        "InvalidParameterValue",
        "The parameter Name is given more than once",
        body=urllib.parse.urlencode([*wire().items(), ("Name", "web-2")]),
        raw_only="boto3 serialises a dict: it cannot repeat a key",
    ),
    Case(
        "duplicate-key-in-query-and-body",
        "InvalidParameterValue",
        "The parameter Name is given more than once",
        body=urllib.parse.urlencode(wire()),
        query="Name=web-2",
        raw_only="boto3 sends no query string with a POST",
    ),
    Case(
        "list-index-leading-zero",
        "InvalidParameterValue",
        "Value (01) for parameter BlockDeviceMapping.01.Ebs.SnapshotId is invalid. "
        "List indexes run from 0 to 10000, without leading zeros.",
        wire=wire(**{"BlockDeviceMapping.01.Ebs.SnapshotId": SNAP2}),
        raw_only="boto3 numbers list entries from 1",
    ),
    Case(
        "list-index-absurd",
        "InvalidParameterValue",
        "Value (99999999999) for parameter TagSpecification.99999999999.ResourceType is "
        "invalid. List indexes run from 0 to 10000, without leading zeros.",
        wire=wire(**{"TagSpecification.99999999999.ResourceType": "image"}),
        raw_only="boto3 numbers list entries from 1",
    ),
    Case(
        "list-index-not-a-number",
        "UnknownParameter",
        "The parameter BlockDeviceMapping.x.DeviceName is not recognized",
        wire=wire(**{"BlockDeviceMapping.x.DeviceName": "/dev/sdb"}),
        raw_only="boto3 numbers list entries from 1",
    ),
    Case(
        "scalar-list-without-index",
        "UnknownParameter",
        "The parameter BillingProduct is not recognized",
        wire=wire(BillingProduct="bp-6ba54002"),
        raw_only="boto3 always indexes list entries",
    ),
    Case(
        "bad-percent-encoding",
        "InvalidParameterValue",
        "The request has an invalid percent-encoding at byte 46: '%zz'",
        body="Action=RegisterImage&Version=2016-11-15&Name=a%zz",
        raw_only="boto3 percent-encodes correctly",
    ),
    Case(
        "bad-utf-8",
        "InvalidParameterValue",
        re.compile(r"^The request is not valid UTF-8: .+ in b'Name=web%FF'$"),
        body="Action=RegisterImage&Version=2016-11-15&Name=web%FF",
        raw_only="boto3 encodes text as UTF-8",
    ),
    # --- the seed generation: Version 2009-10-31 (SPEC 4.2) ---------------------------------
    Case(
        "seed-name-rejects-period",
        "InvalidAMIName.Malformed",
        SEED_MALFORMED_NAME.format("web-1.0"),
        wire=wire("2009-10-31", Name="web-1.0"),
        raw_only="boto3 cannot send Version=2009-10-31",
        method="GET",
    ),
    Case(
        "seed-name-rejects-space",
        "InvalidAMIName.Malformed",
        SEED_MALFORMED_NAME.format("web 1"),
        wire=wire("2009-10-31", Name="web 1"),
        raw_only="boto3 cannot send Version=2009-10-31",
        method="GET",
    ),
    Case(
        "seed-name-rejects-brackets",
        "InvalidAMIName.Malformed",
        SEED_MALFORMED_NAME.format("web[1]"),
        wire=wire("2009-10-31", Name="web[1]"),
        raw_only="boto3 cannot send Version=2009-10-31",
        method="GET",
    ),
    *(
        Case(
            f"seed-unknown-{name}",
            "UnknownParameter",
            f"The parameter {name} is not recognized",
            wire=wire("2009-10-31", **{name: value}),
            raw_only="boto3 cannot send Version=2009-10-31",
            method="GET",
        )
        for name, value in (
            ("VirtualizationType", "hvm"),
            ("DryRun", "true"),
            ("EnaSupport", "true"),
            ("SriovNetSupport", "simple"),
            ("BootMode", "uefi"),
            ("TpmSupport", "v2.0"),
            ("UefiData", "QUJD"),
            ("ImdsSupport", "v2.0"),
            ("BillingProduct.1", "bp-6ba54002"),
            ("TagSpecification.1.ResourceType", "image"),
            ("BlockDeviceMapping.1.Ebs.VolumeType", "gp2"),
            ("BlockDeviceMapping.1.Ebs.Iops", "100"),
            ("BlockDeviceMapping.1.Ebs.Encrypted", "false"),
            ("BlockDeviceMapping.2.NoDevice", ""),
        )
    ),
    Case(
        "seed-architecture-has-no-arm64",
        "InvalidParameterValue",
        "Invalid value 'arm64' for architecture.",
        wire=wire("2009-10-31", Architecture="arm64"),
        raw_only="boto3 cannot send Version=2009-10-31",
        method="GET",
    ),
    Case(
        "seed-ebs-no-device-takes-a-boolean",
        "InvalidParameterValue",
        "Value (yes) for parameter noDevice is invalid. Expected: 'true' or 'false'.",
        wire=wire(
            "2009-10-31",
            **{
                "BlockDeviceMapping.2.DeviceName": "/dev/sdb",
                "BlockDeviceMapping.2.Ebs.NoDevice": "yes",
            },
        ),
        raw_only="boto3 cannot send Version=2009-10-31",
        method="GET",
    ),
    Case(
        "seed-name-required-without-image-location",
        "MissingParameter",
        "The request must contain the parameter name",
        wire=wire(None, Name=OMIT),
        raw_only="boto3 cannot leave Version out",
        method="GET",
    ),
    # --- 3.1 Name required -------------------------------------------------------------------
    Case(
        "name-missing",
        "MissingParameter",
        "The request must contain the parameter name",
        api=api(Name=OMIT),
    ),
    Case(
        "name-empty",
        "MissingParameter",
        "The request must contain the parameter name",
        api=api(Name=""),
    ),
    # --- 3.2 Name format ---------------------------------------------------------------------
    Case("name-too-short", "InvalidAMIName.Malformed", MALFORMED_NAME, api=api(Name="ab")),
    Case("name-too-long", "InvalidAMIName.Malformed", MALFORMED_NAME, api=api(Name="n" * 129)),
    Case("name-comma", "InvalidAMIName.Malformed", MALFORMED_NAME, api=api(Name="web,1")),
    Case("name-plus", "InvalidAMIName.Malformed", MALFORMED_NAME, api=api(Name="web+1")),
    Case("name-non-ascii", "InvalidAMIName.Malformed", MALFORMED_NAME, api=api(Name="wéb-1")),
    Case("name-newline", "InvalidAMIName.Malformed", MALFORMED_NAME, api=api(Name="web\n1")),
    Case(
        "name-from-manifest-file-too-short",
        "InvalidAMIName.Malformed",
        MALFORMED_NAME,
        api={"ImageLocation": "bucket/ab.manifest.xml"},
    ),
    # --- 3.3 duplicate name (state) ----------------------------------------------------------
    Case(
        "name-duplicate",
        "InvalidAMIName.Duplicate",
        lambda r: f"AMI name web-1 is already in use by AMI {r.assert_registered().image_id}",
        api=api(),
        setup=lambda r: r.duplicate_name("web-1"),
    ),
    Case(
        "name-duplicate-of-a-pending-image",
        "InvalidAMIName.Duplicate",
        lambda r: f"AMI name web-1 is already in use by AMI {r.assert_registered().image_id}",
        api=api(),
        setup=lambda r: r.add_image("web-1", state="pending"),
    ),
    Case(
        "name-duplicate-of-an-s3-image",
        "InvalidAMIName.Duplicate",
        lambda r: f"AMI name web-1 is already in use by AMI {r.assert_registered().image_id}",
        api={"Name": "web-1", "ImageLocation": "bucket/web.manifest.xml"},
        setup=lambda r: r.duplicate_name("web-1"),
    ),
    # --- 3.4 Description ---------------------------------------------------------------------
    Case(
        "description-too-long",
        "InvalidParameterValue",
        f"Value ({'d' * 256}) for parameter description is invalid. It exceeds 255 characters",
        api=api(Description="d" * 256),
    ),
    # --- 3.5 backing: ImageLocation vs root device -------------------------------------------
    Case(
        "no-image-location-and-no-root",
        "MissingParameter",
        "The request must contain the parameter ImageLocation",
        api={"Name": "web-1"},
    ),
    Case(
        "image-location-with-ebs-mapping",
        "InvalidParameterCombination",
        "An instance store-backed image (ImageLocation) cannot have EBS block device mappings: "
        "/dev/sda1",
        api=api(ImageLocation="bucket/web.manifest.xml"),
    ),
    Case(
        "root-device-name-without-mappings",
        "InvalidBlockDeviceMapping",
        "The root device /dev/sda1 has no entry in the block device mapping",
        api=api(BlockDeviceMappings=OMIT),
    ),
    Case(
        "root-device-not-mapped",
        "InvalidBlockDeviceMapping",
        "The root device /dev/xvda has no entry in the block device mapping",
        api=api(RootDeviceName="/dev/xvda"),
    ),
    Case(
        "default-root-device-not-mapped",
        "InvalidBlockDeviceMapping",
        "The root device /dev/sda1 has no entry in the block device mapping",
        api=api(RootDeviceName=OMIT, BlockDeviceMappings=[ebs("/dev/xvda", SnapshotId=SNAP)]),
    ),
    Case(
        "root-device-is-ephemeral",
        "InvalidBlockDeviceMapping",
        "The root device /dev/sda1 must be an EBS volume created from a snapshot",
        api=api(BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "VirtualName": "ephemeral0"}]),
    ),
    Case(
        "root-device-is-an-empty-volume",
        "InvalidBlockDeviceMapping",
        "The root device /dev/sda1 must be an EBS volume created from a snapshot",
        api=api(BlockDeviceMappings=[ebs("/dev/sda1", VolumeSize=8)]),
    ),
    Case(
        "root-device-name-malformed",
        "InvalidParameterValue",
        "Value (/dev/root) for parameter rootDeviceName is invalid. Invalid device name /dev/root",
        api=api(RootDeviceName="/dev/root"),
    ),
    Case(
        "image-location-with-spaces",
        "InvalidParameterValue",
        "Value (my bucket/web.manifest.xml) for parameter imageLocation is invalid. Expected: the "
        "S3 path of a bundle manifest, such as 'my-bucket/my-image.manifest.xml'.",
        api={"Name": "web-1", "ImageLocation": "my bucket/web.manifest.xml"},
    ),
    # --- 3.6 block device mapping entries ----------------------------------------------------
    Case(
        "mapping-without-device-name",
        "InvalidBlockDeviceMapping",
        "Missing device name",
        api=api({"Ebs": {"VolumeSize": 10}}),
    ),
    Case(
        "mapping-device-name-malformed",
        "InvalidBlockDeviceMapping",
        "Invalid device name /dev/disk1",
        api=api(ebs("/dev/disk1", VolumeSize=10)),
    ),
    Case(
        "mapping-device-twice",
        "InvalidBlockDeviceMapping",
        "/dev/sde is being assigned to multiple times.",
        api=api(ebs("/dev/sde", VolumeSize=10), {"DeviceName": "/dev/sde", "NoDevice": ""}),
    ),
    Case(
        "mapping-virtual-name-and-ebs",
        "InvalidBlockDeviceMapping",
        "The block device mapping for /dev/sdb must give exactly one of VirtualName, Ebs or "
        "NoDevice; it gives VirtualName and Ebs",
        api=api({"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0", "Ebs": {"VolumeSize": 8}}),
    ),
    Case(
        "mapping-ebs-and-no-device",
        "InvalidBlockDeviceMapping",
        "The block device mapping for /dev/sdb must give exactly one of VirtualName, Ebs or "
        "NoDevice; it gives Ebs and NoDevice",
        api=api({"DeviceName": "/dev/sdb", "NoDevice": "", "Ebs": {"VolumeSize": 8}}),
    ),
    Case(
        "mapping-with-nothing",
        "InvalidBlockDeviceMapping",
        "The block device mapping for /dev/sdb must give exactly one of VirtualName, Ebs or "
        "NoDevice; it gives none of them",
        api=api({"DeviceName": "/dev/sdb"}),
    ),
    Case(
        "mapping-virtual-name-out-of-range",
        "InvalidBlockDeviceMapping",
        "Invalid virtual name ephemeral24 for /dev/sdb: expected ephemeral0 to ephemeral23",
        api=api({"DeviceName": "/dev/sdb", "VirtualName": "ephemeral24"}),
    ),
    Case(
        "mapping-virtual-name-not-ephemeral",
        "InvalidBlockDeviceMapping",
        "Invalid virtual name swap for /dev/sdb: expected ephemeral0 to ephemeral23",
        api=api({"DeviceName": "/dev/sdb", "VirtualName": "swap"}),
    ),
    Case(
        "ebs-without-snapshot-or-size",
        "MissingParameter",
        "The request must contain the parameter size or snapshotId",
        api=api(ebs(DeleteOnTermination=True)),
    ),
    Case(
        "snapshot-id-malformed",
        "InvalidSnapshotID.Malformed",
        'Invalid id: "snap-1234" (expecting "snap-...")',
        api=api(ebs(SnapshotId="snap-1234")),
    ),
    Case(
        "snapshot-id-of-a-volume",
        "InvalidSnapshotID.Malformed",
        'Invalid id: "vol-0123456789abcdef0" (expecting "snap-...")',
        api=api(ebs(SnapshotId="vol-0123456789abcdef0")),
    ),
    Case(
        "snapshot-missing",
        "InvalidSnapshot.NotFound",
        f"The snapshot '{SNAP2}' does not exist.",
        api=api(ebs(SnapshotId=SNAP2)),
        setup=lambda r: r.missing_snapshot(SNAP2),
    ),
    Case(
        "root-snapshot-missing",
        "InvalidSnapshot.NotFound",
        f"The snapshot '{SNAP}' does not exist.",
        api=api(),
        setup=lambda r: r.missing_snapshot(SNAP),
    ),
    Case(
        "snapshot-undeclared-in-strict-mode",
        "InvalidSnapshot.NotFound",
        f"The snapshot '{SNAP}' does not exist.",
        api=api(),
        setup=strict,
    ),
    Case(
        "snapshot-pending",
        "IncorrectState",
        f"Snapshot '{SNAP}' is not 'completed'.",
        api=api(),
        setup=lambda r: r.add_snapshot(SNAP, state="pending"),
    ),
    Case(
        "volume-smaller-than-snapshot",
        "InvalidBlockDeviceMapping",
        f"Volume of size 15GB is smaller than  snapshot '{SNAP}', expect size >= 30GB",
        api=api(root={"VolumeSize": 15}),
        setup=lambda r: r.add_snapshot(SNAP, size=30),
    ),
    Case(
        "snapshot-too-small-for-st1",
        "InvalidParameterValue",
        "Value (8) for parameter volumeSize is invalid. The size of a st1 volume in GiB "
        f"(snapshot {SNAP2} is 8 GiB) must be between 125 and 16384.",
        api=api(ebs(SnapshotId=SNAP2, VolumeType="st1")),
        setup=lambda r: r.add_snapshot(SNAP2, size=8),
    ),
    # --- 3.7 EBS volume fields ---------------------------------------------------------------
    Case(
        "volume-size-not-a-number",
        "InvalidParameterValue",
        "Value (abc) for parameter volumeSize is invalid. Expected: a whole number.",
        api=api(ebs(VolumeSize="abc")),
    ),
    Case(
        "volume-size-negative",
        "InvalidParameterValue",
        "Value (-1) for parameter volumeSize is invalid. Expected: a whole number.",
        api=api(ebs(VolumeSize=-1)),
    ),
    Case(
        "volume-size-fraction",
        "InvalidParameterValue",
        "Value (1.5) for parameter volumeSize is invalid. Expected: a whole number.",
        api=api(ebs(VolumeSize=1.5)),
    ),
    Case(
        "volume-size-empty",
        "InvalidParameterValue",
        "Value () for parameter volumeSize is invalid. Expected: a whole number.",
        wire=wire(
            **{
                "BlockDeviceMapping.2.DeviceName": "/dev/sdb",
                "BlockDeviceMapping.2.Ebs.VolumeSize": "",
            }
        ),
        raw_only="boto3 drops an empty integer",
    ),
    *(
        Case(
            f"volume-size-{size}-out-of-range-for-{volume_type}",
            "InvalidParameterValue",
            f"Value ({size}) for parameter volumeSize is invalid. The size of a {volume_type} "
            f"volume in GiB must be between {low} and {high}.",
            api=api(ebs(VolumeSize=size, **({"VolumeType": volume_type} | extra))),
        )
        for volume_type, size, low, high, extra in (
            ("gp2", 0, 1, 16384, {}),
            ("gp2", 16385, 1, 16384, {}),
            ("gp3", 65537, 1, 65536, {}),
            ("io1", 3, 4, 16384, {"Iops": 100}),
            ("io2", 65537, 4, 65536, {"Iops": 100}),
            ("st1", 124, 125, 16384, {}),
            ("sc1", 16385, 125, 16384, {}),
            ("standard", 1025, 1, 1024, {}),
        )
    ),
    Case(
        "volume-type-unknown",
        "InvalidParameterValue",
        "Invalid value 'gp4' for volumeType.",
        api=api(ebs(VolumeSize=8, VolumeType="gp4")),
    ),
    Case(
        "volume-type-case-sensitive",
        "InvalidParameterValue",
        "Invalid value 'GP3' for volumeType.",
        api=api(ebs(VolumeSize=8, VolumeType="GP3")),
    ),
    Case(
        "iops-missing-for-io1",
        "MissingParameter",
        "The request must contain the parameter iops",
        api=api(ebs(VolumeSize=8, VolumeType="io1")),
    ),
    Case(
        "iops-missing-for-io2",
        "MissingParameter",
        "The request must contain the parameter iops",
        api=api(ebs(VolumeSize=8, VolumeType="io2")),
    ),
    Case(
        "iops-for-gp2",
        "InvalidParameterCombination",
        "The parameter iops is not supported for gp2 volumes (/dev/sdb)",
        api=api(ebs(VolumeSize=8, Iops=3000)),
    ),
    Case(
        "iops-for-standard",
        "InvalidParameterCombination",
        "The parameter iops is not supported for standard volumes (/dev/sdb)",
        api=api(ebs(VolumeSize=8, VolumeType="standard", Iops=100)),
    ),
    *(
        Case(
            f"iops-{iops}-out-of-range-for-{volume_type}",
            "InvalidParameterValue",
            f"Value ({iops}) for parameter iops is invalid. The IOPS of a {volume_type} volume "
            f"must be between {low} and {high}.",
            api=api(ebs(VolumeSize=8, VolumeType=volume_type, Iops=iops)),
        )
        for volume_type, iops, low, high in (
            ("gp3", 2999, 3000, 80000),
            ("gp3", 80001, 3000, 80000),
            ("io1", 99, 100, 64000),
            ("io1", 64001, 100, 64000),
            ("io2", 256001, 100, 256000),
        )
    ),
    Case(
        "throughput-for-gp2",
        "InvalidParameterCombination",
        "The parameter throughput is only supported for gp3 volumes, not gp2 (/dev/sdb)",
        api=api(ebs(VolumeSize=8, Throughput=125)),
    ),
    Case(
        "throughput-out-of-range",
        "InvalidParameterValue",
        "Value (2001) for parameter throughput is invalid. The throughput in MiB/s must be "
        "between 125 and 2000.",
        api=api(ebs(VolumeSize=8, VolumeType="gp3", Throughput=2001)),
    ),
    Case(
        "encrypted-with-snapshot",
        "InvalidParameterCombination",
        f"Encrypted cannot be given for a volume created from a snapshot (/dev/sdb, {SNAP2}): "
        "it takes the snapshot's encryption",
        api=api(ebs(SnapshotId=SNAP2, Encrypted=False)),
    ),
    Case(
        "kms-key-id",
        "InvalidParameterCombination",
        "KmsKeyId is not supported for RegisterImage (BlockDeviceMapping /dev/sdb); EC2 takes it "
        "only from RunInstances, RequestSpotFleet and RequestSpotInstances",
        api=api(ebs(VolumeSize=8, Encrypted=True, KmsKeyId="alias/aws/ebs")),
    ),
    Case(
        "availability-zone-and-zone-id",
        "InvalidParameterCombination",
        "AvailabilityZone and AvailabilityZoneId are mutually exclusive (/dev/sdb)",
        api=api(ebs(VolumeSize=8, AvailabilityZone="us-east-1a", AvailabilityZoneId="use1-az1")),
    ),
    Case(
        "volume-initialization-rate-out-of-range",
        "InvalidParameterValue",
        "Value (99) for parameter VolumeInitializationRate is invalid. The volume initialization "
        "rate must be between 100 and 300.",
        api=api(root={"VolumeInitializationRate": 99}),
    ),
    Case(
        "volume-initialization-rate-without-snapshot",
        "InvalidParameterCombination",
        "VolumeInitializationRate needs a SnapshotId (/dev/sdb)",
        api=api(ebs(VolumeSize=8, VolumeInitializationRate=100)),
    ),
    Case(
        "ebs-card-index-not-a-number",
        "InvalidParameterValue",
        "Value (first) for parameter EbsCardIndex is invalid. Expected: a whole number.",
        api=api(root={"EbsCardIndex": "first"}),
    ),
    Case(
        "delete-on-termination-not-a-boolean",
        "InvalidParameterValue",
        "Value (yes) for parameter deleteOnTermination is invalid. Expected: 'true' or 'false'.",
        wire=wire(**{"BlockDeviceMapping.1.Ebs.DeleteOnTermination": "yes"}),
        raw_only="boto3 turns any value into true or false",
    ),
    Case(
        "encrypted-not-a-boolean",
        "InvalidParameterValue",
        "Value (1) for parameter encrypted is invalid. Expected: 'true' or 'false'.",
        wire=wire(
            **{
                "BlockDeviceMapping.2.DeviceName": "/dev/sdb",
                "BlockDeviceMapping.2.Ebs.VolumeSize": "8",
                "BlockDeviceMapping.2.Ebs.Encrypted": "1",
            }
        ),
        raw_only="boto3 turns any value into true or false",
    ),
    # --- 3.8 other scalar parameters ---------------------------------------------------------
    Case(
        "architecture-unknown",
        "InvalidParameterValue",
        "Invalid value 'amd64' for architecture.",
        api=api(Architecture="amd64"),
    ),
    Case(
        "virtualization-type-empty",
        "InvalidParameterValue",
        "Invalid value '' for virtualizationType.",
        api=api(VirtualizationType=""),
    ),
    Case(
        "virtualization-type-case-sensitive",
        "InvalidParameterValue",
        "Invalid value 'HVM' for virtualizationType.",
        api=api(VirtualizationType="HVM"),
    ),
    *(
        Case(
            f"{architecture}-needs-hvm",
            "InvalidParameterCombination",
            f"Images with architecture {architecture} must use virtualization type hvm, not "
            "paravirtual",
            api=api(Architecture=architecture),
        )
        for architecture in ("arm64", "x86_64_mac", "arm64_mac")
    ),
    Case(
        "sriov-net-support-unknown",
        "InvalidParameterValue",
        "Invalid value 'enabled' for sriovNetSupport.",
        api=api(SriovNetSupport="enabled"),
    ),
    Case(
        "ena-support-not-a-boolean",
        "InvalidParameterValue",
        "Value (maybe) for parameter enaSupport is invalid. Expected: 'true' or 'false'.",
        wire=wire(EnaSupport="maybe"),
        raw_only="boto3 turns any value into true or false",
    ),
    Case(
        "dry-run-not-a-boolean",
        "InvalidParameterValue",
        "Value (yes) for parameter dryRun is invalid. Expected: 'true' or 'false'.",
        wire=wire(DryRun="yes"),
        raw_only="boto3 turns any value into true or false",
    ),
    Case(
        "boot-mode-unknown",
        "InvalidParameterValue",
        "Invalid value 'bios' for bootMode.",
        api=api(BootMode="bios"),
    ),
    Case(
        "tpm-support-unknown",
        "InvalidParameterValue",
        "Invalid value 'v1.2' for tpmSupport.",
        api=api(TpmSupport="v1.2", BootMode="uefi"),
    ),
    Case(
        "tpm-support-without-boot-mode",
        "InvalidParameterCombination",
        "TpmSupport v2.0 requires BootMode uefi, not unset",
        api=api(TpmSupport="v2.0"),
    ),
    Case(
        "tpm-support-with-uefi-preferred",
        "InvalidParameterCombination",
        "TpmSupport v2.0 requires BootMode uefi, not uefi-preferred",
        api=api(TpmSupport="v2.0", BootMode="uefi-preferred"),
    ),
    Case(
        "imds-support-unknown",
        "InvalidParameterValue",
        "Invalid value 'v1.0' for imdsSupport.",
        api=api(ImdsSupport="v1.0"),
    ),
    Case(
        "uefi-data-too-long",
        "InvalidParameterValue",
        f"Value ({'A' * 32}...) for parameter uefiData is invalid. It exceeds 64000 characters",
        api=api(UefiData="A" * 64004),
    ),
    Case(
        "uefi-data-not-base64",
        "InvalidParameterValue",
        "Value (not base64!) for parameter uefiData is invalid. Expected: base64-encoded data.",
        api=api(UefiData="not base64!"),
    ),
    Case(
        "kernel-id-malformed",
        "InvalidKernelId.Malformed",
        "The specified kernel ID is not valid. Ensure that you specify the kernel ID in the form "
        "aki-xxxxxxxx.",
        api=api(KernelId="aki-xyz"),
    ),
    Case(
        "kernel-id-of-an-image",
        "InvalidKernelId.Malformed",
        "The specified kernel ID is not valid. Ensure that you specify the kernel ID in the form "
        "aki-xxxxxxxx.",
        api=api(KernelId="ami-12345678"),
    ),
    Case(
        "ramdisk-id-malformed",
        "InvalidRamDiskId.Malformed",
        "The specified RAM disk ID is not valid. Ensure that you specify the RAM disk ID in the "
        "form ari-xxxxxxxx.",
        api=api(RamdiskId="ari-1"),
    ),
    Case(
        "kernel-undeclared-in-strict-mode",
        "InvalidAMIID.NotFound",
        "The image id '[aki-12345678]' does not exist",
        api=api(KernelId="aki-12345678"),
        setup=lambda r: (strict(r), r.add_snapshot(SNAP)),
    ),
    Case(
        "kernel-and-ramdisk-undeclared-in-strict-mode",
        "InvalidAMIID.NotFound",
        "The image id '[aki-12345678, ari-0123456789abcdef0]' does not exist",
        api=api(KernelId="aki-12345678", RamdiskId="ari-0123456789abcdef0"),
        setup=lambda r: (strict(r), r.add_snapshot(SNAP)),
    ),
    # --- S3-backed references (state) --------------------------------------------------------
    Case(
        "manifest-missing",
        "InvalidManifest",
        INVALID_MANIFEST,
        api={"Name": "web-1", "ImageLocation": "bucket/web.manifest.xml"},
        setup=lambda r: r.missing_manifest("bucket/web.manifest.xml"),
    ),
    Case(
        "manifest-undeclared-in-strict-mode",
        "InvalidManifest",
        INVALID_MANIFEST,
        api={"Name": "web-1", "ImageLocation": "bucket/web.manifest.xml"},
        setup=strict,
    ),
    Case(
        "name-required-with-image-location-in-strict-mode",
        "MissingParameter",
        "The request must contain the parameter name",
        api={"ImageLocation": "bucket/web.manifest.xml"},
        setup=strict,
    ),
    Case(
        "version-required-in-strict-mode",
        "MissingParameter",
        "The request must contain the parameter Version",
        wire=wire(None),
        raw_only="boto3 always sends Version",
        setup=strict,
        method="GET",
    ),
    # --- 3.9 TagSpecification ----------------------------------------------------------------
    Case(
        "tag-resource-type-not-image",
        "InvalidParameterValue",
        "Value (snapshot) for parameter resourceType is invalid. RegisterImage can only tag the "
        "image: the resource type must be 'image'.",
        api=api(
            TagSpecifications=[{"ResourceType": "snapshot", "Tags": [{"Key": "a", "Value": "b"}]}]
        ),
    ),
    Case(
        "tag-resource-type-missing",
        "MissingParameter",
        "The request must contain the parameter TagSpecification.1.ResourceType",
        api=api(TagSpecifications=[{"Tags": [{"Key": "a", "Value": "b"}]}]),
    ),
    Case(
        "tag-key-missing",
        "MissingParameter",
        "The request must contain the parameter TagSpecification.1.Tag.1.Key",
        api=api(TagSpecifications=[{"ResourceType": "image", "Tags": [{"Value": "b"}]}]),
    ),
    Case(
        "tag-key-reserved",
        "InvalidParameterValue",
        "Value ( aws:cloudformation:stack-name ) for parameter key is invalid. Tag keys starting "
        "with 'aws:' are reserved for internal use",
        api=api(
            TagSpecifications=[
                {
                    "ResourceType": "image",
                    "Tags": [{"Key": "aws:cloudformation:stack-name", "Value": "s"}],
                }
            ]
        ),
    ),
    Case(
        "tag-key-empty",
        "InvalidParameterValue",
        "Value () for parameter key is invalid. Tag keys must be between 1 and 127 characters "
        "long.",
        api=api(TagSpecifications=[{"ResourceType": "image", "Tags": [{"Key": "", "Value": "b"}]}]),
    ),
    Case(
        "tag-key-too-long",
        "InvalidParameterValue",
        f"Value ({'k' * 128}) for parameter key is invalid. Tag keys must be at most 127 "
        "characters long.",
        api=api(
            TagSpecifications=[{"ResourceType": "image", "Tags": [{"Key": "k" * 128, "Value": ""}]}]
        ),
    ),
    Case(
        "tag-value-too-long",
        "InvalidParameterValue",
        f"Value ({'v' * 257}) for parameter value is invalid. Tag values must be at most 256 "
        "characters long.",
        api=api(
            TagSpecifications=[
                {"ResourceType": "image", "Tags": [{"Key": "k", "Value": "v" * 257}]}
            ]
        ),
    ),
    Case(
        "tag-key-twice",
        "InvalidParameterValue",
        "Value (team) for parameter key is invalid. Duplicate tag key.",
        api=api(
            TagSpecifications=[
                {
                    "ResourceType": "image",
                    "Tags": [{"Key": "team", "Value": "a"}, {"Key": "team", "Value": "b"}],
                }
            ]
        ),
    ),
    Case(
        "tag-key-twice-across-specifications",
        "InvalidParameterValue",
        "Value (team) for parameter key is invalid. Duplicate tag key.",
        api=api(
            TagSpecifications=[
                {"ResourceType": "image", "Tags": [{"Key": "team", "Value": "a"}]},
                {"ResourceType": "image", "Tags": [{"Key": "team", "Value": "b"}]},
            ]
        ),
    ),
    Case(
        "more-than-50-tags",
        "TagLimitExceeded",
        "The maximum number of tags (50) for a resource has been reached: 51 were given",
        api=api(
            TagSpecifications=[
                {
                    "ResourceType": "image",
                    "Tags": [{"Key": f"k{i}", "Value": ""} for i in range(51)],
                }
            ]
        ),
    ),
    # --- 3.11 DryRun -------------------------------------------------------------------------
    Case("dry-run", "DryRunOperation", DRY_RUN, status=412, api=api(DryRun=True)),
]

BOTO3_CASES = [c for c in CASES if c.api is not None and not unknown_members(c.api)]
TRANSPORTS = [pytest.param(case, "raw", id=f"raw-{case.id}") for case in CASES] + [
    pytest.param(case, "boto3", id=f"boto3-{case.id}") for case in BOTO3_CASES
]


def answer(registry: Ec2Registry, case: Case, transport: str) -> tuple[int, str, str]:
    """``(status, code, message)`` of sending ``case`` through ``transport``."""
    if transport == "raw":
        if case.body is not None:
            got = send(registry.endpoint_url, body=case.body.encode(), query=case.query)
        else:
            got = send(registry.endpoint_url, case.params, method=case.method)
        assert got.code is not None, got.body
        assert got.message is not None
        return got.status, got.code, got.message
    assert case.api is not None
    config = Config(parameter_validation=not boto3_refuses(case.api))
    with pytest.raises(ClientError) as raised:
        boto3.client("ec2", config=config).register_image(**case.api)
    response = raised.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


@pytest.mark.parametrize(("case", "transport"), TRANSPORTS)
def test_rejected_with_code_status_and_message(ec2_registry, case, transport):
    if case.setup is not None:
        case.setup(ec2_registry)
    images, snapshots = dict(ec2_registry.images), dict(ec2_registry.snapshots)
    expected = case.message(ec2_registry) if callable(case.message) else case.message

    status, code, message = answer(ec2_registry, case, transport)

    assert (status, code) == (case.status, case.code)
    if isinstance(expected, re.Pattern):
        assert expected.match(message), message
    else:
        assert message == expected
    # Nothing left behind: no image, no snapshot recorded from the rejected mapping.
    assert dict(ec2_registry.images) == images
    assert dict(ec2_registry.snapshots) == snapshots
    last = ec2_registry.calls[-1]
    assert (last.status, last.error_code, last.error_message, last.image_id) == (
        status,
        code,
        message,
        None,
    )


def test_every_raw_only_case_says_why_boto3_cannot_send_it():
    raw_only = [c for c in CASES if c.api is None]
    assert all(c.raw_only for c in raw_only)
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", BOTO3_CASES, ids=lambda c: c.id)
def test_the_raw_side_sends_what_botocore_sends(case):
    assert case.params == botocore_serialize(case.api)


@pytest.mark.parametrize(
    "case", [c for c in BOTO3_CASES if boto3_refuses(c.api)], ids=lambda c: c.id
)
def test_boto3_refuses_client_side_what_the_table_sends_unvalidated(ec2, case):
    # The table turns validation off for these; prove that is needed and that nothing is sent.
    from botocore.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError):
        ec2.register_image(**case.api)


# --- accepted: the edges of each rule ---------------------------------------------------------

ACCEPTED = [
    pytest.param(wire(Name="abc"), id="name-of-3"),
    pytest.param(wire(Name="n" * 128), id="name-of-128"),
    pytest.param(wire(Name="Az09 ()[]./-'@_"), id="name-every-modern-character"),
    pytest.param(wire("2009-10-31", Name="web,1(a)/b_c-d"), id="seed-name-with-comma"),
    pytest.param(wire(Description="d" * 255), id="description-of-255"),
    pytest.param(wire(Description=""), id="description-empty"),
    pytest.param(wire(DryRun="false"), id="dry-run-false"),
    pytest.param(wire(EnaSupport="TRUE", DryRun="False"), id="booleans-ignore-case"),
    pytest.param(
        wire(
            **{
                "BlockDeviceMapping.3.DeviceName": "/dev/sdc",
                "BlockDeviceMapping.3.VirtualName": "ephemeral23",
            }
        ),
        id="gaps-in-list-indexes",
    ),
    pytest.param(
        {
            "BlockDeviceMapping.1.Ebs.SnapshotId": SNAP,
            "Name": "web-1",
            "BlockDeviceMapping.1.DeviceName": "/dev/sda1",
            "Version": "2016-11-15",
            "RootDeviceName": "/dev/sda1",
            "Action": "RegisterImage",
        },
        id="parameters-in-any-order",
    ),
    pytest.param(
        wire(
            **{
                "BlockDeviceMapping.2.DeviceName": "/dev/sdbc",
                "BlockDeviceMapping.2.Ebs.VolumeSize": "100",
                "BlockDeviceMapping.3.DeviceName": "xvdf",
                "BlockDeviceMapping.3.NoDevice": "",
                "BlockDeviceMapping.4.DeviceName": "/dev/nvme1n1",
                "BlockDeviceMapping.4.VirtualName": "ephemeral1",
                "BlockDeviceMapping.5.DeviceName": "/dev/sdf15",
                "BlockDeviceMapping.5.VirtualName": "ephemeral2",
            }
        ),
        id="device-name-forms",
    ),
    pytest.param(
        wire(
            "2009-10-31",
            **{
                "BlockDeviceMapping.2.DeviceName": "/dev/sdb",
                "BlockDeviceMapping.2.Ebs.NoDevice": "true",
            },
        ),
        id="seed-ebs-no-device",
    ),
    pytest.param(
        wire(
            **{
                "SriovNetSupport": "simple",
                "EnaSupport": "true",
                "VirtualizationType": "paravirtual",
            }
        ),
        id="sriov-and-ena-on-paravirtual",
    ),
    pytest.param(wire(KernelId="aki-12345678", RamdiskId="ari-87654321"), id="kernel-lenient"),
    pytest.param(
        {
            "Action": "RegisterImage",
            "Version": "2016-11-15",
            "ImageLocation": "b/web-x.manifest.xml",
        },
        id="modern-name-from-manifest-when-lenient",
    ),
]


@pytest.mark.parametrize("params", ACCEPTED)
def test_accepted(ec2_registry, raw, params):
    got = raw(params)
    assert got.status == 200, got.body
    image_id = got.find("imageId")
    seed = params.get("Version", "2009-10-31") <= "2009-10-31"
    assert re.fullmatch(r"ami-[0-9a-f]{8}" if seed else r"ami-[0-9a-f]{17}", image_id)
    assert list(ec2_registry.images) == [image_id]


def test_seed_ebs_no_device_is_stored_as_no_device(ec2_registry, raw):
    raw(
        wire(
            "2009-10-31",
            **{
                "BlockDeviceMapping.2.DeviceName": "/dev/sdb",
                "BlockDeviceMapping.2.Ebs.NoDevice": "true",
            },
        )
    )
    [image] = ec2_registry.images.values()
    assert image.block_device_mappings[1].no_device is True
    assert image.block_device_mappings[1].ebs is None


def test_list_entries_are_ordered_by_index_not_by_arrival(ec2_registry, raw):
    raw(
        wire(
            **{
                "BlockDeviceMapping.10.DeviceName": "/dev/sdk",
                "BlockDeviceMapping.10.VirtualName": "ephemeral1",
                "BlockDeviceMapping.2.DeviceName": "/dev/sdb",
                "BlockDeviceMapping.2.VirtualName": "ephemeral0",
            }
        )
    )
    [image] = ec2_registry.images.values()
    assert [m.device_name for m in image.block_device_mappings] == [
        "/dev/sda1",
        "/dev/sdb",
        "/dev/sdk",
    ]


def test_a_modern_registration_without_name_takes_the_manifest_file_name(ec2_registry, raw):
    raw(
        {
            "Action": "RegisterImage",
            "Version": "2014-10-01",
            "ImageLocation": "b/web-x.manifest.xml",
        }
    )
    ec2_registry.assert_registered(name="web-x", image_location="b/web-x.manifest.xml")


# --- order of the checks: syntax, then DryRun, then state (reference 3.0) ---------------------

SYNTAX_ERRORS_UNDER_DRY_RUN = [
    ("malformed-name", api(Name="web,1"), "InvalidAMIName.Malformed"),
    ("missing-name", api(Name=OMIT), "MissingParameter"),
    ("long-description", api(Description="d" * 256), "InvalidParameterValue"),
    ("bad-volume-type", api(ebs(VolumeSize=8, VolumeType="gp4")), "InvalidParameterValue"),
    ("kms-key-id", api(ebs(VolumeSize=8, KmsKeyId="k")), "InvalidParameterCombination"),
    ("malformed-kernel", api(KernelId="aki-1"), "InvalidKernelId.Malformed"),
    ("malformed-snapshot", api(ebs(SnapshotId="snap-1")), "InvalidSnapshotID.Malformed"),
    (
        "bad-tag-resource-type",
        api(TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "a"}]}]),
        "InvalidParameterValue",
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "code", "transport"),
    [
        pytest.param(kwargs, code, transport, id=f"{transport}-{name}")
        for name, kwargs, code in SYNTAX_ERRORS_UNDER_DRY_RUN
        for transport in ("raw", "boto3")
        if transport == "raw" or not unknown_members(kwargs)
    ],
)
def test_syntax_errors_answer_before_dry_run(ec2_registry, kwargs, code, transport):
    if transport == "raw":
        got = send(ec2_registry.endpoint_url, serialize({"DryRun": True, **kwargs}))
        status, error = got.status, got.code
    else:
        client = boto3.client("ec2", config=Config(parameter_validation=False))
        with pytest.raises(ClientError) as raised:
            client.register_image(DryRun=True, **kwargs)
        status = raised.value.response["ResponseMetadata"]["HTTPStatusCode"]
        error = raised.value.response["Error"]["Code"]
    assert (status, error) == (400, code)


def test_unknown_parameter_answers_before_dry_run(raw):
    got = raw(wire(DryRun="true", Colour="red"))
    assert (got.status, got.code) == (400, "UnknownParameter")


STATE_ERRORS_UNDER_DRY_RUN = [
    pytest.param(lambda r: r.duplicate_name("web-1"), id="duplicate-name"),
    pytest.param(lambda r: r.missing_snapshot(SNAP), id="missing-snapshot"),
    pytest.param(strict, id="strict-undeclared-snapshot"),
    pytest.param(lambda r: r.add_snapshot(SNAP, state="pending"), id="pending-snapshot"),
    pytest.param(lambda r: r.add_snapshot(SNAP, size=500), id="volume-smaller-than-snapshot"),
]


@pytest.mark.parametrize("setup", STATE_ERRORS_UNDER_DRY_RUN)
def test_dry_run_answers_before_state_checks(ec2, ec2_registry, setup):
    setup(ec2_registry)
    images = dict(ec2_registry.images)
    with pytest.raises(ClientError) as raised:
        ec2.register_image(DryRun=True, **api(root={"VolumeSize": 10}))
    response = raised.value.response
    assert response["Error"] == {"Code": "DryRunOperation", "Message": DRY_RUN}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert dict(ec2_registry.images) == images


def test_dry_run_answers_before_the_manifest_check(ec2, ec2_registry):
    ec2_registry.missing_manifest("bucket/web.manifest.xml")
    with pytest.raises(ClientError) as raised:
        ec2.register_image(DryRun=True, Name="web-1", ImageLocation="bucket/web.manifest.xml")
    assert raised.value.response["Error"]["Code"] == "DryRunOperation"


def test_dry_run_answers_before_the_root_device_is_resolved(ec2, ec2_registry):
    # The AWS CLI and boto 2 captures send exactly this DryRun and got 412 (clients/*).
    with pytest.raises(ClientError) as raised:
        ec2.register_image(DryRun=True, Name="my-cli-image", RootDeviceName="/dev/sda1")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412


def test_a_dry_run_registers_nothing_and_records_no_snapshot(ec2, ec2_registry):
    with pytest.raises(ClientError):
        ec2.register_image(DryRun=True, **api())
    assert dict(ec2_registry.images) == {}
    assert dict(ec2_registry.snapshots) == {}
    [call] = ec2_registry.calls
    assert (call.status, call.error_code, call.image_id) == (412, "DryRunOperation", None)
    # The same request without DryRun then succeeds: the dry run held nothing back.
    ec2.register_image(**api())
    ec2_registry.assert_registered(name="web-1")


# --- duplicate names: per account and region, freed by DeregisterImage (reference 3.3) --------


def test_same_name_twice_in_one_region_is_a_duplicate(ec2, ec2_registry):
    first = ec2.register_image(**api())["ImageId"]
    with pytest.raises(ClientError) as raised:
        ec2.register_image(**api(Description="second try"))
    assert raised.value.response["Error"] == {
        "Code": "InvalidAMIName.Duplicate",
        "Message": f"AMI name web-1 is already in use by AMI {first}",
    }
    assert list(ec2_registry.images) == [first]


def test_same_name_in_another_region_is_fine(ec2, ec2_registry):
    home = ec2.register_image(**api())["ImageId"]
    europe = boto3.client("ec2", region_name="eu-west-1")
    away = europe.register_image(**api())["ImageId"]

    assert list(ec2_registry.images) == [home]
    west = ec2_registry.in_region("eu-west-1")
    assert list(west.images) == [away]
    assert west.images[away].region == "eu-west-1"
    # ...and within that region the name is now taken too.
    with pytest.raises(ClientError) as raised:
        europe.register_image(**api())
    assert raised.value.response["Error"]["Message"] == (
        f"AMI name web-1 is already in use by AMI {away}"
    )


def test_a_name_taken_in_another_region_via_the_python_api_does_not_block(ec2, ec2_registry):
    ec2_registry.in_region("eu-west-1").duplicate_name("web-1")
    image_id = ec2.register_image(**api())["ImageId"]
    assert ec2_registry.images[image_id].region == "us-east-1"


def test_names_are_case_sensitive(ec2, ec2_registry):
    ec2.register_image(**api(Name="web-1"))
    ec2.register_image(**api(Name="WEB-1"))
    assert sorted(i.name for i in ec2_registry.images.values()) == ["WEB-1", "web-1"]


def test_deregistering_frees_the_name(ec2, ec2_registry):
    first = ec2.register_image(**api())["ImageId"]
    ec2.deregister_image(ImageId=first)
    second = ec2.register_image(**api())["ImageId"]
    assert second != first
    assert list(ec2_registry.images) == [second]


def test_deregistering_frees_a_name_set_up_with_duplicate_name(ec2, ec2_registry):
    taken = ec2_registry.duplicate_name("web-1")
    ec2.deregister_image(ImageId=taken.image_id)
    ec2.register_image(**api())
    ec2_registry.assert_registered(name="web-1")


# --- references: lenient by default, strict on request (SPEC 4.4) -----------------------------


def test_lenient_mode_takes_undeclared_references_as_existing(ec2, ec2_registry):
    ec2.register_image(**api(KernelId="aki-12345678", RamdiskId="ari-12345678"))
    ec2.register_image(Name="s3-image", ImageLocation="bucket/never-declared.manifest.xml")
    assert len(ec2_registry.images) == 2
    assert ec2_registry.snapshots[SNAP].declared is False


@pytest.mark.ec2_registry(strict=True)
def test_strict_marker_takes_only_declared_references(ec2, ec2_registry):
    assert ec2_registry.strict is True
    with pytest.raises(ClientError) as raised:
        ec2.register_image(**api())
    assert raised.value.response["Error"]["Code"] == "InvalidSnapshot.NotFound"
    ec2_registry.add_snapshot(SNAP, size=8)
    ec2_registry.add_manifest("bucket/web.manifest.xml")
    ec2.register_image(**api())
    ec2.register_image(Name="s3-image", ImageLocation="bucket/web.manifest.xml")
    assert len(ec2_registry.images) == 2


def test_strict_mode_takes_declared_kernels(ec2, ec2_registry):
    ec2_registry.strict = True
    ec2_registry.add_snapshot(SNAP)
    kernel = ec2_registry.add_image("kernel-image", image_id="aki-12345678", image_type="kernel")
    ec2.register_image(**api(KernelId=kernel.image_id))
    ec2_registry.assert_registered(name="web-1", kernel_id="aki-12345678")


def test_strict_mode_can_be_turned_off_again(ec2, ec2_registry):
    ec2_registry.strict = True
    ec2_registry.strict = False
    ec2.register_image(**api())
    ec2_registry.assert_registered(name="web-1")


def test_a_rejected_mapping_does_not_record_the_snapshots_of_earlier_mappings(ec2, ec2_registry):
    # The root snapshot is fine; the second mapping fails afterwards. Nothing may be recorded.
    ec2_registry.add_snapshot(SNAP2, state="error")
    with pytest.raises(ClientError) as raised:
        ec2.register_image(**api(ebs(SnapshotId=SNAP2)))
    assert raised.value.response["Error"]["Code"] == "IncorrectState"
    assert set(ec2_registry.snapshots) == {SNAP2}
    assert dict(ec2_registry.images) == {}
