"""The signatures of docs/merchant-interfaces.md: the §4.6 golden vector of SDK-HMAC-SHA256 exactly, and the
V2 callback signature against the independent verifier of tests/merchant.py."""
from app.services.callbacks.signing import (canonical_request, parse_authorization, sdk_authorization,
                                            sdk_signature, v2_signature)
from tests.merchant import sdk_headers, v2_valid

GOLDEN = "77595ad624b6e4e49990b8c4e84bf1c287457fca61069c4e60b9b6765b52053d"
HEADERS = {"x-stage": "RELEASE", "X-Sdk-Date": "20240317T144237Z", "Content-Type": "application/json",
           "Host": "mkt.myhuaweicloud.com"}
PATH = "/api/mkp-openapi-public/global/v1/license/activate"


def test_the_open_api_signature_reproduces_the_golden_vector():
    value = sdk_authorization("test", "123", "POST", PATH, [], HEADERS, b"")
    assert value == ("SDK-HMAC-SHA256 Access=test, SignedHeaders=content-type;host;x-sdk-date;x-stage, "
                     f"Signature={GOLDEN}")
    assert parse_authorization(value) == {"Access": "test", "SignedHeaders": "content-type;host;x-sdk-date;x-stage",
                                          "Signature": GOLDEN}


def test_the_canonical_request_has_a_trailing_slash_sorted_query_and_the_body_hash():
    lowered = {k.lower(): v for k, v in HEADERS.items()}
    canonical = canonical_request("post", PATH, [("b", "2"), ("a", "x y")], lowered, ["host", "x-sdk-date"], b"{}")
    assert canonical.split("\n")[:3] == ["POST", PATH + "/", "a=x%20y&b=2"]
    assert canonical.endswith("host;x-sdk-date\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
    assert sdk_signature("123", "20240317T144237Z", canonical) != GOLDEN


def test_the_independent_signer_of_the_tests_agrees_with_the_golden_vector():
    from datetime import datetime
    headers = sdk_headers("test", "123", "POST", f"https://mkt.myhuaweicloud.com{PATH}",
                          when=datetime(2024, 3, 17, 14, 42, 37),
                          extra={"x-stage": "RELEASE", "Content-Type": "application/json"})
    assert headers["Authorization"].endswith(f"Signature={GOLDEN}")


def test_a_v2_signature_verifies_independently_and_breaks_on_any_change():
    body = b'{"activity":"newInstance","orderId":"CS1"}'
    signature = v2_signature("key-1", body, "1680508066618", "n0nce")
    assert signature == signature.upper() and len(signature) == 64
    query = {"signature": [signature], "timestamp": ["1680508066618"], "nonce": ["n0nce"]}
    assert v2_valid("key-1", body, query)
    assert not v2_valid("key-2", body, query)
    assert not v2_valid("key-1", body + b" ", query)
    assert not v2_valid("key-1", body, {**query, "nonce": ["other"]})
