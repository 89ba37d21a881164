"""What every handler is given: the request as it sees it, and the DryRun check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ..errors import Ec2Error
from ..validation import parse_bool

if TYPE_CHECKING:
    from ..store import RegistryState
    from ..wire.xml import XmlOut


@dataclass(slots=True)
class RequestContext:
    """One request as a handler sees it: its parameters (already known to hold only the
    action's), its API generation, and the region and account it acts in.

    A handler that names an image in its answer sets ``image_id`` (the call log shows it);
    one that created that image also sets ``created``, so an armed ``fail_image`` fault
    fails it."""

    action: str
    version: str
    #: Served by the legacy generation's rules (Version 2009-10-31 or earlier, or none).
    legacy: bool
    params: dict[str, str]
    region: str
    account_id: str
    request_id: str
    image_id: str | None = None
    created: bool = False


#: ``handler(state, ctx, out)``: read ``ctx.params``, raise :class:`Ec2Error` for anything AWS
#: rejects, change ``state`` under its lock, and append the answer's members to ``out``.
Handler = Callable[["RegistryState", RequestContext, "XmlOut"], None]

#: Parameters every modern action takes.
COMMON: Final = frozenset({"Action", "Version", "DryRun"})
#: Parameters every legacy (2009-10-31) action takes (DryRun came later).
LEGACY_COMMON: Final = frozenset({"Action", "Version"})


def dry_run(ctx: RequestContext) -> None:
    """``DryRunOperation`` (412) when the request asks for a dry run: call it after the
    syntax checks and before any state is read, as AWS orders them."""
    if "DryRun" in ctx.params and parse_bool("dryRun", ctx.params["DryRun"]):
        raise Ec2Error("DryRunOperation")
