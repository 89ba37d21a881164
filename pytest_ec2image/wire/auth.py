"""What a request says about who sent it: the signature scheme, the access key, the region,
and so the account it acts for.

Signatures are not checked here (any credentials are accepted by default; see
:mod:`pytest_ec2image.signatures` for ``verify_signatures``); this only reads them so the call
log can show them, the SigV4 scope can pick the region's state and a known access key can pick
its account.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple

_CREDENTIAL = re.compile(r"Credential=([^,\s]+)")
#: A real region name (``us-east-1``, ``us-gov-west-1``); boto 2 signs with scopes such as
#: ``0/127`` taken from an IP address, which must not select a region.
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}$")


class Credential(NamedTuple):
    """A secret access key and the account its access key acts for."""

    secret_access_key: str
    account_id: str


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


def account_for(
    credentials: Mapping[str, tuple[str, str | None]], access_key: str | None, default: str
) -> str:
    """The account a request acts for: its access key's, when the key is bound to one."""
    if access_key is None:
        return default
    entry = credentials.get(access_key)
    if entry is None or entry[1] is None:
        return default
    return entry[1]
