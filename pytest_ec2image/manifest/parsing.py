"""S3 bundle manifests read safely: what RegisterImage with ``ImageLocation`` takes from one.

A manifest is untrusted XML (a test can declare any content, and a ``manifest_source`` may read
it from a real store), so it is parsed by lxml with entity resolution, DTD loading and network
access off, the size bounded, and any ``<!DOCTYPE`` refused outright: an external-entity or
entity-expansion payload is an ``InvalidManifest`` answer, never a file read or a stalled server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from lxml import etree

from ..validation import is_device_name, is_resource_id

if TYPE_CHECKING:
    from lxml.etree._docloader import _InputDocument

#: A bundle of a 10 GiB image in 10 MiB parts has a manifest of about 200 KiB.
MAX_MANIFEST_BYTES: Final = 2 * 1024 * 1024
#: A bundle manifest nests five levels deep; anything far deeper is not one.
MAX_DEPTH: Final = 32
#: The bundle tools only ever wrote these two.
MANIFEST_ARCHITECTURES: Final = ("i386", "x86_64")
DEFAULT_ARCHITECTURE: Final = "i386"


class _NoExternalResources(etree.Resolver):
    """Answers every external DTD or entity lookup with nothing: libxml2 reads an external
    subset even with ``load_dtd=False``, and this keeps it off the file system and network."""

    def resolve(
        self, system_url: str | None, public_id: str | None, context: object
    ) -> _InputDocument:
        return self.resolve_string("", context)


def _make_parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        # The content was checked to be UTF-8 text: a declared encoding (UTF-7 can spell
        # ``<!DOCTYPE`` without a ``<``) must not change what the parser reads.
        encoding="utf-8",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    parser.resolvers.add(_NoExternalResources())
    return parser


# lxml serialises concurrent use of one parser with its own lock.
_PARSER: Final = _make_parser()


@dataclass(frozen=True, slots=True)
class Manifest:
    """What RegisterImage takes from a bundle manifest.

    ``mappings`` are ``(virtual name, device name)`` pairs of the instance-store volumes
    (``ephemeralN``); the ``ami``, ``root`` and ``swap`` entries are read into
    ``root_device_name`` or left out, as DescribeImages leaves them out.
    """

    architecture: str = DEFAULT_ARCHITECTURE
    image_name: str | None = None
    kernel_id: str | None = None
    ramdisk_id: str | None = None
    root_device_name: str | None = None
    mappings: tuple[tuple[str, str], ...] = ()


#: The manifest of a location the test never described: lenient mode takes it to exist.
DEFAULT_MANIFEST: Final = Manifest()


class ManifestError(ValueError):
    """The content is not a usable bundle manifest; the message says why."""


def parse(content: str | bytes) -> Manifest:
    """Parse bundle-manifest XML safely; :class:`ManifestError` names what is wrong."""
    if isinstance(content, bytes):
        if len(content) > MAX_MANIFEST_BYTES:
            raise ManifestError(f"it is {len(content)} bytes, more than {MAX_MANIFEST_BYTES}")
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ManifestError(
                f"it is not UTF-8 text ({error.reason} at byte {error.start})"
            ) from None
        data = content
    else:
        text, data = content, content.encode("utf-8", "surrogatepass")
        if len(data) > MAX_MANIFEST_BYTES:
            raise ManifestError(f"it is {len(data)} bytes, more than {MAX_MANIFEST_BYTES}")
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise ManifestError("it has a DOCTYPE or an entity declaration, which are not allowed")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise ManifestError(f"it is not well-formed XML: {error.msg}") from None
    except ValueError as error:  # lxml refuses some inputs (e.g. an empty document) this way
        raise ManifestError(f"it is not well-formed XML: {error}") from None
    info = root.getroottree().docinfo
    # Unreachable after the scan above; kept so a change to the scan cannot open the door.
    if info.internalDTD is not None or info.externalDTD is not None or info.doctype:
        raise ManifestError("it has a DOCTYPE or an entity declaration, which are not allowed")
    _check_depth(root)
    if root.tag != "manifest":
        raise ManifestError(f"its root element is <{_name(root)}>, not <manifest>")
    return _read(root)


def _check_depth(root: etree._Element) -> None:
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > MAX_DEPTH:
            raise ManifestError(f"it nests elements more than {MAX_DEPTH} levels deep")


def _name(element: etree._Element) -> str:
    tag = element.tag
    return tag if isinstance(tag, str) else "?"


def _text(root: etree._Element, path: str, *, required: bool) -> str | None:
    found = root.find(path)
    if found is None or not (found.text or "").strip():
        if required:
            raise ManifestError(f"it has no <{path}> element (or it is empty)")
        return None
    return (found.text or "").strip()


def _read(root: etree._Element) -> Manifest:
    architecture = _text(root, "machine_configuration/architecture", required=True)
    assert architecture is not None
    if architecture not in MANIFEST_ARCHITECTURES:
        raise ManifestError(
            f"its architecture {architecture!r} is not one of {', '.join(MANIFEST_ARCHITECTURES)}"
        )
    image_name = _text(root, "image/name", required=True)
    parts = root.find("image/parts")
    if parts is None:
        raise ManifestError("it has no <image/parts> element")
    part_list = parts.findall("part")
    if not part_list:
        raise ManifestError("its <image/parts> lists no <part>")
    count = parts.get("count")
    if count is not None and count.strip() != str(len(part_list)):
        raise ManifestError(
            f"its <image/parts count={count!r}> does not match its {len(part_list)} <part> elements"
        )
    for index, part in enumerate(part_list):
        if not (part.findtext("filename") or "").strip():
            raise ManifestError(f"its part {index} has no <filename>")
    kernel_id = _text(root, "machine_configuration/kernel_id", required=False)
    if kernel_id is not None and not is_resource_id("aki", kernel_id):
        raise ManifestError(f"its kernel_id {kernel_id!r} is not an aki-xxxxxxxx id")
    ramdisk_id = _text(root, "machine_configuration/ramdisk_id", required=False)
    if ramdisk_id is not None and not is_resource_id("ari", ramdisk_id):
        raise ManifestError(f"its ramdisk_id {ramdisk_id!r} is not an ari-xxxxxxxx id")
    root_device, mappings = _read_mappings(root)
    return Manifest(
        architecture=architecture,
        image_name=image_name,
        kernel_id=kernel_id,
        ramdisk_id=ramdisk_id,
        root_device_name=root_device,
        mappings=tuple(mappings),
    )


def _read_mappings(root: etree._Element) -> tuple[str | None, list[tuple[str, str]]]:
    root_device: str | None = None
    mappings: list[tuple[str, str]] = []
    for entry in root.iterfind("machine_configuration/block_device_mapping/mapping"):
        virtual = (entry.findtext("virtual") or "").strip()
        device = (entry.findtext("device") or "").strip()
        if not virtual or not device:
            raise ManifestError("a block_device_mapping <mapping> lacks <virtual> or <device>")
        # Bundles write bare names (``sda1``); DescribeImages shows ``/dev/sda1``.
        full = device if device.startswith("/") else f"/dev/{device}"
        if not is_device_name(full):
            raise ManifestError(f"its block_device_mapping device {device!r} is not a device name")
        if virtual == "root":
            root_device = full
        elif virtual.startswith("ephemeral") and virtual[9:].isdigit() and int(virtual[9:]) < 24:
            mappings.append((virtual, full))
        elif virtual not in ("ami", "swap"):
            raise ManifestError(
                f"its block_device_mapping virtual name {virtual!r} is not ami, root, swap or "
                "ephemeral0 to ephemeral23"
            )
    return root_device, mappings
