"""Signature verification (``verify_signatures=True``): SigV4 header and presigned-query forms
and SigV2 (HmacSHA256, HmacSHA1), checked against the registry's credentials.

Pure functions over the request's raw parts; the server calls :func:`verify` right after it
reads the request's auth. The answers are AWS's (reference 1.4, 1.6): no auth at all is
``MissingAuthenticationToken`` (403), an access key the registry does not know is
``AuthFailure`` (401), a wrong signature ``SignatureDoesNotMatch`` (403), a timestamp more than
15 minutes away (or a presigned URL past its expiry) ``RequestExpired`` (400), and auth that is
present but malformed ``IncompleteSignature`` (400).

Like AWS, the credential scope's region and service are taken as signed, not checked: boto 2
signs scopes such as ``0/127`` taken from an IP address, and those requests must verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Final
from urllib.parse import quote, unquote_to_bytes

from ..errors import Ec2Error, invalid_value, missing
from .auth import AuthInfo

#: How far a request's timestamp may be from the server's clock (AWS: 15 minutes).
MAX_SKEW: Final = timedelta(minutes=15)
#: The longest a presigned URL may live (AWS: 7 days).
MAX_PRESIGN_EXPIRES: Final = 7 * 24 * 3600
SIGV4_ALGORITHM: Final = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD: Final = "UNSIGNED-PAYLOAD"
_SIGV2_DIGESTS: Final = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}
_UNRESERVED: Final = "-_.~"


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """The parts of an HTTP request a signature covers."""

    method: str
    #: The path, percent-decoded (as werkzeug gives it).
    path: str
    #: The raw query string, as sent.
    query: bytes
    #: Header name (lower-case) -> value.
    headers: Mapping[str, str]
    body: bytes
    #: Every decoded parameter of query and body, auth parameters included.
    params: Mapping[str, str]


def verify(
    request: SignedRequest,
    auth: AuthInfo,
    credentials: Mapping[str, tuple[str, str | None]],
    *,
    now: datetime | None = None,
) -> str:
    """Check ``request``'s signature; return its access key, or raise AWS's error."""
    moment = now if now is not None else datetime.now(timezone.utc)
    authorization = request.headers.get("authorization", "")
    if authorization and not authorization.startswith(SIGV4_ALGORITHM):
        scheme = authorization.split(" ", 1)[0][:40]
        raise Ec2Error(
            "IncompleteSignature",
            f"Unsupported Authorization scheme {scheme!r}: EC2 takes {SIGV4_ALGORITHM} "
            "(or SigV2 parameters).",
        )
    if auth.scheme == "sigv4":
        if authorization:
            return _verify_sigv4_header(request, authorization, credentials, moment)
        return _verify_sigv4_query(request, credentials, moment)
    if auth.scheme == "sigv2":
        return _verify_sigv2(request, credentials, moment)
    raise Ec2Error("MissingAuthenticationToken")


# --- SigV4 -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Sigv4Fields:
    access_key: str
    scope: str  # date/region/service/aws4_request
    scope_date: str
    scope_region: str
    scope_service: str
    signed_headers: tuple[str, ...]
    signature: str


def _sigv4_fields(credential: str, signed_headers: str, signature: str) -> _Sigv4Fields:
    parts = credential.split("/")
    if len(parts) != 5 or not parts[0] or parts[4] != "aws4_request":
        raise Ec2Error(
            "IncompleteSignature",
            f"Credential {credential!r} is not of the form "
            "<access key>/<yyyymmdd>/<region>/<service>/aws4_request.",
        )
    if not signed_headers:
        raise Ec2Error("IncompleteSignature", "SignedHeaders is empty.")
    if not signature:
        raise Ec2Error("IncompleteSignature", "Signature is empty.")
    return _Sigv4Fields(
        access_key=parts[0],
        scope="/".join(parts[1:]),
        scope_date=parts[1],
        scope_region=parts[2],
        scope_service=parts[3],
        signed_headers=tuple(signed_headers.split(";")),
        signature=signature.lower(),
    )


def _parse_authorization(authorization: str) -> _Sigv4Fields:
    _, _, rest = authorization.partition(" ")
    found: dict[str, str] = {}
    # botocore writes ", " between the fields, boto 2 a bare ",".
    for piece in rest.split(","):
        name, sep, value = piece.strip().partition("=")
        if sep:
            found[name] = value.strip()
    absent = [n for n in ("Credential", "SignedHeaders", "Signature") if n not in found]
    if absent:
        raise Ec2Error(
            "IncompleteSignature",
            " ".join(f"Authorization header requires '{n}' parameter." for n in absent),
        )
    return _sigv4_fields(found["Credential"], found["SignedHeaders"], found["Signature"])


def _amz_date(text: str, where: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise Ec2Error(
            "IncompleteSignature",
            f"{where} {text[:40]!r} is not a date of the form yyyyMMddTHHmmssZ.",
        ) from None


def _check_skew(signed_at: datetime, now: datetime) -> None:
    if abs(now - signed_at) > MAX_SKEW:
        raise Ec2Error("RequestExpired")


def _secret_for(credentials: Mapping[str, tuple[str, str | None]], access_key: str) -> str:
    entry = credentials.get(access_key)
    if entry is None:
        raise Ec2Error("AuthFailure")
    return entry[0]


def _verify_sigv4_header(
    request: SignedRequest,
    authorization: str,
    credentials: Mapping[str, tuple[str, str | None]],
    now: datetime,
) -> str:
    fields = _parse_authorization(authorization)
    amz_date = request.headers.get("x-amz-date")
    if amz_date is not None:
        signed_at = _amz_date(amz_date, "X-Amz-Date")
    elif "date" in request.headers:
        try:
            signed_at = parsedate_to_datetime(request.headers["date"]).astimezone(timezone.utc)
        except (TypeError, ValueError):
            raise Ec2Error(
                "IncompleteSignature",
                f"Date header {request.headers['date'][:64]!r} is not an HTTP date.",
            ) from None
        amz_date = signed_at.strftime("%Y%m%dT%H%M%SZ")
    else:
        raise Ec2Error(
            "IncompleteSignature",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    _check_skew(signed_at, now)
    secret = _secret_for(credentials, fields.access_key)
    payload_hash = hashlib.sha256(request.body).hexdigest()
    claimed = request.headers.get("x-amz-content-sha256")
    if claimed is not None and claimed != payload_hash:
        # An unsigned or mismatched body hash would let the body change under the signature.
        raise Ec2Error("SignatureDoesNotMatch")
    queries = _canonical_queries(request.query, exclude=())
    _check_sigv4(request, fields, secret, amz_date, queries, (payload_hash,))
    return fields.access_key


def _verify_sigv4_query(
    request: SignedRequest, credentials: Mapping[str, tuple[str, str | None]], now: datetime
) -> str:
    params = request.params
    for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders"):
        if name not in params:
            raise Ec2Error(
                "IncompleteSignature",
                f"The presigned request lacks the {name} parameter.",
            )
    if "X-Amz-Signature" not in params:
        raise Ec2Error(
            "IncompleteSignature", "The presigned request lacks the X-Amz-Signature parameter."
        )
    if params["X-Amz-Algorithm"] != SIGV4_ALGORITHM:
        raise Ec2Error(
            "IncompleteSignature",
            f"X-Amz-Algorithm {params['X-Amz-Algorithm'][:40]!r} is not {SIGV4_ALGORITHM}.",
        )
    fields = _sigv4_fields(
        params["X-Amz-Credential"], params["X-Amz-SignedHeaders"], params["X-Amz-Signature"]
    )
    amz_date = params["X-Amz-Date"]
    signed_at = _amz_date(amz_date, "X-Amz-Date")
    if signed_at - now > MAX_SKEW:
        raise Ec2Error("RequestExpired")
    if "X-Amz-Expires" in params:
        expires_text = params["X-Amz-Expires"]
        if not expires_text.isdigit() or not 1 <= int(expires_text) <= MAX_PRESIGN_EXPIRES:
            raise Ec2Error(
                "IncompleteSignature",
                f"X-Amz-Expires {expires_text[:20]!r} must be a number of seconds from 1 to "
                f"{MAX_PRESIGN_EXPIRES}.",
            )
        if now > signed_at + timedelta(seconds=int(expires_text)):
            raise Ec2Error("RequestExpired")
    else:
        _check_skew(signed_at, now)
    secret = _secret_for(credentials, fields.access_key)
    payload_hash = hashlib.sha256(request.body).hexdigest()
    queries = _canonical_queries(request.query, exclude=("X-Amz-Signature",))
    payloads = (payload_hash, UNSIGNED_PAYLOAD) if not request.body else (payload_hash,)
    _check_sigv4(request, fields, secret, amz_date, queries, payloads)
    return fields.access_key


def _canonical_queries(query: bytes, *, exclude: Iterable[str]) -> list[str]:
    """The canonical query strings a client may have signed: the pairs as sent, sorted
    (botocore signs its own encoding as is), and the pairs decoded and re-encoded (the
    documented form)."""
    if not query:
        return [""]
    text = query.decode("latin-1")
    skipped = set(exclude)
    as_sent: list[tuple[str, str]] = []
    reencoded: list[tuple[str, str]] = []
    for pair in text.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        decoded_name = _form_decode(name)
        if decoded_name in skipped:
            continue
        as_sent.append((name, value))
        reencoded.append(
            (quote(decoded_name, safe=_UNRESERVED), quote(_form_decode(value), safe=_UNRESERVED))
        )
    candidates: list[str] = []
    for pairs in (as_sent, reencoded):
        candidate = "&".join(f"{k}={v}" for k, v in sorted(pairs))
        if candidate not in candidates:
            candidates.append(candidate)
    return candidates


def _form_decode(text: str) -> str:
    return unquote_to_bytes(text.replace("+", " ")).decode("utf-8", "replace")


def _check_sigv4(
    request: SignedRequest,
    fields: _Sigv4Fields,
    secret: str,
    amz_date: str,
    queries: list[str],
    payloads: tuple[str, ...],
) -> None:
    headers: list[str] = []
    for name in fields.signed_headers:
        value = request.headers.get(name)
        if value is None:
            # A signed header that did not arrive: the signature cannot be over this request.
            raise Ec2Error("SignatureDoesNotMatch")
        headers.append(f"{name}:{' '.join(value.split())}")
    canonical_headers = "\n".join(headers) + "\n"
    signed = ";".join(fields.signed_headers)
    path = quote(request.path or "/", safe="/~")
    key = _sigv4_key(secret, fields.scope_date, fields.scope_region, fields.scope_service)
    for query in queries:
        for payload in payloads:
            canonical = "\n".join(
                (request.method.upper(), path, query, canonical_headers, signed, payload)
            )
            string_to_sign = "\n".join(
                (
                    SIGV4_ALGORITHM,
                    amz_date,
                    fields.scope,
                    hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
                )
            )
            expected = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, fields.signature):
                return
    raise Ec2Error("SignatureDoesNotMatch")


def _sigv4_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


# --- SigV2 -----------------------------------------------------------------------------------


def _verify_sigv2(
    request: SignedRequest, credentials: Mapping[str, tuple[str, str | None]], now: datetime
) -> str:
    params = request.params
    access_key = params.get("AWSAccessKeyId", "")
    if not access_key:
        raise Ec2Error("MissingAuthenticationToken")
    for name in ("Signature", "SignatureVersion", "SignatureMethod"):
        if not params.get(name):
            raise missing(name)
    if params["SignatureVersion"] != "2":
        raise invalid_value(
            "SignatureVersion",
            params["SignatureVersion"][:20],
            "Only signature version 2 (or SigV4) is supported.",
        )
    digest = _SIGV2_DIGESTS.get(params["SignatureMethod"])
    if digest is None:
        raise invalid_value(
            "SignatureMethod",
            params["SignatureMethod"][:40],
            "Expected: HmacSHA256 or HmacSHA1.",
        )
    _check_sigv2_time(params, now)
    secret = _secret_for(credentials, access_key)
    pairs = sorted(
        (name.encode("utf-8"), value.encode("utf-8"))
        for name, value in params.items()
        if name != "Signature"
    )
    canonical = "&".join(
        f"{quote(name, safe=_UNRESERVED)}={quote(value, safe=_UNRESERVED)}" for name, value in pairs
    )
    path = quote(request.path or "/", safe="/~")
    given = params["Signature"].strip()
    for host in _hosts(request.headers.get("host", "")):
        string_to_sign = f"{request.method.upper()}\n{host}\n{path}\n{canonical}"
        mac = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), digest)
        expected = base64.b64encode(mac.digest()).decode("ascii")
        if hmac.compare_digest(expected, given):
            return access_key
    raise Ec2Error("SignatureDoesNotMatch")


def _hosts(host: str) -> list[str]:
    """The host as sent, and without its port: clients differ on which one they sign."""
    lowered = host.lower()
    bare = lowered.rsplit(":", 1)[0] if lowered.rpartition(":")[2].isdigit() else lowered
    return [lowered] if bare == lowered else [lowered, bare]


def _check_sigv2_time(params: Mapping[str, str], now: datetime) -> None:
    if "Timestamp" in params and "Expires" in params:
        raise Ec2Error(
            "InvalidParameterCombination",
            "Requests must include either Timestamp or Expires, but not both.",
        )
    if "Timestamp" in params:
        signed_at = _iso_time("Timestamp", params["Timestamp"])
        if abs(now - signed_at) > MAX_SKEW:
            raise Ec2Error("RequestExpired")
    elif "Expires" in params:
        if now > _iso_time("Expires", params["Expires"]):
            raise Ec2Error("RequestExpired")
    else:
        raise missing("Timestamp")


def _iso_time(name: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise invalid_value(
            name, text[:64], "Expected: an ISO 8601 time such as 2009-10-31T12:00:00Z."
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
