"""Input no column can hold is a 4xx problem that changes nothing, on SQLite and PostgreSQL alike:
NUL characters and unpaired surrogates, over-long strings, runaway JSON, too many attachments.
(Numbers, money, pages and times beyond their types: test_bad_input_ranges.py.)"""
import json
import time

import pytest
from sqlalchemy import func, select

from tests.conftest import order_body
from tests.helpers import recorded_statements

API = "/api/v1"
NUL = "\x00"
NOT_STORABLE = "must not contain NUL characters or unpaired surrogates"


def _named(body: dict, field: str) -> list:
    errors = body.get("errors") or {}
    return [key for key in errors if key == field or key.startswith(f"{field}.")]


# -- URL paths and query filters ------------------------------------------------------------------
PATHS = [  # (method, path, role); every path holds a NUL (%00)
    ("GET", "/orders/a%00b", "ops"), ("GET", "/orders/a%00b/history", "ops"), ("GET", "/orders/a%00b/diagram", "ops"),
    ("GET", "/attachments/a%00b", "buyer"), ("GET", "/process-definitions/a%00b/versions/1", "analyst"),
    ("POST", "/orders/a%00b/actions/accept", "buyer"), ("POST", "/orders/a%00b/appeals", "buyer"),
    ("POST", "/orders/a%00b/logistics", "platform"), ("POST", "/tasks/a%00b/complete", "buyer"),
    ("POST", "/appeals/a%00b/claim", "ops"), ("POST", "/authcodes/a%00b/activate", "seller"),
    ("POST", "/process-definitions/a%00b/current", "analyst"),
]


@pytest.mark.parametrize("method,path,role", PATHS, ids=[f"{m} {p}" for m, p, _ in PATHS])
def test_a_nul_in_the_url_path_is_a_bad_request(api, cast, problem, make_principal, method, path, role):
    who = getattr(cast, role, None) or make_principal(role)
    body = problem(api.request(method, f"{API}{path}", who.token, json={}), 400, "bad_request")
    assert "NUL" in body["detail"]


QUERIES = [("/orders", "node", "ops"), ("/orders", "delivery_type", "ops"), ("/tasks", "node", "buyer"),
           ("/tasks", "delivery_type", "seller"), ("/appeals", "claimed_by", "ops")]


@pytest.mark.parametrize("path,name,role", QUERIES, ids=[f"{p}?{n}" for p, n, _ in QUERIES])
def test_a_nul_in_a_query_filter_is_422_naming_it(api, cast, problem, path, name, role):
    response = api.get(f"{API}{path}", getattr(cast, role).token, params={name: "a\x00b"})
    body = problem(response, 422, "validation_failed")
    assert _named(body, name), body


def test_a_nul_in_the_authorization_header_is_unauthenticated(api, problem):
    problem(api.get(f"{API}/orders", headers={"Authorization": "Bearer a\x00b"}), 401, "unauthenticated")


# -- JSON string fields -----------------------------------------------------------------------------
def _set(path: str, value):
    def change(body):
        *parents, last = path.split(".")
        target = body
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[last] = value
    return change


ORDER_STRINGS = ["buyer", "seller", "product.name", "product.spec", "recipient.name", "recipient.address",
                 "recipient.phone", "milestones.0.name"]


def _with_milestones(body: dict) -> dict:
    body["milestones"] = [{"name": "phase 1", "amount": "400.00"}, {"name": "phase 2", "amount": "600.00"}]
    return body


def _raw(body: dict, field: str, bad: str) -> str:
    """The body as JSON text with `bad` (e.g. an escaped lone surrogate) as the value of `field`."""
    _set(field, "@@BAD@@")(body)
    return json.dumps(body).replace('"@@BAD@@"', bad)


@pytest.mark.parametrize("field", ORDER_STRINGS)
@pytest.mark.parametrize("bad", ['"a\\u0000b"', '"\\ud800"', '"x\\udfff"'], ids=["nul", "high", "low"])
def test_an_order_string_no_column_could_hold_is_422_naming_it_and_places_nothing(api, cast, problem, field, bad):
    body = _with_milestones(order_body(cast.buyer.name, cast.seller.name))
    valid = json.loads(json.dumps(body))
    response = api.post(f"{API}/orders", cast.platform.token, data=_raw(body, field, bad),
                        headers={"Content-Type": "application/json"})
    refused = problem(response, 422, "validation_failed")
    assert refused["errors"].get(field) == [NOT_STORABLE], refused
    assert api.post(f"{API}/orders", cast.platform.token, json=valid).status_code == 201  # order_no still free


def test_a_nul_in_a_json_key_is_422(api, cast, problem):
    body = order_body(cast.buyer.name, cast.seller.name)
    body["product"]["a\x00b"] = 1
    refused = problem(api.post(f"{API}/orders", cast.platform.token, json=body), 422, "validation_failed")
    assert _named(refused, "product"), refused


