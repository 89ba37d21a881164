"""EnableImageDeregistrationProtection and DisableImageDeregistrationProtection.

Their ``<return>`` is a string, not ``true`` (M16 types it ``String``; the AWS CLI examples
print ``enabled-without-cooldown`` and ``disabled``): the protection state the image is left
in. Protection enabled ``WithCooldown`` keeps refusing DeregisterImage for 24 hours after it is
disabled, measured on the registry's clock; meanwhile the state reads ``disabled after <time>``
(reference aws-image-pipeline 7). Only the owner may call either.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import missing
from ..lifecycle import cooldown_end, cooldown_over
from ..model import Image
from ..store import RegistryState
from ..validation import check_image_id, parse_bool
from ..wire.xml import XmlOut
from .context import RequestContext, dry_run
from .owned import change_owned_image


def enable_image_deregistration_protection(
    state: RegistryState, ctx: RequestContext, out: XmlOut
) -> None:
    """``enabled-with-cooldown`` or ``enabled-without-cooldown``, whatever the protection was
    before ([INFERRED] enabling again overwrites the cooldown flag; a cooldown still running
    keeps running, so enabling and disabling again cannot skip its 24 hours)."""
    image_id = ctx.params.get("ImageId")
    if not image_id:
        raise missing("ImageId")
    with_cooldown = parse_bool("WithCooldown", ctx.params.get("WithCooldown", "false"))
    check_image_id(image_id)
    dry_run(ctx)
    status = "enabled-with-cooldown" if with_cooldown else "enabled-without-cooldown"

    def protect(image: Image) -> Image:
        return replace(
            image,
            deregistration_protection=status,
            deregistration_cooldown_until=_running_cooldown(image, state),
        )

    change_owned_image(state, ctx, image_id, protect)
    out.add(out.root, "return", status)


def disable_image_deregistration_protection(
    state: RegistryState, ctx: RequestContext, out: XmlOut
) -> None:
    """``disabled``, or ``disabled after <time>`` when the protection had a cooldown (24 h
    from now) or is still in one ([INFERRED] disabling again does not extend it; once it is
    over, disabling again clears it and answers ``disabled``)."""
    image_id = ctx.params.get("ImageId")
    if not image_id:
        raise missing("ImageId")
    check_image_id(image_id)
    dry_run(ctx)

    def unprotect(image: Image) -> Image:
        until: str | None
        if image.deregistration_protection == "enabled-with-cooldown":
            until = cooldown_end(state.clock.now())
        else:
            until = _running_cooldown(image, state)
        return replace(
            image, deregistration_protection="disabled", deregistration_cooldown_until=until
        )

    image = change_owned_image(state, ctx, image_id, unprotect)
    out.add(out.root, "return", image.deregistration_protection_status)


def _running_cooldown(image: Image, state: RegistryState) -> str | None:
    """The end of ``image``'s cooldown while it still runs; ``None`` once over (or none)."""
    if cooldown_over(image, state.clock.now()):
        return None
    return image.deregistration_cooldown_until
