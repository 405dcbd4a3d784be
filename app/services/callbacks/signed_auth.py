"""Authenticating an SDK-HMAC-SHA256 signed request (docs/merchant-interfaces.md §2.5) as its key's principal."""
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.actors import Actor
from app.errors import InvalidSignatureError
from app.extensions import runtime
from app.models import AccessKey, Principal
from app.services.callbacks.keys import secret_of
from app.services.callbacks.signing import SDK_DATE_FORMAT, canonical_request, parse_authorization, sdk_signature
from app.services.core.transaction import transaction

MAX_SKEW = timedelta(minutes=15)
REQUIRED_SIGNED = ("x-sdk-date",)  # the SDKs sign every header, Host too; the date is what must be


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes


def _sdk_date(value: str | None) -> str:
    try:
        moment = datetime.strptime(value or "", SDK_DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise InvalidSignatureError("X-Sdk-Date must be yyyyMMddTHHmmssZ (UTC)") from None
    if abs(runtime.clock.now() - moment) > MAX_SKEW:
        raise InvalidSignatureError("X-Sdk-Date is more than 15 minutes away from the platform's time")
    return value


def authenticate_signed(request: SignedRequest) -> Actor:
    parts = parse_authorization(request.headers.get("authorization", ""))
    if parts is None:
        raise InvalidSignatureError("Authorization must be SDK-HMAC-SHA256 Access=, SignedHeaders=, Signature=")
    signed = [name for name in parts["SignedHeaders"].lower().split(";") if name]
    if any(name not in signed for name in REQUIRED_SIGNED):
        raise InvalidSignatureError("SignedHeaders must include x-sdk-date")
    sdk_date = _sdk_date(request.headers.get("x-sdk-date"))
    with transaction(readonly=True) as session:
        key = session.scalars(select(AccessKey).where(AccessKey.access_key == parts["Access"])).first()
        principal = session.scalars(select(Principal).where(Principal.name == key.principal)).first() if key else None
        if principal is None:
            raise InvalidSignatureError("unknown access key")
        canonical = canonical_request(request.method, request.path, request.query, request.headers, signed,
                                      request.body)
        expected = sdk_signature(secret_of(key), sdk_date, canonical)
        if not hmac.compare_digest(expected, parts["Signature"].lower()):
            raise InvalidSignatureError("the signature does not match the request")
        return Actor(principal.name, principal.role, principal.review_role)
