"""AK/SK: POST /principals/{name}/access-keys, and SDK-HMAC-SHA256 signed requests (signed by the tests' own
signer, tests/merchant.py) authenticating the seller on seller endpoints; a wrong or stale signature is 401."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.helpers import ok
from tests.merchant import sdk_headers

BASE = "http://localhost"
NOW = datetime(2026, 3, 2, 9, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def start(clock):
    clock(set=NOW.isoformat())


@pytest.fixture
def keys(api, cast, start):
    return ok(api.post(f"/api/v1/principals/{cast.seller.name}/access-keys", cast.seller.token), 201)


def signed(api, keys, method, path, body=None, when=NOW, secret=None, **extra):
    raw = json.dumps(body).encode() if body is not None else b""
    headers = sdk_headers(keys["access_key"], secret or keys["secret_key"], method, f"{BASE}{path}", raw,
                          when=when.replace(tzinfo=None), extra={"Content-Type": "application/json"} if raw else None)
    headers.update(extra)
    return api.request(method, path, headers=headers, data=raw or None)


def test_a_seller_or_an_admin_makes_access_keys_the_secret_shown_once(api, cast, keys, problem, query_db):
    assert len(keys["access_key"]) == 20 and len(keys["secret_key"]) == 64
    other = ok(api.post(f"/api/v1/principals/{cast.seller.name}/access-keys", cast.admin.token), 201)
    assert other["access_key"] != keys["access_key"]
    problem(api.post(f"/api/v1/principals/{cast.seller.name}/access-keys", cast.other_seller.token), 403, "forbidden")
    problem(api.post(f"/api/v1/principals/{cast.seller.name}/access-keys", cast.buyer.token), 403, "forbidden")
    problem(api.post(f"/api/v1/principals/{cast.buyer.name}/access-keys", cast.admin.token), 422, "validation_failed")
    problem(api.post("/api/v1/principals/nobody-x/access-keys", cast.admin.token), 404, "not_found")
    from app.models import AccessKey
    row = query_db(lambda s: s.scalars(select(AccessKey).where(AccessKey.access_key == keys["access_key"])).one())
    assert keys["secret_key"] not in (row.secret_salt, row.access_key, row.principal)


def test_a_signed_request_authenticates_the_seller(api, cast, keys, place_order):
    order = place_order()
    listed = ok(signed(api, keys, "GET", "/api/v1/orders?page_size=5"))
    assert [o["id"] for o in listed] == [order["id"]]
    assert ok(signed(api, keys, "GET", f"/api/v1/orders/{order['id']}"))["seller"] == cast.seller.name


def test_a_signed_body_is_covered_by_the_signature(api, cast, keys, place_order, walk, problem):
    order = walk(place_order(), "deliver")
    path = f"/api/v1/orders/{order['id']}/actions/return_requirement"
    body = {"data": {"reason": "Please say which database"}, "attachments": []}
    raw = json.dumps(body).encode()
    headers = sdk_headers(keys["access_key"], keys["secret_key"], "POST", f"{BASE}{path}", raw,
                          when=NOW.replace(tzinfo=None), extra={"Content-Type": "application/json"})
    tampered = json.dumps({**body, "data": {"reason": "Something else"}}).encode()
    problem(api.request("POST", path, headers=headers, data=tampered), 401, "invalid_signature")
    moved = ok(api.request("POST", path, headers=headers, data=raw))
    assert moved["nodes"][0]["id"] == "submit_requirement"


@pytest.mark.parametrize("case", ["secret", "stale", "future", "unknown", "changed_date", "garbled"])
def test_a_wrong_or_stale_signature_is_401(api, cast, keys, problem, case):
    path = "/api/v1/orders"
    if case == "secret":
        response = signed(api, keys, "GET", path, secret="0" * 64)
    elif case == "stale":
        response = signed(api, keys, "GET", path, when=NOW - timedelta(minutes=16))
    elif case == "future":
        response = signed(api, keys, "GET", path, when=NOW + timedelta(minutes=16))
    elif case == "unknown":
        response = signed(api, {**keys, "access_key": "NOSUCHKEY"}, "GET", path)
    elif case == "changed_date":
        response = signed(api, keys, "GET", path, **{"X-Sdk-Date": "20260302T090500Z"})
    else:
        response = api.get(path, headers={"Authorization": "SDK-HMAC-SHA256 Access=x"})
    problem(response, 401, "invalid_signature")


def test_a_signature_within_fifteen_minutes_is_accepted(api, cast, keys):
    ok(signed(api, keys, "GET", "/api/v1/orders", when=NOW - timedelta(minutes=14)))
    ok(signed(api, keys, "GET", "/api/v1/orders", when=NOW + timedelta(minutes=14)))


def test_the_date_must_be_among_the_signed_headers(api, cast, keys, problem):
    headers = sdk_headers(keys["access_key"], keys["secret_key"], "GET", f"{BASE}/api/v1/orders",
                          when=NOW.replace(tzinfo=None))
    headers["Authorization"] = headers["Authorization"].replace("SignedHeaders=host;x-sdk-date", "SignedHeaders=host")
    problem(api.get("/api/v1/orders", headers=headers), 401, "invalid_signature")
