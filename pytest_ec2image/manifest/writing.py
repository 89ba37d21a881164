"""Bundle-manifest XML for tests to declare: :func:`bundle_manifest`."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree


def bundle_manifest(
    *,
    architecture: str = "x86_64",
    image_name: str = "image.img",
    kernel_id: str | None = None,
    ramdisk_id: str | None = None,
    mappings: Sequence[tuple[str, str]] = (("ami", "sda1"), ("root", "/dev/sda1")),
    parts: int = 1,
) -> str:
    """Bundle-manifest XML in the shape ``ec2-bundle-image`` writes, for tests to declare with
    :meth:`Ec2Registry.add_manifest`. ``mappings`` are ``(virtual, device)`` pairs."""
    root = etree.Element("manifest")
    etree.SubElement(root, "version").text = "2007-10-10"
    bundler = etree.SubElement(root, "bundler")
    etree.SubElement(bundler, "name").text = "ec2-ami-tools"
    etree.SubElement(bundler, "version").text = "1.5.7"
    machine = etree.SubElement(root, "machine_configuration")
    etree.SubElement(machine, "architecture").text = architecture
    if mappings:
        block = etree.SubElement(machine, "block_device_mapping")
        for virtual, device in mappings:
            mapping = etree.SubElement(block, "mapping")
            etree.SubElement(mapping, "virtual").text = virtual
            etree.SubElement(mapping, "device").text = device
    if kernel_id is not None:
        etree.SubElement(machine, "kernel_id").text = kernel_id
    if ramdisk_id is not None:
        etree.SubElement(machine, "ramdisk_id").text = ramdisk_id
    image = etree.SubElement(root, "image")
    etree.SubElement(image, "name").text = image_name
    etree.SubElement(image, "type").text = "machine"
    etree.SubElement(image, "size").text = str(parts * 10485760)
    part_list = etree.SubElement(image, "parts", count=str(parts))
    for index in range(parts):
        part = etree.SubElement(part_list, "part", index=str(index))
        etree.SubElement(part, "filename").text = f"{image_name}.part.{index:02d}"
        etree.SubElement(part, "digest", algorithm="SHA1").text = "0" * 40
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")
