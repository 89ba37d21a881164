"""The EC2 Query wire format: decode a request into parameters, render answers with lxml.

Pure functions with no state: the server feeds them bytes and gets parameters or XML back.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import unquote_to_bytes

from lxml import etree

from .errors import Ec2Error

#: Every EC2 API version AWS released, oldest first. EC2 has not released one since 2016-11-15:
#: features added since then are served under that version.
API_VERSIONS: Final[frozenset[str]] = frozenset(
    (
        "2006-06-26",
        "2006-10-01",
        "2006-11-01",
        "2007-01-03",
        "2007-01-19",
        "2007-03-01",
        "2007-08-29",
        "2008-02-01",
        "2008-05-05",
        "2008-08-08",
        "2008-12-01",
        "2009-03-01",
        "2009-04-04",
        "2009-07-15",
        "2009-08-15",
        "2009-10-31",
        "2009-11-30",
        "2010-06-15",
        "2010-08-31",
        "2010-11-15",
        "2011-01-01",
        "2011-02-28",
        "2011-05-15",
        "2011-07-15",
        "2011-11-01",
        "2011-12-01",
        "2011-12-15",
        "2012-03-01",
        "2012-04-01",
        "2012-05-01",
        "2012-06-01",
        "2012-06-15",
        "2012-07-20",
        "2012-08-15",
        "2012-10-01",
        "2012-12-01",
        "2013-02-01",
        "2013-06-15",
        "2013-07-15",
        "2013-08-15",
        "2013-10-01",
        "2013-10-15",
        "2014-02-01",
        "2014-05-01",
        "2014-06-15",
        "2014-09-01",
        "2014-10-01",
        "2015-03-01",
        "2015-04-15",
        "2015-10-01",
        "2016-04-01",
        "2016-09-15",
        "2016-11-15",
    )
)
#: The version of the seed document; requests without ``Version`` are served as this one.
SEED_VERSION: Final = "2009-10-31"
LATEST_VERSION: Final = "2016-11-15"

#: Parameters that carry authentication (SigV2 and SigV4 query form), not request data.
SIGV2_AUTH_PARAMS: Final = frozenset(
    {
        "AWSAccessKeyId",
        "SignatureVersion",
        "SignatureMethod",
        "Timestamp",
        "Expires",
        "Signature",
        "SecurityToken",
    }
)

MAX_BODY_BYTES: Final = 1024 * 1024
MAX_PARAMS: Final = 5000
MAX_LIST_INDEX: Final = 10000

_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_INDEX = re.compile(r"\.(\d+)(?=\.|$)")
# Characters XML 1.0 cannot carry; user text holding them is shown with U+FFFD instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def is_seed_version(version: str) -> bool:
    """Whether ``version`` is served by the 2009-10-31 seed's rules (that date or earlier)."""
    return version <= SEED_VERSION


def is_auth_param(name: str) -> bool:
    """Whether ``name`` is a SigV2 or SigV4 authentication parameter rather than data."""
    return name in SIGV2_AUTH_PARAMS or name.startswith("X-Amz-")


def decode_params(query: bytes, body: bytes) -> dict[str, str]:
    """Decode a query string and a form body into one ordered ``name -> value`` dict.

    GET and POST carry the same data (reference 1.1), so both sources are merged. A name given
    twice, bad percent-encoding, bad UTF-8 or too many parameters is an ``InvalidParameterValue``.
    """
    params: dict[str, str] = {}
    for raw in (query, body):
        if not raw:
            continue
        bad = _BAD_PERCENT.search(raw)
        if bad:
            snippet = raw[bad.start() : bad.start() + 3].decode("latin-1")
            raise Ec2Error(
                "InvalidParameterValue",
                f"The request has an invalid percent-encoding at byte {bad.start()}: {snippet!r}",
            )
        fields = raw.split(b"&")
        if len(fields) > MAX_PARAMS:
            raise Ec2Error(
                "InvalidParameterValue", f"The request has more than {MAX_PARAMS} parameters"
            )
        for field in fields:
            if not field:
                continue
            name, value = _decode_field(field)
            if not name:
                raise Ec2Error(
                    "InvalidParameterValue",
                    f"The request has a parameter with an empty name (value {value[:64]!r})",
                )
            if name in params:
                raise Ec2Error(
                    "InvalidParameterValue",
                    f"The parameter {name} is given more than once",
                )
            params[name] = value
    return params


