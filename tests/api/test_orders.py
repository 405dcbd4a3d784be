"""POST /orders, GET /orders and GET /orders/{id}: placement, idempotency, routing, validation,
listing (scoping, order, filters, pagination) and the validity period, through real HTTP."""
import copy
import json
import uuid
from datetime import datetime, timedelta

import pytest

from tests.conftest import order_body

ORDERS = "/api/v1/orders"


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _pagination(response) -> dict:
    assert "X-Pagination" in response.headers, dict(response.headers)
    return json.loads(response.headers["X-Pagination"])


def _all_order_nos(api, principal, **params) -> list[str]:
    """Every order_no the principal can list, following the pages."""
    seen, page = [], 1
    while True:
        response = api.get(ORDERS, principal.token, params={**params, "page": page, "page_size": 100})
        assert response.status_code == 200, response.text
        seen += [o["order_no"] for o in response.json()]
        if page * 100 >= _pagination(response)["total"]:
            return seen
        page += 1


def _list(api, principal, **params) -> list[dict]:
    response = api.get(ORDERS, principal.token, params=params)
    assert response.status_code == 200, response.text
    return response.json()


# -- placement ---------------------------------------------------------------------------------------

def test_placing_a_manual_service_order_answers_201_with_the_order_resource(api, cast):
    body = order_body(cast.buyer.name, cast.seller.name)
    response = api.post(ORDERS, cast.platform.token, json=body)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["id"]
    assert (order["order_no"], order["buyer"], order["seller"]) == (body["order_no"], cast.buyer.name,
                                                                     cast.seller.name)
    assert (order["status"], order["delivery_type"]) == ("processing", "manual_service")
    assert order["frozen"] is False
    assert order["open_appeal"] is None
    assert order["rejection_count"] == 0
    assert order["validity"] == {"start": None, "end": None}
    assert order["completed_at"] is None
    assert order["created_at"]


def test_a_placed_general_manual_service_order_runs_the_general_process_at_a_deployed_version(place_order):
    process = place_order()["process"]
    assert process["key"] == "manual_service_general"
    assert isinstance(process["version"], int) and process["version"] >= 1


def test_a_placed_order_waits_for_the_buyer_to_submit_the_requirement(place_order):
    nodes = place_order()["nodes"]
    assert len(nodes) == 1
    node = nodes[0]
    assert (node["id"], node["name"], node["name_zh"], node["role"]) == (
        "submit_requirement", "User submits requirement", "用户提交需求", "buyer")
    assert node["task_id"]
    assert node["since"]


def test_the_platform_placing_an_order_is_offered_no_actions(place_order):
    assert place_order()["available_actions"] == []


def test_the_buyer_of_a_new_order_is_offered_submit_requirement_on_the_node_task(api, place_order, cast):
    order = place_order()
    seen = api.get(f"{ORDERS}/{order['id']}", cast.buyer.token).json()
    assert seen["available_actions"] == [{"action": "submit_requirement", "task_id": order["nodes"][0]["task_id"]}]


def test_the_seller_of_a_new_order_is_offered_no_actions(api, place_order, cast):
    order = place_order()
    assert api.get(f"{ORDERS}/{order['id']}", cast.seller.token).json()["available_actions"] == []


def test_a_placed_order_shows_amount_paid_as_a_two_place_decimal_string(place_order, cast):
    body = order_body(cast.buyer.name, cast.seller.name)
    body["amount_paid"] = "1000"
    assert place_order(body)["amount_paid"] == "1000.00"


def test_placing_the_same_body_again_returns_200_with_the_same_order(api, cast):
    body = order_body(cast.buyer.name, cast.seller.name)
    first = api.post(ORDERS, cast.platform.token, json=body)
    again = api.post(ORDERS, cast.platform.token, json=copy.deepcopy(body))
    assert first.status_code == 201, first.text
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]


