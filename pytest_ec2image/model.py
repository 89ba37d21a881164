"""The typed records a test reads back: images, their mappings, snapshots and the call log.

They are frozen: what a test holds is a snapshot of the registry at the time it read it, and
nothing it does to the record can change what the fake serves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, overload

if TYPE_CHECKING:
    from .faults import Fault

_NO_TAGS: Mapping[str, str] = MappingProxyType({})
PLACEHOLDER_VOLUME_ID: Final = "vol-ffffffff"


@dataclass(frozen=True, slots=True, kw_only=True)
class EbsBlockDevice:
    """The ``Ebs`` part of a block device mapping, with AWS's defaults filled in."""

    snapshot_id: str | None = None
    volume_size: int | None = None
    delete_on_termination: bool = True
    volume_type: str | None = None
    iops: int | None = None
    throughput: int | None = None
    encrypted: bool | None = None
    kms_key_id: str | None = None
    outpost_arn: str | None = None
    availability_zone: str | None = None
    availability_zone_id: str | None = None
    volume_initialization_rate: int | None = None
    ebs_card_index: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockDeviceMapping:
    """One entry of an image's block device mapping: exactly one of ``virtual_name``, ``ebs``
    or ``no_device`` is set."""

    device_name: str
    virtual_name: str | None = None
    ebs: EbsBlockDevice | None = None
    no_device: bool = False


def mapping_from(value: BlockDeviceMapping | Mapping[str, Any]) -> BlockDeviceMapping:
    """``value`` as a :class:`BlockDeviceMapping`: a record as it is, or a dict of its fields
    (``ebs`` a record or a dict too), as ``add_image`` and ``assert_registered`` take them."""
    if isinstance(value, BlockDeviceMapping):
        return value
    data = dict(value)
    ebs = data.pop("ebs", None)
    if ebs is not None and not isinstance(ebs, EbsBlockDevice):
        ebs = EbsBlockDevice(**ebs)
    return BlockDeviceMapping(ebs=ebs, **data)


@dataclass(frozen=True, slots=True)
class StateReason:
    """Why an image is in its state (set for ``failed`` images)."""

    code: str
    message: str