def _decode_field(field: bytes) -> tuple[str, str]:
    name, _, value = field.partition(b"=")
    try:
        # Many fields hold nothing to unquote: skip the pure-Python unquoting for them.
        if b"%" in name or b"+" in name:
            name = unquote_to_bytes(name.replace(b"+", b" "))
        if b"%" in value or b"+" in value:
            value = unquote_to_bytes(value.replace(b"+", b" "))
        return name.decode("utf-8"), value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Ec2Error(
            "InvalidParameterValue",
            f"The request is not valid UTF-8: {exc.reason} in {field[:64]!r}",
        ) from None


# Clients send the same few hundred names over and over.
@functools.lru_cache(maxsize=4096)
def shape_of(name: str) -> str:
    """``BlockDeviceMapping.2.Ebs.SnapshotId`` -> ``BlockDeviceMapping.N.Ebs.SnapshotId``.

    Raises ``InvalidParameterValue`` for an index that is 0, has leading zeros or is absurd.
    """
    if "." not in name:
        return name
    for match in _INDEX.finditer(name):
        digits = match.group(1)
        if digits[0] == "0" or len(digits) > 5 or int(digits) > MAX_LIST_INDEX:
            raise Ec2Error(
                "InvalidParameterValue",
                f"Value ({digits}) for parameter {name} is invalid. "
                f"List indexes run from 1 to {MAX_LIST_INDEX}, without leading zeros.",
            )
    return _INDEX.sub(".N", name)


def check_known(params: Mapping[str, str], known: frozenset[str]) -> None:
    """Raise ``UnknownParameter`` for the first parameter whose shape is not in ``known``."""
    for name in params:
        if shape_of(name) not in known:
            raise Ec2Error("UnknownParameter", f"The parameter {name} is not recognized")


def group(params: Mapping[str, str], prefix: str) -> list[tuple[int, dict[str, str]]]:
    """Entries of the flattened list ``prefix.N.*``, ordered by N, as ``(N, {rest: value})``.

    ``prefix.N`` itself (a list of scalars) is stored under the key ``""``.
    """
    head = prefix + "."
    entries: dict[int, dict[str, str]] = {}
    for name, value in params.items():
        if not name.startswith(head):
            continue
        index, _, rest = name[len(head) :].partition(".")
        entries.setdefault(int(index), {})[rest] = value
    return sorted(entries.items())


def scalars(params: Mapping[str, str], prefix: str) -> list[str]:
    """Values of the flattened scalar list ``prefix.N``, ordered by N."""
    return [entry[""] for _, entry in group(params, prefix) if "" in entry]


def xml_text(value: str) -> str:
    """``value`` with characters XML cannot carry replaced, so any user text renders."""
    return _NOT_XML.sub("\ufffd", value)


class XmlOut:
    """Builds one success response in the request version's namespace."""

    __slots__ = ("_ns", "root")

    def __init__(self, action: str, version: str, request_id: str) -> None:
        namespace = f"http://ec2.amazonaws.com/doc/{version}/"
        self._ns = "{" + namespace + "}"
        self.root = etree.Element(self._ns + action + "Response", nsmap={None: namespace})
        self.add(self.root, "requestId", request_id)

    def add(self, parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
        """Append ``<tag>text</tag>`` to ``parent`` and return it."""
        element = etree.SubElement(parent, self._ns + tag)
        if text is not None:
            try:
                element.text = text
            except ValueError:
                element.text = xml_text(text)
        return element

    def add_optional(
        self, parent: etree._Element, tag: str, value: str | bool | int | None
    ) -> None:
        """Append ``<tag>`` only when ``value`` is set; booleans as ``true``/``false``."""
        if value is None:
            return
        if isinstance(value, bool):
            self.add(parent, tag, "true" if value else "false")
        else:
            self.add(parent, tag, str(value))

    def add_items(self, parent: etree._Element, tag: str) -> etree._Element:
        """Append an empty list element (``<tagSet/>``) whose entries are ``<item>``."""
        return self.add(parent, tag)

    def item(self, parent: etree._Element) -> etree._Element:
        """Append one ``<item>`` to a list element."""
        return self.add(parent, "item")

    def to_bytes(self) -> bytes:
        """The finished document, with its XML declaration."""
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8")


def render_error(code: str, message: str, request_id: str) -> bytes:
    """EC2's error document: ``<Response><Errors><Error>...</Errors><RequestID/></Response>``."""
    root = etree.Element("Response")
    error = etree.SubElement(etree.SubElement(root, "Errors"), "Error")
    etree.SubElement(error, "Code").text = xml_text(code)
    etree.SubElement(error, "Message").text = xml_text(message)
    etree.SubElement(root, "RequestID").text = request_id
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def names(values: Iterable[str]) -> str:
    """Comma-separated names for messages."""
    return ", ".join(values)