def test_placing_the_same_body_again_does_not_start_a_second_process(api, cast):
    body = order_body(cast.buyer.name, cast.seller.name)
    first = api.post(ORDERS, cast.platform.token, json=body).json()
    api.post(ORDERS, cast.platform.token, json=body)
    assert [o["id"] for o in _list(api, cast.buyer)] == [first["id"]]
    history = api.get(f"{ORDERS}/{first['id']}/history", cast.ops.token).json()
    assert [e["type"] for e in history].count("order_placed") == 1


def test_placing_a_different_body_with_a_used_order_no_is_a_409_conflict(api, cast, problem):
    body = order_body(cast.buyer.name, cast.seller.name)
    first = api.post(ORDERS, cast.platform.token, json=body)
    assert first.status_code == 201
    changed = {**copy.deepcopy(body), "amount_paid": "999.00"}
    problem(api.post(ORDERS, cast.platform.token, json=changed), 409, "conflict")


def test_a_conflicting_placement_leaves_the_existing_order_as_it_was(api, cast):
    body = order_body(cast.buyer.name, cast.seller.name)
    first = api.post(ORDERS, cast.platform.token, json=body).json()
    api.post(ORDERS, cast.platform.token, json={**copy.deepcopy(body), "buyer": cast.other_buyer.name})
    after = api.get(f"{ORDERS}/{first['id']}", cast.ops.token).json()
    assert (after["buyer"], after["amount_paid"]) == (cast.buyer.name, "1000.00")
    assert _list(api, cast.other_buyer) == []


@pytest.mark.parametrize("product", [{"delivery_type": "image"}, {"delivery_type": "api"},
                                     {"delivery_type": "container"}, {"supervised": False}],
                         ids=["image", "api", "container", "supervised-false"])
def test_an_unsupervised_order_is_completed_at_once(place_order, product):
    order = place_order(**product)
    assert order["status"] == "completed"
    assert order["completed_at"]


@pytest.mark.parametrize("product", [{"delivery_type": "image"}, {"supervised": False}],
                         ids=["image", "supervised-false"])
def test_an_unsupervised_order_shows_the_service_completed_node_and_no_actions(api, place_order, cast, product):
    order = place_order(**product)
    seen = api.get(f"{ORDERS}/{order['id']}", cast.buyer.token).json()
    assert [(n["id"], n["name_zh"]) for n in seen["nodes"]] == [("service_completed", "服务完成")]
    assert seen["available_actions"] == []


def test_a_site_building_manual_service_order_runs_the_site_building_process(place_order):
    order = place_order(manual_kind="site_building")
    assert order["process"]["key"] == "manual_service_site_building_general"
    assert order["nodes"][0]["id"] == "submit_requirement"


@pytest.mark.parametrize("goods_class", ["joint", "huawei"])
def test_joint_and_huawei_goods_run_the_joint_process(place_order, goods_class):
    order = place_order(goods_class=goods_class, scenario="base")
    assert order["process"]["key"] == "manual_service_joint"
    assert order["nodes"][0]["id"] == "submit_requirement"


def test_milestones_that_add_up_to_the_amount_paid_are_accepted_and_shown(place_order, cast):
    body = order_body(cast.buyer.name, cast.seller.name)
    body["milestones"] = [{"name": "phase 1", "amount": "400.00"}, {"name": "phase 2", "amount": "600.00"}]
    order = place_order(body)
    assert [m["amount"] for m in order["milestones"]] == ["400.00", "600.00"]


# -- validation ----------------------------------------------------------------------------------------

def _without(path: str):
    def change(body):
        *parents, leaf = path.split(".")
        target = body
        for key in parents:
            target = target[key]
        del target[leaf]
    return change


def _setting(path: str, value):
    def change(body):
        *parents, leaf = path.split(".")
        target = body
        for key in parents:
            target = target[key]
        target[leaf] = value
    return change