ACTION_STRINGS = [  # (how to call, field named in errors)
    (lambda o, a: (f"/orders/{o['id']}/actions/submit_requirement", {"data": {"description": a}}), "data.description"),
    (lambda o, a: (f"/orders/{o['id']}/actions/submit_requirement", {"data": {}, "attachments": [a]}), "attachments.0"),
    (lambda o, a: (f"/orders/{o['id']}/appeals", {"reason": a, "demand": "refund"}), "reason"),
    (lambda o, a: (f"/orders/{o['id']}/appeals", {"reason": "late", "demand": "x", "attachments": [a]}),
     "attachments.0"),
    (lambda o, a: (f"/tasks/{o['nodes'][0]['task_id']}/complete", {"action": a}), "action"),
]


@pytest.mark.parametrize("call,field", ACTION_STRINGS, ids=[f for _, f in ACTION_STRINGS])
@pytest.mark.parametrize("bad", ["a\x00b", "\udc80"], ids=["nul", "lone surrogate"])
def test_a_string_no_column_could_hold_in_an_action_or_appeal_is_422_and_changes_nothing(
        api, cast, problem, place_order, snapshot, call, field, bad):
    order = place_order()
    before = snapshot(order)
    path, body = call(order, bad)
    response = api.post(f"{API}{path}", cast.buyer.token, data=json.dumps(body),
                        headers={"Content-Type": "application/json"})
    refused = problem(response, 422, "validation_failed")
    assert refused["errors"].get(field) == [NOT_STORABLE], refused
    assert snapshot(order) == before


@pytest.mark.parametrize("path,role,body,field", [
    ("/principals", "admin", {"name": "a\x00b", "role": "buyer"}, "name"),
    ("/testing/clock", "admin", {"advance": "P1D\x00"}, "advance"),
], ids=["principal name", "clock advance"])
def test_a_nul_in_other_json_bodies_is_422(api, cast, problem, path, role, body, field):
    refused = problem(api.post(f"{API}{path}", getattr(cast, role).token, json=body), 422, "validation_failed")
    assert refused["errors"].get(field) == [NOT_STORABLE], refused


# -- over-long strings (every free-text field has a maximum no greater than its column) --------------
LONG_ORDER_FIELDS = {"order_no": 65, "buyer": 101, "product.name": 201, "product.spec": 201, "recipient.name": 101,
                     "recipient.address": 501, "recipient.phone": 31, "milestones.0.name": 201}


@pytest.mark.parametrize("field", LONG_ORDER_FIELDS)
def test_an_order_string_longer_than_its_limit_is_422_naming_it(api, cast, problem, field):
    body = _with_milestones(order_body(cast.buyer.name, cast.seller.name))
    _set(field, "x" * LONG_ORDER_FIELDS[field])(body)
    refused = problem(api.post(f"{API}/orders", cast.platform.token, json=body), 422, "validation_failed")
    assert _named(refused, field), refused


def test_the_longest_allowed_order_strings_are_placed(api, cast):
    body = _with_milestones(order_body(cast.buyer.name, cast.seller.name))
    for field, length in LONG_ORDER_FIELDS.items():
        if field not in ("order_no", "buyer", "recipient.phone"):
            _set(field, "x" * (length - 1))(body)
    assert api.post(f"{API}/orders", cast.platform.token, json=body).status_code == 201


LONG_ACTION_DATA = [("submit_requirement", "submit_requirement", "buyer", {"description": "x" * 5001}, "description"),
                    ("deliver", "deliver", "seller", {"note": "x" * 5001}, "note"),
                    ("confirm_acceptance", "reject", "buyer", {"reason": "x" * 5001}, "reason")]


@pytest.mark.parametrize("node,action,role,data,field", LONG_ACTION_DATA, ids=[a for _, a, *_ in LONG_ACTION_DATA])
def test_form_text_longer_than_its_limit_is_422_and_changes_nothing(
        api, cast, problem, place_order, walk, upload, snapshot, node, action, role, data, field):
    order = walk(place_order(), node)
    before = snapshot(order)
    who = getattr(cast, role)
    response = api.post(f"{API}/orders/{order['id']}/actions/{action}", who.token,
                        json={"data": data, "attachments": [upload(who)]})
    assert _named(problem(response, 422, "validation_failed"), field)
    assert snapshot(order) == before


@pytest.mark.parametrize("body,field", [({"reason": "x" * 5001, "demand": "refund"}, "reason"),
                                        ({"reason": "late", "demand": "x" * 5001}, "demand")], ids=["reason", "demand"])
def test_appeal_text_longer_than_its_limit_is_refused(api, cast, problem, place_order, body, field):
    order = place_order()
    refused = problem(api.post(f"{API}/orders/{order['id']}/appeals", cast.buyer.token, json=body), 422)
    assert _named(refused, field), refused


# -- multipart uploads --------------------------------------------------------------------------------
def _multipart(disposition: bytes, content_type: bytes = b"application/pdf") -> tuple[bytes, dict]:
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; " + disposition + b"\r\n"
            b"Content-Type: " + content_type + b"\r\n\r\nevidence\r\n--XyZ--\r\n")
    return body, {"Content-Type": "multipart/form-data; boundary=XyZ"}


