"""DisableImage and EnableImage: an available image goes to state ``disabled`` and back.

Disabling "removes all launch permissions from the AMI" (public, accounts, organizations,
OUs), and EnableImage does not give them back: "accounts, organizations, and Organizational
Units that lost access ... do not regain access automatically" (M16; reference
aws-image-pipeline 8). A disabled image is hidden from DescribeImages without
``IncludeDisabled``, refuses CopyImage, and may still be deregistered. Only the owner may call
either; each answers ``true``, also when the image is already in the state asked for.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import Ec2Error, missing
from ..model import Image
from ..store import RegistryState
from ..validation import check_image_id
from ..wire.xml import XmlOut
from .context import RequestContext, dry_run
from .owned import change_owned_image


def disable_image(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DisableImage: ``available`` -> ``disabled``, launch permissions removed."""
    _change_state(state, ctx, out, "disabled")


def enable_image(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """EnableImage: ``disabled`` -> ``available``, launch permissions still none."""
    _change_state(state, ctx, out, "available")


def _change_state(state: RegistryState, ctx: RequestContext, out: XmlOut, target: str) -> None:
    image_id = ctx.params.get("ImageId")
    if not image_id:
        raise missing("ImageId")
    check_image_id(image_id)
    dry_run(ctx)
    source = "available" if target == "disabled" else "disabled"

    def switch(image: Image) -> Image:
        if image.state == source:
            return _disabled(image) if target == "disabled" else _enabled(image)
        if image.state != target:
            # [INFERRED] pending, failed and other states: the DOC-ERR reading of
            # Unavailable ("not in a state from which you can ... modify attributes").
            wanted = (
                "an available image can be disabled"
                if target == "disabled"
                else "a disabled image can be enabled"
            )
            raise Ec2Error(
                "InvalidAMIID.Unavailable",
                f"The image ID '{image_id}' is {image.state}: only {wanted}.",
            )
        return image

    change_owned_image(state, ctx, image_id, switch)
    out.add(out.root, "return", "true")


def _disabled(image: Image) -> Image:
    return replace(
        image,
        state="disabled",
        public=False,
        launch_permissions=(),
        organization_arns=(),
        organizational_unit_arns=(),
    )


def _enabled(image: Image) -> Image:
    return replace(image, state="available")
