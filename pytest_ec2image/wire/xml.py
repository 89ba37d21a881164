"""The EC2 Query protocol's answers: success documents in the request version's namespace
and EC2's error document, built and escaped by lxml (SPEC 4.1).
"""

from __future__ import annotations

import functools
import re

from lxml import etree


@functools.cache
def _not_xml() -> re.Pattern[str]:
    # Characters XML 1.0 cannot carry. Compiled on first need: the astral range makes it a
    # 3 ms compile, which every pytest run serving one request would otherwise pay.
    return re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` with characters XML cannot carry replaced (by U+FFFD), so any user text
    renders."""
    if value.isascii() and value.isprintable():  # nothing to replace: the common case
        return value
    return _not_xml().sub("\ufffd", value)


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
