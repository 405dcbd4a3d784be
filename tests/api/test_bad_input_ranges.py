"""Numbers, money, pages, versions, times and periods beyond their types are a 4xx problem that
changes nothing (never a 500 now, nor a listing that fails later), on SQLite and PostgreSQL alike."""
import re

import pytest

from tests.conftest import order_body

API = "/api/v1"
ORDERS = f"{API}/orders"


def _named(body: dict, field: str) -> list:
    return [key for key in body.get("errors") or {} if key == field or key.startswith(f"{field}.")]


def _refused_placement(api, cast, problem, change, field) -> None:
    body = order_body(cast.buyer.name, cast.seller.name)
    valid = order_body(cast.buyer.name, cast.seller.name)
    valid["order_no"] = body["order_no"]
    change(body)
    refused = problem(api.post(ORDERS, cast.platform.token, json=body), 422, "validation_failed")
    assert _named(refused, field), refused
    assert api.post(ORDERS, cast.platform.token, json=valid).status_code == 201  # the order_no is still free


# -- money --------------------------------------------------------------------------------------------
BAD_MONEY = ["1e20", "99999999999.99", "1e309", "-0", "-1.00", " 1.00", "1.00 ", "1.00\n", "１.００", "NaN",
             "Infinity", "1E+2", "1.005", "", ".50", "1,000.00", "0x10", "1_000.00", 1000, 1000.0, None]


@pytest.mark.parametrize("amount", BAD_MONEY, ids=[repr(a) for a in BAD_MONEY])
def test_amount_paid_that_is_not_plain_money_is_422_naming_it(api, cast, problem, amount):
    _refused_placement(api, cast, problem, lambda b: b.update(amount_paid=amount), "amount_paid")


@pytest.mark.parametrize("amount", ["1e20", "１.００", "-0"])
def test_a_milestone_amount_that_is_not_plain_money_is_422(api, cast, problem, amount):
    milestones = [{"name": "a", "amount": amount}, {"name": "b", "amount": "1000.00"}]
    _refused_placement(api, cast, problem, lambda b: b.update(milestones=milestones), "milestones")


@pytest.mark.parametrize("amount,shown", [("9999999999.99", "9999999999.99"), ("0.00", "0.00"), ("12.5", "12.50"),
                                          ("7", "7.00")])
def test_money_at_the_edges_of_the_column_is_taken_and_shown_with_two_places(place_order, cast, amount, shown):
    body = order_body(cast.buyer.name, cast.seller.name)
    body["amount_paid"] = amount
    assert place_order(body)["amount_paid"] == shown


def test_a_refund_amount_that_is_not_plain_money_is_422(api, cast, problem):
    response = api.post(f"{API}/appeals/any/resolve", cast.ops.token,
                        json={"outcome": "close_with_refund", "refund_amount": "1e20"})
    assert _named(problem(response, 422, "validation_failed"), "refund_amount")


def test_money_is_a_string_with_a_pattern_in_the_openapi_document(api):
    schemas = api.get("/api/openapi.json").json()["components"]["schemas"]
    for schema, field in (("OrderCreate", "amount_paid"), ("Order", "amount_paid"), ("Milestone", "amount")):
        money = schemas[schema]["properties"][field]
        assert money["type"] == "string", money
        assert re.fullmatch(money["pattern"], money["example"]), money
        assert not re.fullmatch(money["pattern"], "1e20") and not re.fullmatch(money["pattern"], "99999999999.99")


# -- pages and versions -------------------------------------------------------------------------------
LISTS = [("/orders", "ops"), ("/tasks", "buyer"), ("/appeals", "ops")]


@pytest.mark.parametrize("path,role", LISTS, ids=[p for p, _ in LISTS])
@pytest.mark.parametrize("params,field", [({"page": 10**30}, "page"), ({"page": 2**63 - 1}, "page"),
                                          ({"page": 1_000_001}, "page"), ({"page_size": 10**20}, "page_size")],
                         ids=["page 10**30", "page 2**63-1", "page 1000001", "page_size 10**20"])
def test_a_page_beyond_the_documented_range_is_422_naming_it(api, cast, problem, path, role, params, field):
    response = api.get(f"{API}{path}", getattr(cast, role).token, params=params)
    assert _named(problem(response, 422, "validation_failed"), field)


def test_the_last_allowed_page_is_an_empty_list(api, cast):
    response = api.get(ORDERS, cast.ops.token, params={"page": 1_000_000, "page_size": 100})
    assert (response.status_code, response.json()) == (200, [])


@pytest.mark.parametrize("path,body,field", [
    ("/current", {"version": 2**63}, "version"), ("/current", {"version": 1e20}, "version"),
    ("/current", {"version": 2**31}, "version"),
    ("/migrations", {"from_version": 2**63, "to_version": 1}, "from_version"),
    ("/migrations", {"from_version": 1, "to_version": 10**30}, "to_version"),
], ids=["current 2**63", "current 1e20", "current 2**31", "migration from", "migration to"])
def test_a_version_beyond_int32_is_422_naming_it(api, cast, problem, path, body, field):
    response = api.post(f"{API}/process-definitions/manual_service_general{path}", cast.analyst.token, json=body)
    assert _named(problem(response, 422, "validation_failed"), field)


@pytest.mark.parametrize("version", [2**31, 2**63, 10**30])
def test_a_version_beyond_int32_in_the_path_is_not_found(api, cast, problem, version):
    problem(api.get(f"{API}/process-definitions/manual_service_general/versions/{version}", cast.analyst.token), 404,
            "not_found")