UPLOADS = {
    "filename* with NUL": (_multipart(b"filename*=UTF-8''a%00b.pdf"), "filename"),
    "raw NUL in filename": (_multipart(b'filename="a\x00b.pdf"'), "filename"),
    "filename of 256 characters": (_multipart(b'filename="' + b"a" * 252 + b'.pdf"'), "filename"),
    "NUL in content type": (_multipart(b'filename="a.pdf"', b"application/p\x00df"), "content_type"),
    "content type of 201 characters": (_multipart(b'filename="a.pdf"', b"application/" + b"x" * 189), "content_type"),
    "content type that is no media type": (_multipart(b'filename="a.pdf"', b"pdf please"), "content_type"),
}


@pytest.mark.parametrize("case", UPLOADS, ids=list(UPLOADS))
def test_an_upload_whose_name_or_type_no_column_could_hold_is_422_and_stores_nothing(
        api, cast, problem, query_db, case):
    from app.models import Attachment
    (data, headers), field = UPLOADS[case]
    count = query_db(lambda s: s.scalar(select(func.count()).select_from(Attachment)))
    refused = problem(api.post(f"{API}/attachments", cast.buyer.token, data=data, headers=headers), 422)
    assert _named(refused, field) or _named(refused, "file"), refused
    assert query_db(lambda s: s.scalar(select(func.count()).select_from(Attachment))) == count


def test_an_upload_with_a_255_character_name_is_stored(api, cast):
    data, headers = _multipart(b'filename="' + b"a" * 251 + b'.pdf"')
    response = api.post(f"{API}/attachments", cast.buyer.token, data=data, headers=headers)
    assert response.status_code == 201, response.text
    assert len(response.json()["filename"]) == 255


# -- JSON shape and size -----------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_json_nested_too_deep_is_a_bad_request(api, cast, problem, place_order, snapshot, depth):
    order = place_order()
    before = snapshot(order)
    nested = "[" * depth + "]" * depth
    for path, who, text in ((f"{API}/orders", cast.platform, nested),
                            (f"{API}/orders/{order['id']}/actions/submit_requirement", cast.buyer,
                             '{"data": {"description": ' + nested + '}, "attachments": []}')):
        problem(api.post(path, who.token, data=text, headers={"Content-Type": "application/json"}), 400, "bad_request")
    assert snapshot(order) == before


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_literals_are_not_json(api, cast, problem, literal):
    response = api.post(f"{API}/process-definitions/manual_service_general/current", cast.analyst.token,
                        data='{"version": %s}' % literal, headers={"Content-Type": "application/json"})
    problem(response, 400, "bad_request")


def test_a_json_body_over_one_mebibyte_is_payload_too_large(api, cast, problem):
    body = order_body(cast.buyer.name, cast.seller.name)
    body["product"]["spec"] = "x" * (1024 * 1024)
    problem(api.post(f"{API}/orders", cast.platform.token, json=body), 413, "payload_too_large")


# -- attachment ids per call --------------------------------------------------------------------------
def test_twenty_one_of_ones_own_attachments_on_an_action_are_422_naming_attachments(
        api, cast, problem, place_order, upload, snapshot):
    order = place_order()
    before = snapshot(order)
    ids = [upload(cast.buyer, content=f"doc {i}".encode()) for i in range(21)]
    response = api.post(f"{API}/orders/{order['id']}/actions/submit_requirement", cast.buyer.token,
                        json={"data": {"description": "x"}, "attachments": ids})
    assert _named(problem(response, 422, "validation_failed"), "attachments")
    assert snapshot(order) == before
    response = api.post(f"{API}/orders/{order['id']}/appeals", cast.buyer.token,
                        json={"reason": "late", "demand": "refund", "attachments": ids})
    assert _named(problem(response, 422, "validation_failed"), "attachments")
    assert snapshot(order) == before


def test_a_hundred_thousand_attachment_ids_are_refused_at_once(api, cast, problem, place_order, snapshot):
    order = place_order()
    before = snapshot(order)
    started = time.monotonic()
    response = api.post(f"{API}/orders/{order['id']}/actions/submit_requirement", cast.buyer.token,
                        json={"data": {"description": "x"}, "attachments": [str(i) for i in range(100_000)]})
    assert _named(problem(response, 422, "validation_failed"), "attachments")
    assert time.monotonic() - started < 10  # 14 s (SQLite) and 26 s (PostgreSQL) when each id was looked up
    assert snapshot(order) == before


def _attachment_statements(app, run) -> int:
    with recorded_statements() as seen:
        run()
    return sum(1 for statement in seen if "attachment" in statement.lower())


def test_linking_twenty_attachments_costs_the_statements_one_does(app, api, cast, place_order, upload):
    counts = []
    for many in (1, 20):
        order, ids = place_order(), [upload(cast.buyer, content=f"doc {i}".encode()) for i in range(many)]
        path = f"{API}/orders/{order['id']}/actions/submit_requirement"
        counts.append(_attachment_statements(app, lambda: api.post(
            path, cast.buyer.token, json={"data": {"description": "x"}, "attachments": ids})))
        assert all(api.get(f"{API}/attachments/{i}", cast.seller.token).status_code == 200 for i in ids)
    assert counts[0] == counts[1], counts
