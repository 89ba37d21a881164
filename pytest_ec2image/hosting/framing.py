"""Request framing on a persistent connection: where a request's body ends, decided from
its headers alone and refused when ambiguous, so nothing of one request is read as the next.

RFC 9112 section 6.3 is the rule followed: ``Transfer-Encoding`` with ``Content-Length`` is
an error (a request smuggling vector), as is any transfer coding but a lone ``chunked``, a
``Content-Length`` that is not one non-negative decimal number, or more than one of them.
"""

from __future__ import annotations

import io
from email.errors import MissingHeaderBodySeparatorDefect
from email.message import Message
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: ``body_length`` of a chunked body: its end is in the body itself.
CHUNKED: Final = -1


class FramingError(ValueError):
    """The request's end is ambiguous; the message says why, naming the header values."""


def body_length(headers: Message) -> int:
    """The body's length in bytes from the request head, or :data:`CHUNKED`."""
    # http.client's header parser stops at the first line it cannot read and keeps the rest
    # as a "payload" (with a defect noted): a Content-Length after it would be lost and the
    # body then read as the next request. A head that did not parse whole is refused.
    # (Other defects, such as a multipart Content-Type with no body, concern the body only.)
    leftover = headers.get_payload()
    cut_short = any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in headers.defects)
    if cut_short or (isinstance(leftover, str) and leftover):
        bad = str(leftover).splitlines()[0] if leftover else "a header line"
        raise FramingError(
            f"The request head has a line that is not a header ({bad[:80]!r}): its end is ambiguous"
        )
    lengths = headers.get_all("Content-Length") or []
    encodings = headers.get_all("Transfer-Encoding") or []
    if encodings:
        encoding = ", ".join(encodings)
        if lengths:
            raise FramingError(
                f"The request has both Content-Length ({', '.join(lengths)}) and "
                f"Transfer-Encoding ({encoding}): its end is ambiguous"
            )
        if encoding.strip(" \t").lower() != "chunked":
            raise FramingError(
                f"Unsupported Transfer-Encoding {encoding!r}: only chunked is accepted"
            )
        return CHUNKED
    if len(lengths) > 1:
        raise FramingError(f"The request has more than one Content-Length ({', '.join(lengths)})")
    if not lengths:
        return 0
    value = lengths[0].strip(" \t")
    # isascii: str.isdigit() also takes digits of other scripts, which int() would read.
    if not (value.isascii() and value.isdigit()):
        raise FramingError(
            f"Invalid Content-Length {lengths[0]!r}: it must be a non-negative integer"
        )
    return int(value)


_HEAD_ENDS: Final = (b"\r\n", b"\n")


class HeadRecorder:
    """The connection's reader while a request head is read, remembering the last line."""

    __slots__ = ("last", "rfile")

    def __init__(self, rfile: Any) -> None:
        self.rfile = rfile
        self.last = b""

    @property
    def ended(self) -> bool:
        """Whether the head read so far ended with its blank line."""
        return self.last in _HEAD_ENDS

    def readline(self, size: int = -1) -> bytes:
        self.last = self.rfile.readline(size)
        return self.last

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rfile, name)


class Body(io.RawIOBase):
    """The request body as the application reads it: at most ``Content-Length`` bytes of the
    connection, with what is still unread in ``remaining``."""

    def __init__(self, rfile: Any, length: int) -> None:
        self._rfile = rfile
        self.remaining = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        size = min(len(view), self.remaining)
        if not size:
            return 0
        read: int = self._rfile.readinto(view[:size])
        self.remaining -= read
        return read
