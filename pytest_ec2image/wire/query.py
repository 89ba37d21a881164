"""The EC2 Query protocol's requests: decode a query string or form body into parameters,
and read the flattened lists (``Name.N``, ``Name.N.Member``) they carry.

Pure functions with no state, and no lxml: the facade and the action table use them too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Final
from urllib.parse import unquote_to_bytes

from ..errors import Ec2Error

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

    Members may be numbered from any non-negative integer (SPEC 4.8: some clients number
    from 0, ``ResourceId.0``, and EC2 takes it). Raises ``InvalidParameterValue`` for an index
    with leading zeros (``01`` would be the same member as ``1``) or an absurd one.
    """
    if "." not in name:
        return name
    for match in _INDEX.finditer(name):
        digits = match.group(1)
        if (
            (digits[0] == "0" and len(digits) > 1)
            or len(digits) > 5
            or int(digits) > MAX_LIST_INDEX
        ):
            raise Ec2Error(
                "InvalidParameterValue",
                f"Value ({digits}) for parameter {name} is invalid. "
                f"List indexes run from 0 to {MAX_LIST_INDEX}, without leading zeros.",
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