INVALID_BODIES = {
    # name: (change to a valid body, the field `errors` must name: a dotted path for nested fields)
    "missing order_no": (_without("order_no"), "order_no"),
    "missing buyer": (_without("buyer"), "buyer"),
    "missing seller": (_without("seller"), "seller"),
    "missing product": (_without("product"), "product"),
    "missing billing": (_without("billing"), "billing"),
    "missing amount_paid": (_without("amount_paid"), "amount_paid"),
    "missing paid_at": (_without("paid_at"), "paid_at"),
    "missing delivery_type": (_without("product.delivery_type"), "product.delivery_type"),
    "missing billing mode": (_without("billing.mode"), "billing.mode"),
    "unknown delivery_type": (_setting("product.delivery_type", "carrier_pigeon"), "product.delivery_type"),
    "unknown manual_kind": (_setting("product.manual_kind", "deluxe"), "product.manual_kind"),
    "unknown goods_class": (_setting("product.goods_class", "premium"), "product.goods_class"),
    "unknown scenario": (_setting("product.scenario", "moon"), "product.scenario"),
    "unknown billing mode": (_setting("billing.mode", "weekly"), "billing.mode"),
    "milestones not adding up": (_setting("milestones", [{"name": "a", "amount": "400.00"},
                                                         {"name": "b", "amount": "500.00"}]), "milestones"),
    "milestone without amount": (_setting("milestones", [{"name": "a"}, {"name": "b", "amount": "1000.00"}]),
                                 "milestones"),
    "unknown top-level field": (_setting("coupon", "SAVE10"), "coupon"),
    "unknown product field": (_setting("product.colour", "red"), "product.colour"),
    "paid_at in the future": (_setting("paid_at", "2999-01-01T00:00:00+00:00"), "paid_at"),
    "paid_at without offset": (_setting("paid_at", "2026-01-05T08:00:00"), "paid_at"),
    "amount_paid not a number": (_setting("amount_paid", "a lot"), "amount_paid"),
    "amount_paid with three decimal places": (_setting("amount_paid", "1000.005"), "amount_paid"),
    "negative amount_paid": (_setting("amount_paid", "-1.00"), "amount_paid"),
    "hardware without recipient": (lambda b: (b["product"].update(delivery_type="hardware"),
                                              b.pop("recipient")), "recipient"),
}


@pytest.mark.parametrize("case", INVALID_BODIES, ids=list(INVALID_BODIES))
def test_an_invalid_placement_is_422_validation_failed_naming_the_field(api, cast, problem, case):
    change, field = INVALID_BODIES[case]
    body = order_body(cast.buyer.name, cast.seller.name)
    change(body)
    refused = problem(api.post(ORDERS, cast.platform.token, json=body), 422, "validation_failed")
    errors = refused.get("errors")
    assert isinstance(errors, dict), refused
    # {field: [messages]}; nested fields by dotted path (a list item may add its index: milestones.0.amount)
    named = {key: messages for key, messages in errors.items() if key == field or key.startswith(f"{field}.")}
    assert named, errors
    assert all(isinstance(messages, list) and messages for messages in named.values()), errors


@pytest.mark.parametrize("case", INVALID_BODIES, ids=list(INVALID_BODIES))
def test_a_refused_placement_creates_no_order(api, cast, case):
    change, _ = INVALID_BODIES[case]
    body = order_body(cast.buyer.name, cast.seller.name)
    valid = copy.deepcopy(body)
    change(body)
    assert api.post(ORDERS, cast.platform.token, json=body).status_code == 422
    assert _list(api, cast.buyer) == []
    # the order_no is still free: the valid body is a first placement, not a replay or a conflict
    assert api.post(ORDERS, cast.platform.token, json=valid).status_code == 201


def test_a_refused_placement_is_not_listed_for_operations_or_the_platform(api, cast):
    body = order_body(cast.buyer.name, cast.seller.name, delivery_type="carrier_pigeon")
    assert api.post(ORDERS, cast.platform.token, json=body).status_code == 422
    assert body["order_no"] not in _all_order_nos(api, cast.ops)
    assert body["order_no"] not in _all_order_nos(api, cast.platform)


