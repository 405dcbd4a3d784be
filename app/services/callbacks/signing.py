"""The two signatures of docs/merchant-interfaces.md, as pure functions (no app state).

- V2 (§2.4): what the platform puts in a callback's query (`signature`, `timestamp`, `nonce`).
- SDK-HMAC-SHA256 (§2.5): what a seller's open-API call carries in `Authorization`."""
import hashlib
import hmac
from urllib.parse import quote

SDK_ALGORITHM = "SDK-HMAC-SHA256"
SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


def _hmac_hex(key: str, message: bytes) -> str:
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def v2_signature(access_key: str, body: bytes, timestamp: str, nonce: str) -> str:
    """HexEncode(HMAC_SHA256(accessKey, accessKey + nonce + timestamp + lower(hex(HMAC_SHA256(accessKey, body)))))
    over the raw body bytes; upper-case hex as the guide's examples (receivers compare case-insensitively)."""
    canonical = access_key + nonce + timestamp + _hmac_hex(access_key, body).lower()
    return _hmac_hex(access_key, canonical.encode()).upper()


def _encode(value: str) -> str:
    return quote(value, safe="~")


def canonical_uri(path: str) -> str:
    """Each segment percent-encoded, with a trailing slash."""
    encoded = "/".join(_encode(segment) for segment in path.split("/"))
    return encoded if encoded.endswith("/") else encoded + "/"


def canonical_request(method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str],
                      signed_headers: list[str], body: bytes) -> str:
    """§2.5: method, URI, sorted query, `name:value` per signed header, their names, hex SHA-256 of the body."""
    lowered = {name.lower(): value for name, value in headers.items()}
    query_string = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query))
    header_lines = "".join(f"{name}:{lowered.get(name, '').strip()}\n" for name in signed_headers)
    return "\n".join([method.upper(), canonical_uri(path), query_string, header_lines, ";".join(signed_headers),
                      hashlib.sha256(body).hexdigest()])


def sdk_signature(secret_key: str, sdk_date: str, canonical: str) -> str:
    string_to_sign = f"{SDK_ALGORITHM}\n{sdk_date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return _hmac_hex(secret_key, string_to_sign.encode())


def sdk_authorization(access_key: str, secret_key: str, method: str, path: str, query: list[tuple[str, str]],
                      headers: dict[str, str], body: bytes) -> str:
    """The Authorization value signing every header given (which must include X-Sdk-Date and Host)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    signed = sorted(lowered)
    canonical = canonical_request(method, path, query, lowered, signed, body)
    signature = sdk_signature(secret_key, lowered["x-sdk-date"], canonical)
    return f"{SDK_ALGORITHM} Access={access_key}, SignedHeaders={';'.join(signed)}, Signature={signature}"


def parse_authorization(value: str) -> dict[str, str] | None:
    """{'Access', 'SignedHeaders', 'Signature'} of an SDK-HMAC-SHA256 Authorization value, or None."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme != SDK_ALGORITHM:
        return None
    parts = {}
    for item in rest.split(","):
        name, sep, val = item.strip().partition("=")
        if sep:
            parts[name] = val.strip()
    return parts if {"Access", "SignedHeaders", "Signature"} <= parts.keys() else None
