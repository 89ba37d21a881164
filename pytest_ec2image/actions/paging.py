"""Paging of listing answers: ``MaxResults``, and ``NextToken`` tokens that only continue the
query they came from."""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import Ec2Error
from ..validation import check_range, parse_int
from .context import RequestContext


def max_results(params: Mapping[str, str], low: int = 5, high: int = 1000) -> int | None:
    """``MaxResults`` when given, checked against AWS's ``low``-``high`` range."""
    if "MaxResults" not in params:
        return None
    size = parse_int("maxResults", params["MaxResults"])
    check_range("maxResults", size, low, high, "MaxResults")
    return size


def query_key(action: str, params: Mapping[str, str]) -> int:
    """A fingerprint of a request without its paging parameters: a token only continues the
    query it came from."""
    kept = sorted((k, v) for k, v in params.items() if k not in ("NextToken", "MaxResults"))
    return zlib.crc32(repr((action, kept)).encode())


def make_token(position: int, key: int) -> str:
    """An opaque ``NextToken`` resuming after ``position`` of the query ``key``."""
    return base64.urlsafe_b64encode(f"{position}:{key}".encode()).decode()


def read_token(params: Mapping[str, str], key: int) -> int:
    """The position a request's ``NextToken`` resumes after (0 without a token)."""
    token = params.get("NextToken")
    if not token:
        return 0
    try:
        position, token_key = base64.urlsafe_b64decode(token.encode()).decode().split(":")
        if int(token_key) == key and int(position) >= 0:
            return int(position)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise Ec2Error(
        "InvalidPaginationToken",
        f"The pagination token '{token}' is not valid or is expired for this request.",
    )


@dataclass(frozen=True, slots=True)
class Page:
    """What a listing request asks for: ``size`` items (``MaxResults``; ``None``: all) after
    position ``after`` (from ``NextToken``; 0 without one) of the query ``key``."""

    size: int | None
    after: int
    key: int

    def token(self, position: int) -> str:
        """The ``NextToken`` that resumes this query after ``position``."""
        return make_token(position, self.key)


def read_page(ctx: RequestContext, *, ids: Sequence[str] = (), ids_name: str = "") -> Page:
    """A listing request's paging parameters, checked in AWS's order: ``MaxResults``, then
    its clash with a list of ids (``ids``, the list AWS calls ``ids_name``), then
    ``NextToken``."""
    size = max_results(ctx.params)
    if size is not None and ids:
        raise Ec2Error(
            "InvalidParameterCombination",
            f"The parameter {ids_name} cannot be used with the parameter maxResults",
        )
    key = query_key(ctx.action, ctx.params)
    return Page(size, read_token(ctx.params, key), key)