def test_a_placement_that_is_not_json_is_400_bad_request(api, cast, problem):
    response = api.post(ORDERS, cast.platform.token, data="order_no=1",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    problem(response, 400, "bad_request")


def test_a_placement_with_malformed_json_is_400_bad_request(api, cast, problem):
    response = api.post(ORDERS, cast.platform.token, data="{\"order_no\": ",
                        headers={"Content-Type": "application/json"})
    problem(response, 400, "bad_request")


# -- listing -------------------------------------------------------------------------------------------

def _place_for(api, cast, buyer, seller, clock, **product) -> dict:
    """Place an order a minute after the previous one, so `newest first` is well defined."""
    clock(advance="PT1M")
    response = api.post(ORDERS, cast.platform.token, json=order_body(buyer.name, seller.name, **product))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def three_orders(api, cast, clock):
    """Two orders of the cast's buyer and seller, one of the other buyer with the other seller."""
    mine = [_place_for(api, cast, cast.buyer, cast.seller, clock) for _ in range(2)]
    theirs = _place_for(api, cast, cast.other_buyer, cast.other_seller, clock)
    return mine, theirs


def test_a_buyer_lists_only_their_own_orders(api, cast, three_orders):
    mine, _ = three_orders
    assert {o["id"] for o in _list(api, cast.buyer)} == {o["id"] for o in mine}


def test_a_seller_lists_only_their_own_orders(api, cast, three_orders):
    _, theirs = three_orders
    assert [o["id"] for o in _list(api, cast.other_seller)] == [theirs["id"]]


def test_operations_list_every_buyers_orders(api, cast, three_orders):
    mine, theirs = three_orders
    listed = set(_all_order_nos(api, cast.ops))
    assert {o["order_no"] for o in [*mine, theirs]} <= listed


def test_orders_are_listed_newest_first(api, cast, three_orders):
    mine, _ = three_orders
    assert [o["id"] for o in _list(api, cast.buyer)] == [mine[1]["id"], mine[0]["id"]]


def test_listed_orders_carry_the_order_resource(api, cast, three_orders):
    listed = _list(api, cast.buyer)[0]
    for member in ("id", "order_no", "status", "delivery_type", "buyer", "seller", "process", "nodes", "frozen",
                   "rejection_count", "available_actions", "validity", "created_at"):
        assert member in listed, member
    assert listed["available_actions"][0]["action"] == "submit_requirement"


def test_the_status_filter_lists_only_orders_in_that_status(api, cast, clock):
    running = _place_for(api, cast, cast.buyer, cast.seller, clock)
    done = _place_for(api, cast, cast.buyer, cast.seller, clock, delivery_type="image")
    assert [o["id"] for o in _list(api, cast.buyer, status="completed")] == [done["id"]]
    assert [o["id"] for o in _list(api, cast.buyer, status="processing")] == [running["id"]]


def test_the_delivery_type_filter_lists_only_orders_of_that_type(api, cast, clock):
    manual = _place_for(api, cast, cast.buyer, cast.seller, clock)
    _place_for(api, cast, cast.buyer, cast.seller, clock, delivery_type="image")
    assert [o["id"] for o in _list(api, cast.buyer, delivery_type="manual_service")] == [manual["id"]]


def test_the_node_filter_lists_only_orders_waiting_at_that_node(api, cast, clock, walk):
    waiting = _place_for(api, cast, cast.buyer, cast.seller, clock)
    delivering = walk(_place_for(api, cast, cast.buyer, cast.seller, clock), "deliver")
    assert [o["id"] for o in _list(api, cast.buyer, node="deliver")] == [delivering["id"]]
    assert [o["id"] for o in _list(api, cast.buyer, node="submit_requirement")] == [waiting["id"]]


def test_the_service_completed_node_filter_lists_finished_orders(api, cast, clock):
    _place_for(api, cast, cast.buyer, cast.seller, clock)
    finished = _place_for(api, cast, cast.buyer, cast.seller, clock, delivery_type="image")
    assert [o["id"] for o in _list(api, cast.buyer, node="service_completed")] == [finished["id"]]


def test_the_pagination_header_carries_the_contracts_pages_count(api, cast, clock):
    for _ in range(3):
        _place_for(api, cast, cast.buyer, cast.seller, clock)
    meta = _pagination(api.get(ORDERS, cast.buyer.token, params={"page_size": 2}))
    assert (meta["total"], meta["page"], meta["pages"]) == (3, 1, 2)


def test_the_frozen_filter_separates_orders_under_appeal(api, cast, clock):
    calm = _place_for(api, cast, cast.buyer, cast.seller, clock)
    appealed = _place_for(api, cast, cast.buyer, cast.seller, clock)
    opened = api.post(f"{ORDERS}/{appealed['id']}/appeals", cast.buyer.token,
                      json={"reason": "no answer", "demand": "refund"})
    assert opened.status_code == 201, opened.text
    assert [o["id"] for o in _list(api, cast.buyer, frozen="true")] == [appealed["id"]]
    assert [o["id"] for o in _list(api, cast.buyer, frozen="false")] == [calm["id"]]


def test_an_unknown_status_filter_is_422(api, cast, problem):
    problem(api.get(ORDERS, cast.buyer.token, params={"status": "lost"}), 422, "validation_failed")


def test_the_order_list_is_paginated_with_an_x_pagination_header(api, cast, clock):
    placed = [_place_for(api, cast, cast.buyer, cast.seller, clock) for _ in range(3)]
    first = api.get(ORDERS, cast.buyer.token, params={"page": 1, "page_size": 2})
    second = api.get(ORDERS, cast.buyer.token, params={"page": 2, "page_size": 2})
    assert [o["id"] for o in first.json()] == [placed[2]["id"], placed[1]["id"]]
    assert [o["id"] for o in second.json()] == [placed[0]["id"]]
    meta = _pagination(first)
    assert (meta["total"], meta["page"]) == (3, 1)
    assert meta.get("pages", meta.get("total_pages")) == 2


def test_the_order_list_has_a_page_size_of_20_by_default(api, cast):
    for _ in range(21):
        api.post(ORDERS, cast.platform.token, json=order_body(cast.buyer.name, cast.seller.name))
    response = api.get(ORDERS, cast.buyer.token)
    assert len(response.json()) == 20
    assert _pagination(response)["total"] == 21


def test_a_page_size_of_100_is_allowed(api, cast):
    assert api.get(ORDERS, cast.buyer.token, params={"page_size": 100}).status_code == 200


def test_a_page_size_over_100_is_422(api, cast, problem):
    problem(api.get(ORDERS, cast.buyer.token, params={"page_size": 101}), 422, "validation_failed")


def test_page_zero_is_422(api, cast, problem):
    problem(api.get(ORDERS, cast.buyer.token, params={"page": 0}), 422, "validation_failed")


def test_a_page_past_the_end_is_empty(api, cast, clock):
    _place_for(api, cast, cast.buyer, cast.seller, clock)
    response = api.get(ORDERS, cast.buyer.token, params={"page": 5, "page_size": 10})
    assert response.status_code == 200
    assert response.json() == []


# -- detail ---------------------------------------------------------------------------------------------

def test_an_unknown_order_id_is_404_not_found(api, cast, problem):
    problem(api.get(f"{ORDERS}/{uuid.uuid4()}", cast.ops.token), 404, "not_found")


def test_an_unknown_order_id_is_404_for_a_buyer_too(api, cast, problem):
    problem(api.get(f"{ORDERS}/no-such-order", cast.buyer.token), 404, "not_found")


def test_the_history_of_an_unknown_order_is_404(api, cast, problem):
    problem(api.get(f"{ORDERS}/{uuid.uuid4()}/history", cast.ops.token), 404, "not_found")


def test_a_new_order_history_starts_with_order_placed_by_the_platform(api, place_order, cast):
    order = place_order()
    events = api.get(f"{ORDERS}/{order['id']}/history", cast.buyer.token).json()
    assert events[0]["type"] == "order_placed"
    assert events[0]["actor"]["name"] == cast.platform.name
    for member in ("seq", "at", "actor", "type", "node", "action", "data", "attachments", "hash"):
        assert member in events[0], member


# -- validity ---------------------------------------------------------------------------------------------

ACCEPTED_AT = "2026-03-10T12:00:00+00:00"


@pytest.fixture
def at_acceptance(clock, place_order, walk, act, cast, upload):
    """deliver_and_accept(actual_start_time=None, **product) -> the order after the buyer accepted at ACCEPTED_AT."""

    def run(actual_start_time: str | None = None, body: dict | None = None) -> dict:
        clock(set=ACCEPTED_AT)
        order = walk(place_order(body), "deliver")
        data = {"note": "done", **({"actual_start_time": actual_start_time} if actual_start_time else {})}
        delivered = act(cast.seller, order, "deliver", data, [upload(cast.seller)])
        assert delivered.status_code == 200, delivered.text
        accepted = act(cast.buyer, delivered.json(), "accept")
        assert accepted.status_code == 200, accepted.text
        return accepted.json()

    return run


def test_validity_starts_at_the_sellers_actual_start_time(at_acceptance):
    validity = at_acceptance("2026-02-01T09:30:00+00:00")["validity"]
    assert _at(validity["start"]) == _at("2026-02-01T09:30:00+00:00")


def test_validity_ends_one_period_after_the_sellers_actual_start_time(at_acceptance):
    validity = at_acceptance("2026-02-01T09:30:00+00:00")["validity"]
    assert _at(validity["end"]) == _at("2026-03-01T09:30:00+00:00")


def test_validity_starts_at_acceptance_when_the_seller_gave_no_start_time(at_acceptance):
    validity = at_acceptance()["validity"]
    assert _at(validity["start"]) == _at(ACCEPTED_AT)
    assert _at(validity["end"]) == _at("2026-04-10T12:00:00+00:00")


def test_a_yearly_period_ends_one_year_after_the_start(at_acceptance, cast):
    body = order_body(cast.buyer.name, cast.seller.name)
    body["billing"] = {"mode": "periodic", "period": "P1Y"}
    validity = at_acceptance(body=body)["validity"]
    assert _at(validity["end"]) == _at(ACCEPTED_AT) + timedelta(days=365)


def test_validity_is_empty_before_acceptance_even_with_an_actual_start_time(clock, place_order, walk, act, cast,
                                                                            upload):
    clock(set=ACCEPTED_AT)
    order = walk(place_order(), "deliver")
    delivered = act(cast.seller, order, "deliver", {"actual_start_time": "2026-02-01T09:30:00+00:00"},
                    [upload(cast.seller)])
    assert delivered.status_code == 200, delivered.text
    assert delivered.json()["nodes"][0]["id"] == "confirm_acceptance"
    assert delivered.json()["validity"] == {"start": None, "end": None}


def test_an_actual_start_time_given_in_another_offset_is_the_same_instant(at_acceptance):
    validity = at_acceptance("2026-02-01T17:30:00+08:00")["validity"]
    assert _at(validity["start"]) == _at("2026-02-01T09:30:00+00:00")


def test_times_in_the_order_resource_carry_an_offset(at_acceptance):
    order = at_acceptance("2026-02-01T09:30:00+00:00")
    for when in (order["created_at"], order["paid_at"], order["completed_at"], order["validity"]["start"],
                 order["validity"]["end"]):
        assert _at(when).utcoffset() is not None, when


def test_a_one_off_order_has_no_validity_period_after_acceptance(at_acceptance, cast):
    body = order_body(cast.buyer.name, cast.seller.name)
    body["billing"] = {"mode": "one_off"}
    assert at_acceptance(body=body)["validity"] == {"start": None, "end": None}