# -- times and periods --------------------------------------------------------------------------------
BAD_PAID_AT = ["0001-01-01T00:00+14:00", "9999-12-31T23:59:59-12:00", "1999-12-31T23:59:59+00:00",
               "2000-01-01T08:00:00+09:00", "2026-01-05T08:00:00", "2026-01-05"]


@pytest.mark.parametrize("paid_at", BAD_PAID_AT)
def test_paid_at_outside_the_allowed_range_or_without_offset_is_422(api, cast, problem, paid_at):
    _refused_placement(api, cast, problem, lambda b: b.update(paid_at=paid_at), "paid_at")


@pytest.mark.parametrize("period", ["P9999Y", "P11Y", "P121M", "P3654D", "P99999999999999999999D", "P0D", "P1H"])
def test_a_billing_period_over_ten_years_or_not_a_period_is_422(api, cast, problem, period):
    _refused_placement(api, cast, problem, lambda b: b.update(billing={"mode": "periodic", "period": period}),
                       "billing.period")


@pytest.mark.parametrize("period", ["P10Y", "P120M", "P3653D", "P1M"])
def test_a_billing_period_of_up_to_ten_years_is_taken(place_order, cast, period):
    body = order_body(cast.buyer.name, cast.seller.name)
    body["billing"] = {"mode": "periodic", "period": period}
    assert place_order(body)["billing"]["period"] == period


def test_a_far_future_logistics_update_is_422_and_changes_nothing(api, cast, problem, snapshot):
    body = order_body(cast.buyer.name, cast.seller.name, delivery_type="hardware", manual_kind=None)
    order = api.post(ORDERS, cast.platform.token, json=body).json()
    before = snapshot(order)
    response = api.post(f"{ORDERS}/{order['id']}/logistics", cast.platform.token,
                        json={"status": "signed", "at": "9999-12-25T00:00:00+00:00", "recipient_phone": "+8613800000000"})
    assert _named(problem(response, 422, "validation_failed"), "at")
    assert snapshot(order) == before


def test_a_far_future_real_effect_time_is_422(api, cast, problem):
    response = api.post(f"{API}/authcodes/ANY/activate", cast.seller.token, json={"real_effect_time": "9999-12-31T00:00:00+00:00"})
    assert _named(problem(response, 422, "validation_failed"), "real_effect_time")


def test_a_far_future_actual_start_time_is_422_and_changes_nothing(api, cast, problem, place_order, walk, upload,
                                                                   snapshot):
    order = walk(place_order(), "deliver")
    before = snapshot(order)
    response = api.post(f"{ORDERS}/{order['id']}/actions/deliver", cast.seller.token,
                        json={"data": {"actual_start_time": "9999-12-31T00:00:00+00:00"},
                              "attachments": [upload(cast.seller)]})
    assert _named(problem(response, 422, "validation_failed"), "actual_start_time")
    assert snapshot(order) == before


@pytest.mark.parametrize("change,field", [({"set": "0001-01-01T00:00:00+14:00"}, "set"),
                                          ({"set": "9999-12-31T00:00:00+00:00"}, "set"),
                                          ({"advance": "P99999999Y"}, "advance"), ({"advance": "P8000Y"}, "advance")],
                         ids=["set year 1", "set year 9999", "advance P99999999Y", "advance P8000Y"])
def test_the_testing_clock_refuses_times_past_its_range(api, clock, problem, change, field):
    now = clock(set="2026-03-01T10:00:00+00:00")
    assert _named(problem(api.post(f"{API}/testing/clock", json=change), 422, "validation_failed"), field)
    assert clock() == now


def test_an_order_stored_with_a_period_beyond_the_calendar_still_lists(api, cast, place_order, walk, act, query_db):
    order = walk(place_order(), "confirm_acceptance")
    assert act(cast.buyer, order, "accept").status_code == 200

    def overflow(session):  # a row written before periods were bounded
        from app.models import Order
        row = session.get(Order, order["id"])
        row.billing = {"mode": "periodic", "period": "P9999Y"}

    query_db(overflow)
    for who in (cast.buyer, cast.seller, cast.ops):
        listed = api.get(ORDERS, who.token)
        assert listed.status_code == 200, listed.text
        assert [o["validity"]["end"] for o in listed.json() if o["id"] == order["id"]] == [None]


# -- diagrams whose ids, names or SLAs no column or calendar could hold -------------------------------
def _diagram(change) -> bytes:
    from pathlib import Path
    return change((Path(__file__).resolve().parents[2] / "bpmn" / "data_file.bpmn").read_text()).encode()


DIAGRAMS = {
    "task name of 300 characters": lambda x: re.sub(r'(<bpmn:userTask id="submit_requirement" name=")[^"]*',
                                                    lambda m: m.group(1) + "N" * 300, x, count=1),
    "process id of 150 characters": lambda x: x.replace('id="data_file"', 'id="' + "d" * 150 + '"'),
    "sla of 9999 years": lambda x: x.replace('name="sla" value="P5D"', 'name="sla" value="P9999Y"'),
    "sla of 11 years": lambda x: x.replace('name="sla" value="P5D"', 'name="sla" value="P11Y"'),
}


@pytest.mark.parametrize("case", DIAGRAMS, ids=list(DIAGRAMS))
def test_a_diagram_that_would_not_fit_the_columns_or_the_calendar_is_invalid_bpmn(api, cast, problem, case):
    xml = _diagram(DIAGRAMS[case])
    assert xml != _diagram(lambda x: x)
    before = api.get(f"{API}/process-definitions", cast.analyst.token).json()
    response = api.post(f"{API}/process-definitions", cast.analyst.token, data=xml,
                        headers={"Content-Type": "application/xml"})
    assert problem(response, 422, "invalid_bpmn")["errors"], response.text
    assert api.get(f"{API}/process-definitions", cast.analyst.token).json() == before
