"""The records as answer XML: images as DescribeImages ``<item>`` elements in the shape of the
request's API generation, snapshots as DescribeSnapshots items, and the tag and product-code
lists answers share.

A legacy (2009-10-31 or older) request sees only the fields that generation knew; a later one
sees today's. Optional fields an image never set are left out, as AWS leaves them out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from lxml import etree

from ..model import BlockDeviceMapping, Image, Snapshot
from .xml import XmlOut


def add_image_item(
    out: XmlOut,
    parent: etree._Element,
    image: Image,
    state: str,
    *,
    legacy: bool,
    protection: str | None = None,
) -> None:
    """Append ``<item>`` describing ``image`` (shown in ``state``) to ``parent``;
    ``protection`` is its ``deregistrationProtection``, given only to the image's owner."""
    item = out.item(parent)
    add = out.add_optional
    add(item, "imageId", image.image_id)
    add(item, "imageLocation", image.image_location)
    add(item, "imageState", state)
    add(item, "imageOwnerId", image.owner_id)
    if not legacy:
        add(item, "creationDate", image.creation_date)
    add(item, "isPublic", image.public)
    if image.product_codes:
        add_product_codes(out, item, image.product_codes)
    add(item, "architecture", image.architecture)
    add(item, "imageType", image.image_type)
    add(item, "kernelId", image.kernel_id)
    add(item, "ramdiskId", image.ramdisk_id)
    add(item, "platform", image.platform)
    if not legacy:
        add(item, "platformDetails", image.platform_details)
        add(item, "usageOperation", image.usage_operation)
    if image.state_reason is not None:
        reason = out.add(item, "stateReason")
        out.add(reason, "code", image.state_reason.code)
        out.add(reason, "message", image.state_reason.message)
    add(item, "imageOwnerAlias", image.image_owner_alias)
    add(item, "name", image.name)
    add(item, "description", image.description)
    add(item, "rootDeviceType", image.root_device_type)
    add(item, "rootDeviceName", image.root_device_name)
    mappings = out.add(item, "blockDeviceMapping")
    for mapping in image.block_device_mappings:
        _add_mapping(out, mappings, mapping, legacy=legacy)
    if legacy:
        return
    add(item, "virtualizationType", image.virtualization_type)
    if image.tags:
        add_tag_set(out, item, image.tags)
    add(item, "hypervisor", image.hypervisor)
    add(item, "sriovNetSupport", image.sriov_net_support)
    add(item, "enaSupport", image.ena_support)
    add(item, "bootMode", image.boot_mode)
    add(item, "tpmSupport", image.tpm_support)
    add(item, "imdsSupport", image.imds_support)
    add(item, "deprecationTime", image.deprecation_time)
    add(item, "deregistrationProtection", protection)
    add(item, "sourceImageId", image.source_image_id)
    add(item, "sourceImageRegion", image.source_image_region)


def add_snapshot_item(out: XmlOut, parent: etree._Element, snapshot: Snapshot) -> None:
    """Append the DescribeSnapshots ``<item>`` describing ``snapshot`` to ``parent``."""
    item = out.item(parent)
    out.add(item, "snapshotId", snapshot.snapshot_id)
    out.add(item, "volumeId", snapshot.volume_id)
    out.add(item, "status", snapshot.state)
    out.add(item, "progress", snapshot.progress)
    out.add(item, "ownerId", snapshot.owner_id)
    out.add(item, "volumeSize", str(snapshot.size))
    out.add(item, "encrypted", "true" if snapshot.encrypted else "false")
    out.add(item, "storageTier", "standard")
    if snapshot.tags:
        add_tag_set(out, item, snapshot.tags)


def add_tag_set(out: XmlOut, parent: etree._Element, tags: Mapping[str, str]) -> None:
    """Append ``<tagSet>`` with an ``<item>`` of ``<key>`` and ``<value>`` per tag."""
    _add_pairs(out, parent, "tagSet", tags.items(), ("key", "value"))


def add_product_codes(
    out: XmlOut, parent: etree._Element, codes: Collection[tuple[str, str]]
) -> None:
    """Append ``<productCodes>`` with an ``<item>`` of ``<productCode>`` and ``<type>`` per
    ``(code, type)``."""
    _add_pairs(out, parent, "productCodes", codes, ("productCode", "type"))


def _add_pairs(
    out: XmlOut,
    parent: etree._Element,
    tag: str,
    pairs: Collection[tuple[str, str]],
    names: tuple[str, str],
) -> None:
    node = out.add(parent, tag)
    for first, second in pairs:
        entry = out.item(node)
        out.add(entry, names[0], first)
        out.add(entry, names[1], second)


def _add_mapping(
    out: XmlOut, parent: etree._Element, mapping: BlockDeviceMapping, *, legacy: bool
) -> None:
    item = out.item(parent)
    add = out.add_optional
    add(item, "deviceName", mapping.device_name)
    add(item, "virtualName", mapping.virtual_name)
    if mapping.no_device:
        out.add(item, "noDevice", "")
    ebs = mapping.ebs
    if ebs is None:
        return
    node = out.add(item, "ebs")
    add(node, "snapshotId", ebs.snapshot_id)
    add(node, "volumeSize", ebs.volume_size)
    add(node, "deleteOnTermination", ebs.delete_on_termination)
    if legacy:
        return
    add(node, "volumeType", ebs.volume_type)
    add(node, "iops", ebs.iops)
    add(node, "throughput", ebs.throughput)
    add(node, "encrypted", ebs.encrypted)
    add(node, "kmsKeyId", ebs.kms_key_id)
    add(node, "outpostArn", ebs.outpost_arn)
    add(node, "availabilityZone", ebs.availability_zone)
    # These three members have no locationName in the model, so their XML names are UpperCamel.
    add(node, "VolumeInitializationRate", ebs.volume_initialization_rate)
    add(node, "AvailabilityZoneId", ebs.availability_zone_id)
    add(node, "EbsCardIndex", ebs.ebs_card_index)
