"""What every handler shares: the request context, the action record, and the small checks
and pagination tokens several actions use."""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .errors import Ec2Error
from .ids import is_account_id
from .protocol import XmlOut
from .store import RegistryState
from .validation import check_range, is_resource_id, parse_bool, parse_int


@dataclass(slots=True)
class RequestContext:
    """One request as a handler sees it."""

    action: str
    version: str
    seed: bool
    params: dict[str, str]
    region: str
    account_id: str
    request_id: str
    image_id: str | None = None


Handler = Callable[[RegistryState, RequestContext, XmlOut], None]


@dataclass(frozen=True, slots=True)
class Action:
    """A served action: its handler and the parameter shapes it knows per API generation
    (``seed_params`` is ``None`` when the action did not exist in 2009-10-31)."""

    handler: Handler
    params: frozenset[str]
    seed_params: frozenset[str] | None


#: Parameters every modern action takes.
COMMON = frozenset({"Action", "Version", "DryRun"})
#: Parameters every 2009-10-31 action takes (DryRun came later).
SEED_COMMON = frozenset({"Action", "Version"})


def dry_run(ctx: RequestContext) -> None:
    """``DryRunOperation`` (412) when the request asks for a dry run: call it after the
    syntax checks and before any state is read, as AWS orders them."""
    if "DryRun" in ctx.params and parse_bool("dryRun", ctx.params["DryRun"]):
        raise Ec2Error("DryRunOperation")


def not_found(image_ids: list[str]) -> Ec2Error:
    """``InvalidAMIID.NotFound`` for one or more ids."""
    # AWS's brackets are real and it declined to drop them (reference 4.1).
    return Ec2Error(
        "InvalidAMIID.NotFound", f"The image id '[{', '.join(image_ids)}]' does not exist"
    )


def check_image_id(image_id: str) -> None:
    """``ami-``/``aki-``/``ari-`` + 8 or 17 hex digits, or ``InvalidAMIID.Malformed``."""
    if not (
        is_resource_id("ami", image_id)
        or is_resource_id("aki", image_id)
        or is_resource_id("ari", image_id)
    ):
        raise Ec2Error("InvalidAMIID.Malformed", f'Invalid id: "{image_id}" (expecting "ami-...")')


def check_user(value: str, allowed: frozenset[str]) -> None:
    """An account id or one of ``allowed`` (``self``, ``all``, ...), else
    ``InvalidUserID.Malformed``."""
    if value not in allowed and not is_account_id(value):
        raise Ec2Error("InvalidUserID.Malformed", f'Invalid user id: "{value}"')


# --- pagination ------------------------------------------------------------------------------


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