ImageState = Literal[
    "pending", "available", "invalid", "deregistered", "transient", "failed", "error", "disabled"
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    """Everything DescribeImages reports about one image.

    Optional fields are ``None`` when the image never set them, and DescribeImages then leaves
    the element out, as AWS does.
    """

    image_id: str
    name: str
    owner_id: str
    region: str
    creation_date: str
    description: str | None = None
    architecture: str = "i386"
    image_location: str = ""
    image_type: str = "machine"
    root_device_type: str = "ebs"
    root_device_name: str | None = None
    block_device_mappings: tuple[BlockDeviceMapping, ...] = ()
    virtualization_type: str = "paravirtual"
    hypervisor: str = "xen"
    ena_support: bool | None = None
    sriov_net_support: str | None = None
    boot_mode: str | None = None
    tpm_support: str | None = None
    uefi_data: str | None = None
    imds_support: str | None = None
    kernel_id: str | None = None
    ramdisk_id: str | None = None
    billing_products: tuple[str, ...] = ()
    product_codes: tuple[tuple[str, str], ...] = ()
    state: ImageState = "available"
    state_reason: StateReason | None = None
    #: Launch permission for everyone (the ``all`` group): ``isPublic`` in DescribeImages.
    public: bool = False
    #: Account ids this image is shared with (launch permissions besides ``public``).
    launch_permissions: tuple[str, ...] = ()
    #: Organizations and organizational units (ARNs) it is shared with. The fake knows no
    #: account's organization, so these are recorded and shown, and grant no account access.
    organization_arns: tuple[str, ...] = ()
    organizational_unit_arns: tuple[str, ...] = ()
    image_owner_alias: str | None = None
    platform: str | None = None
    platform_details: str = "Linux/UNIX"
    usage_operation: str = "RunInstances"
    tags: Mapping[str, str] = field(default_factory=lambda: _NO_TAGS)
    source_image_id: str | None = None
    source_image_region: str | None = None
    deprecation_time: str | None = None
    #: ``disabled``, ``enabled-without-cooldown`` or ``enabled-with-cooldown``.
    deregistration_protection: str = "disabled"
    #: When protection with a cooldown was disabled: the time (``...Z``) until which the image
    #: still cannot be deregistered (DescribeImages shows ``disabled after <time>``).
    deregistration_cooldown_until: str | None = None
    api_version: str = "2016-11-15"

    @property
    def is_public(self) -> bool:
        """AWS's name for ``public``."""
        return self.public

    @property
    def deregistration_protection_status(self) -> str:
        """``deregistrationProtection`` as DescribeImages and DescribeImageAttribute show it:
        ``disabled after <time>`` once protection with a cooldown was disabled, else
        ``deregistration_protection``. [INFERRED] The text keeps naming the time after it has
        passed, until the protection is enabled or disabled again: it depends on the record
        alone, so every reader shows the same (aws-nuke compares the time itself)."""
        if self.deregistration_cooldown_until is not None:
            return f"disabled after {self.deregistration_cooldown_until}"
        return self.deregistration_protection

    @property
    def snapshot_ids(self) -> tuple[str, ...]:
        """The snapshots this image's EBS mappings come from, in mapping order."""
        return tuple(
            m.ebs.snapshot_id for m in self.block_device_mappings if m.ebs and m.ebs.snapshot_id
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """An EBS snapshot the registry knows: declared by the test or seen in a registration."""

    snapshot_id: str
    owner_id: str
    region: str
    size: int = 8
    encrypted: bool = False
    state: str = "completed"
    declared: bool = True
    tags: Mapping[str, str] = field(default_factory=lambda: _NO_TAGS)
    #: Create-volume permission for everyone (the ``all`` group).
    public: bool = False
    #: Account ids it is shared with (create-volume permissions besides ``public``).
    create_volume_permissions: tuple[str, ...] = ()

    @property
    def volume_id(self) -> str:
        """The volume it was taken from: ``vol-ffffffff``, the id AWS shows for snapshots it
        did not take from a volume of yours (copies); the fake has no volumes."""
        return PLACEHOLDER_VOLUME_ID

    @property
    def progress(self) -> str:
        """``100%`` for a completed snapshot, ``0%`` otherwise (the fake has no copy in flight)."""
        return "100%" if self.state == "completed" else "0%"


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """One request the fake served, failed and faulted ones included."""

    action: str
    params: Mapping[str, str]
    version: str
    method: str
    #: HTTP status answered; 0 when a ``disconnect`` fault closed the connection instead.
    status: int
    request_id: str
    region: str
    error_code: str | None = None
    error_message: str | None = None
    image_id: str | None = None
    fault: Fault | None = None
    access_key: str | None = None
    auth: Literal["none", "sigv2", "sigv4"] = "none"
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the call succeeded (HTTP 200)."""
        return self.status == 200

    def summary(self) -> str:
        """One line for reports: ``RegisterImage Name=web-1 -> 400 InvalidAMIName.Duplicate``."""
        head = " ".join([self.action or "(no Action)", *_summary_params(self.params)])
        if self.ok:
            tail = f"200 {self.image_id}" if self.image_id else "200"
        elif self.status:
            tail = f"{self.status} {self.error_code}"
        else:  # a disconnect fault closed the connection instead of answering
            tail = "no answer, connection closed"
        if not self.ok and self.image_id:
            # Only an after_commit fault fails a call that has made its change.
            tail += f" ({self.image_id} committed)"
        return f"{head} -> {tail}" + (" (fault)" if self.fault is not None else "")


#: The parameters a call's summary line shows, and the lists it shows the first member of
#: (whatever its index: some clients number from 0).
_SUMMARY_KEYS = frozenset({"Name", "ImageId", "ImageLocation", "SourceImageId", "SnapshotId"})
_SUMMARY_LISTS = frozenset({"ImageId", "ResourceId", "Owner", "SnapshotId"})


def _summary_params(params: Mapping[str, str]) -> list[str]:
    shown: list[str] = []
    lists: set[str] = set()
    for key, value in params.items():
        base, dot, index = key.partition(".")
        if key in _SUMMARY_KEYS or (
            dot and index.isdigit() and base in _SUMMARY_LISTS and base not in lists
        ):
            lists.add(base)
            shown.append(f"{key}={value}")
    return shown


class CallLog(Sequence[Call]):
    """The read-only call log of a registry: a sequence of :class:`Call`, oldest first."""

    __slots__ = ("_calls",)

    def __init__(self, calls: Sequence[Call]) -> None:
        self._calls = calls

    @overload
    def __getitem__(self, index: int) -> Call: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Call]: ...
    def __getitem__(self, index: int | slice) -> Call | Sequence[Call]:
        return self._calls[index]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        return iter(list(self._calls))

    def __repr__(self) -> str:
        return f"CallLog({[c.summary() for c in self._calls]!r})"

    def of(self, action: str) -> list[Call]:
        """The calls of one action, e.g. ``calls.of("RegisterImage")``."""
        return [c for c in list(self._calls) if c.action == action]
