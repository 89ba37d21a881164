"""What a request says about who sent it: the signature scheme, the access key, the region.

Signatures are not checked here (any credentials are accepted by default); this only reads
them so the call log can show them and the SigV4 scope can pick the region's state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

_CREDENTIAL = re.compile(r"Credential=([^,\s]+)")
#: A real region name (``us-east-1``, ``us-gov-west-1``); boto 2 signs with scopes such as
#: ``0/127`` taken from an IP address, which must not select a region.
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}$")


@dataclass(frozen=True, slots=True)
class AuthInfo:
    """The authentication a request carried."""

    scheme: Literal["none", "sigv2", "sigv4"]
    access_key: str | None = None
    scope_region: str | None = None


def inspect(authorization: str, params: Mapping[str, str]) -> AuthInfo:
    """Read the SigV4 ``Authorization`` header or query form, or SigV2's parameters."""
    credential: str | None = None
    if authorization.startswith("AWS4-HMAC-SHA256"):
        found = _CREDENTIAL.search(authorization)
        credential = found.group(1) if found else ""
    elif "X-Amz-Credential" in params:
        credential = params["X-Amz-Credential"]
    if credential is not None:
        parts = credential.split("/")
        region = parts[2].lower() if len(parts) >= 3 else None
        return AuthInfo(
            "sigv4", parts[0] or None, region if region and _REGION.match(region) else None
        )
    if "AWSAccessKeyId" in params:
        return AuthInfo("sigv2", params["AWSAccessKeyId"] or None)
    return AuthInfo("none")
