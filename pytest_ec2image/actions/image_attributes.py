"""DescribeImageAttribute: one attribute of one of the caller's images.

The answer holds ``imageId`` and exactly the requested element. Attributes an image never set
answer an empty element (``<kernel/>``), which SDKs read as an empty structure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ..access import find_image
from ..errors import Ec2Error, invalid_value, missing
from ..model import Image
from ..store import RegistryState
from ..validation import check_image_id
from ..wire.render import add_product_codes
from ..wire.xml import XmlOut
from .context import RequestContext, dry_run

#: ``<name><value>…</value></name>`` attributes and where each comes from.
_VALUE_ATTRIBUTES: Final[dict[str, Callable[[Image], str | None]]] = {
    "description": lambda i: i.description,
    "kernel": lambda i: i.kernel_id,
    "ramdisk": lambda i: i.ramdisk_id,
    "sriovNetSupport": lambda i: i.sriov_net_support,
    "bootMode": lambda i: i.boot_mode,
    "tpmSupport": lambda i: i.tpm_support,
    "uefiData": lambda i: i.uefi_data,
    "lastLaunchedTime": lambda i: None,  # nothing is ever launched from the fake's images
    "imdsSupport": lambda i: i.imds_support,
    # [INFERRED] an image without protection reports "disabled" rather than nothing.
    "deregistrationProtection": lambda i: i.deregistration_protection_status,
}
#: The attributes of every API version (M16:ImageAttributeName), in the model's order.
ATTRIBUTES: Final = (
    "description",
    "kernel",
    "ramdisk",
    "launchPermission",
    "productCodes",
    "blockDeviceMapping",
    "sriovNetSupport",
    "bootMode",
    "tpmSupport",
    "uefiData",
    "lastLaunchedTime",
    "imdsSupport",
    "deregistrationProtection",
)
#: What a legacy (2009-10-31) request may ask for (the first six: reference 4.5).
LEGACY_ATTRIBUTES: Final = ATTRIBUTES[:6]
_BY_LOWER: Final = {a.lower(): a for a in ATTRIBUTES}


def _check_attribute(attribute: str, *, legacy: bool) -> None:
    allowed = LEGACY_ATTRIBUTES if legacy else ATTRIBUTES
    if attribute in allowed:
        return
    if attribute.lower() in _BY_LOWER and _BY_LOWER[attribute.lower()] in allowed:
        # AWS's real answer to a wrongly-cased attribute (``TpmSupport``): aws-cli#7351.
        raise Ec2Error("InvalidRequest", "The request received was invalid.")
    raise invalid_value("attribute", attribute, "Unknown attribute.")


def describe_image_attribute(state: RegistryState, ctx: RequestContext, out: XmlOut) -> None:
    """DescribeImageAttribute for every attribute of the model, with AWS's quirks."""
    image_id = ctx.params.get("ImageId")
    if not image_id:
        raise missing("imageId")
    attribute = ctx.params.get("Attribute")
    if not attribute:
        raise missing("attribute")
    check_image_id(image_id)
    _check_attribute(attribute, legacy=ctx.legacy)
    dry_run(ctx)
    with state.lock:
        image = find_image(state.region(ctx.region), image_id, ctx.account_id, "own")
    if attribute == "blockDeviceMapping":
        # Documented and real: this attribute is refused even to the owner (aws-cli#1083);
        # DescribeImages is the way to read mappings. [INFERRED] status 400.
        raise Ec2Error(
            "AuthFailure", "Unauthorized attempt to access restricted resource", status=400
        )
    ctx.image_id = image_id
    out.add(out.root, "imageId", image_id)
    if attribute == "launchPermission":
        permissions = out.add(out.root, "launchPermission")
        if image.public:
            out.add(out.item(permissions), "group", "all")
        for user_id in image.launch_permissions:
            out.add(out.item(permissions), "userId", user_id)
        for arn in image.organization_arns:
            out.add(out.item(permissions), "organizationArn", arn)
        for arn in image.organizational_unit_arns:
            out.add(out.item(permissions), "organizationalUnitArn", arn)
    elif attribute == "productCodes":
        add_product_codes(out, out.root, image.product_codes)
    else:
        element = out.add(out.root, attribute)
        value = _VALUE_ATTRIBUTES[attribute](image)
        if value is not None:
            out.add(element, "value", value)
