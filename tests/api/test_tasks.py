"""GET /tasks (the caller's inbox) and POST /tasks/{task_id}/complete, through real HTTP."""
import json
import uuid
from datetime import datetime, timedelta

import pytest

from tests.conftest import order_body
from tests.helpers import assert_names_field, ok

TASKS = "/api/v1/tasks"
ORDERS = "/api/v1/orders"


def _inbox(api, who, **params) -> list[dict]:
    response = api.get(TASKS, who.token, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _whole_inbox(api, who, **params) -> list[dict]:
    """Every page of the inbox (reviewers see tasks of every order in the database)."""
    tasks, page = [], 1
    while True:
        response = api.get(TASKS, who.token, params={**params, "page": page, "page_size": 100})
        assert response.status_code == 200, response.text
        tasks += response.json()
        if page * 100 >= json.loads(response.headers["X-Pagination"])["total"]:
            return tasks
        page += 1


def _complete(api, who, task_id, action, data=None, attachments=None):
    return api.post(f"{TASKS}/{task_id}/complete", who.token,
                    json={"action": action, "data": data or {}, "attachments": attachments or []})


@pytest.fixture
def reviewer(make_principal):
    return make_principal("reviewer", "base_manager")


# -- the inbox, per role ---------------------------------------------------------------------------------

def test_a_buyers_inbox_holds_the_requirement_task_of_a_new_order(api, place_order, cast):
    order = place_order()
    [task] = _inbox(api, cast.buyer)
    assert (task["id"], task["order_id"], task["node"]) == (order["nodes"][0]["task_id"], order["id"],
                                                            "submit_requirement")
    assert task["actions"] == ["submit_requirement"]


def test_an_inbox_task_names_its_order_node_and_labels(api, place_order, cast):
    order = place_order()
    [task] = _inbox(api, cast.buyer)
    assert (task["order_no"], task["delivery_type"]) == (order["order_no"], "manual_service")
    assert (task["name"], task["name_zh"], task["role"]) == ("User submits requirement", "用户提交需求", "buyer")
    assert task["created_at"]


def test_a_sellers_inbox_is_empty_while_the_buyer_has_to_act(api, place_order, cast):
    place_order()
    assert _inbox(api, cast.seller) == []


def test_a_sellers_inbox_holds_the_deliver_task_after_the_requirement(api, place_order, walk, cast):
    order = walk(place_order(), "deliver")
    [task] = _inbox(api, cast.seller)
    assert (task["id"], task["node"]) == (order["nodes"][0]["task_id"], "deliver")
    assert sorted(task["actions"]) == ["deliver", "return_requirement"]


def test_a_buyers_inbox_is_empty_while_the_seller_has_to_act(api, place_order, walk, cast):
    walk(place_order(), "deliver")
    assert _inbox(api, cast.buyer) == []


def test_a_buyer_does_not_see_another_buyers_tasks(api, place_order, cast):
    place_order()
    assert _inbox(api, cast.other_buyer) == []


def test_a_seller_does_not_see_another_sellers_tasks(api, place_order, walk, cast):
    walk(place_order(), "deliver")
    assert _inbox(api, cast.other_seller) == []


def test_a_reviewer_sees_a_review_task_of_their_review_role(api, place_order, walk, reviewer):
    order = walk(place_order(goods_class="joint", scenario="base"), "base_manager_review")
    task_ids = [t["id"] for t in _whole_inbox(api, reviewer)]
    assert order["nodes"][0]["task_id"] in task_ids


def test_a_reviewers_inbox_holds_only_tasks_of_their_review_role(api, place_order, walk, reviewer):
    walk(place_order(goods_class="joint", scenario="base"), "base_manager_review")
    tasks = _whole_inbox(api, reviewer)
    assert tasks
    assert {(t["role"], t["review_role"]) for t in tasks} == {("reviewer", "base_manager")}


def test_a_reviewer_of_another_review_role_does_not_see_the_task(api, place_order, walk, make_principal):
    order = walk(place_order(goods_class="joint", scenario="base"), "base_manager_review")
    for role in ("rep_office", "product_dept", "cloud_review"):
        task_ids = [t["id"] for t in _whole_inbox(api, make_principal("reviewer", role))]
        assert order["nodes"][0]["task_id"] not in task_ids, role


def test_a_review_task_leaves_the_reviewers_inbox_once_done(api, place_order, walk, act, reviewer):
    order = walk(place_order(goods_class="joint", scenario="base"), "base_manager_review")
    ok(act(reviewer, order, "review_approve"))
    assert order["nodes"][0]["task_id"] not in [t["id"] for t in _whole_inbox(api, reviewer)]


def test_a_buyer_with_several_orders_sees_one_task_per_order(api, place_order, cast):
    placed = {place_order()["id"] for _ in range(3)}
    assert {t["order_id"] for t in _inbox(api, cast.buyer)} == placed


# -- filters ------------------------------------------------------------------------------------------------

def test_the_delivery_type_filter_keeps_tasks_of_that_type(api, place_order, cast):
    order = place_order()
    assert [t["order_id"] for t in _inbox(api, cast.buyer, delivery_type="manual_service")] == [order["id"]]


def test_the_delivery_type_filter_drops_tasks_of_other_types(api, place_order, cast):
    place_order()
    assert _inbox(api, cast.buyer, delivery_type="license") == []


def test_the_node_filter_keeps_only_tasks_at_that_node(api, place_order, walk, cast):
    waiting = place_order()
    walk(place_order(), "confirm_acceptance")
    assert [t["order_id"] for t in _inbox(api, cast.buyer, node="submit_requirement")] == [waiting["id"]]
    assert [t["node"] for t in _inbox(api, cast.buyer, node="confirm_acceptance")] == ["confirm_acceptance"]


def test_a_deliver_task_is_due_five_days_after_it_became_ready(api, place_order, walk, cast, clock):
    clock(set="2026-03-10T12:00:00+00:00")
    walk(place_order(), "deliver")
    [task] = _inbox(api, cast.seller)
    assert datetime.fromisoformat(task["due_at"]) == datetime.fromisoformat("2026-03-10T12:00:00+00:00") \
        + timedelta(days=5)


def test_a_fresh_deliver_task_is_not_overdue(api, place_order, walk, cast):
    order = walk(place_order(), "deliver")
    assert _inbox(api, cast.seller, overdue="true") == []
    [task] = _inbox(api, cast.seller, overdue="false")
    assert (task["order_id"], task["overdue"]) == (order["id"], False)


def test_a_deliver_task_is_overdue_after_its_five_day_sla(api, place_order, walk, cast, clock):
    order = walk(place_order(), "deliver")
    clock(advance="P6D")
    [task] = _inbox(api, cast.seller, overdue="true")
    assert (task["order_id"], task["overdue"]) == (order["id"], True)


def test_an_overdue_task_is_not_listed_as_not_overdue(api, place_order, walk, cast, clock):
    walk(place_order(), "deliver")
    clock(advance="P6D")
    assert _inbox(api, cast.seller, overdue="false") == []


def test_a_task_without_sla_is_never_overdue(api, place_order, cast, clock):
    order = place_order()
    clock(advance="P60D")
    assert _inbox(api, cast.buyer, overdue="true") == []
    assert [t["order_id"] for t in _inbox(api, cast.buyer, overdue="false")] == [order["id"]]


def test_an_overdue_filter_that_is_not_a_boolean_is_422(api, cast, problem):
    problem(api.get(TASKS, cast.buyer.token, params={"overdue": "maybe"}), 422, "validation_failed")


# -- pagination ---------------------------------------------------------------------------------------------

def test_the_inbox_is_paginated_with_an_x_pagination_header(api, place_order, cast):
    for _ in range(3):
        place_order()
    first = api.get(TASKS, cast.buyer.token, params={"page": 1, "page_size": 2})
    second = api.get(TASKS, cast.buyer.token, params={"page": 2, "page_size": 2})
    assert (len(first.json()), len(second.json())) == (2, 1)
    assert {t["id"] for t in first.json()}.isdisjoint(t["id"] for t in second.json())
    meta = json.loads(first.headers["X-Pagination"])
    assert (meta["total"], meta["page"]) == (3, 1)


def test_an_inbox_page_size_over_100_is_422(api, cast, problem):
    problem(api.get(TASKS, cast.buyer.token, params={"page_size": 101}), 422, "validation_failed")


# -- completing a task ----------------------------------------------------------------------------------------

def test_completing_a_task_advances_the_order_like_the_order_level_call(api, place_order, act, upload, cast):
    by_order = ok(act(cast.buyer, place_order(), "submit_requirement", {"description": "x"}, [upload(cast.buyer)]))
    task_id = place_order()["nodes"][0]["task_id"]
    by_task = ok(_complete(api, cast.buyer, task_id, "submit_requirement", {"description": "x"},
                            [upload(cast.buyer)]))
    assert [(n["id"], n["role"]) for n in by_task["nodes"]] == [(n["id"], n["role"]) for n in by_order["nodes"]]
    assert (by_task["status"], by_task["rejection_count"]) == (by_order["status"], by_order["rejection_count"])


def test_completing_a_task_answers_with_the_order_resource(api, place_order, upload, cast):
    order = place_order()
    after = ok(_complete(api, cast.buyer, order["nodes"][0]["task_id"], "submit_requirement",
                          {"description": "x"}, [upload(cast.buyer)]))
    assert (after["id"], after["nodes"][0]["id"]) == (order["id"], "deliver")


def test_completing_a_task_is_recorded_in_the_history_like_an_action(api, place_order, upload, cast):
    order = place_order()
    file_id = upload(cast.buyer)
    ok(_complete(api, cast.buyer, order["nodes"][0]["task_id"], "submit_requirement", {"description": "x"},
                  [file_id]))
    last = api.get(f"{ORDERS}/{order['id']}/history", cast.buyer.token).json()[-1]
    assert (last["type"], last["node"], last["action"], last["attachments"]) == (
        "task_completed", "submit_requirement", "submit_requirement", [file_id])
    assert last["actor"]["name"] == cast.buyer.name


def test_a_task_completed_with_reject_counts_the_rejection(api, place_order, walk, cast):
    order = walk(place_order(), "confirm_acceptance")
    after = ok(_complete(api, cast.buyer, order["nodes"][0]["task_id"], "reject", {"reason": "incomplete"}))
    assert (after["nodes"][0]["id"], after["rejection_count"]) == ("deliver", 1)


def test_a_reviewer_completes_a_review_task_from_the_inbox(api, place_order, walk, reviewer):
    order = walk(place_order(goods_class="joint", scenario="base"), "base_manager_review")
    after = ok(_complete(api, reviewer, order["nodes"][0]["task_id"], "review_approve", {"note": "ok"}))
    assert after["nodes"][0]["id"] == "confirm_acceptance"


def test_a_completed_task_leaves_the_inbox(api, place_order, upload, cast):
    order = place_order()
    ok(_complete(api, cast.buyer, order["nodes"][0]["task_id"], "submit_requirement", {"description": "x"},
                  [upload(cast.buyer)]))
    assert _inbox(api, cast.buyer) == []


def test_completing_a_task_that_is_no_longer_ready_is_409(api, place_order, upload, cast, snapshot, problem):
    order = place_order()
    task_id = order["nodes"][0]["task_id"]
    ok(_complete(api, cast.buyer, task_id, "submit_requirement", {"description": "x"}, [upload(cast.buyer)]))
    before = snapshot(order)
    body = problem(_complete(api, cast.buyer, task_id, "submit_requirement", {"description": "again"},
                             [upload(cast.buyer)]), 409)
    assert body["code"] in {"action_not_available", "conflict"}
    assert snapshot(order) == before


def test_completing_a_superseded_task_after_a_loop_is_409(api, place_order, walk, act, upload, cast, snapshot,
                                                           problem):
    order = place_order()
    old_task = order["nodes"][0]["task_id"]
    back = ok(act(cast.seller, walk(order, "deliver"), "return_requirement", {"reason": "more detail"}))
    before = snapshot(back)
    body = problem(_complete(api, cast.buyer, old_task, "submit_requirement", {"description": "x"},
                             [upload(cast.buyer)]), 409)
    assert body["code"] in {"action_not_available", "conflict"}
    assert snapshot(back) == before


def test_completing_a_task_with_an_action_it_does_not_offer_is_409(api, place_order, cast, snapshot, problem):
    order = place_order()
    before = snapshot(order)
    problem(_complete(api, cast.buyer, order["nodes"][0]["task_id"], "accept"), 409, "action_not_available")
    assert snapshot(order) == before


def test_completing_a_task_with_invalid_data_is_422(api, place_order, cast, snapshot, problem):
    order = place_order()
    before = snapshot(order)
    body = problem(_complete(api, cast.buyer, order["nodes"][0]["task_id"], "submit_requirement", {}),
                   422, "validation_failed")
    assert_names_field(body, "description")
    assert_names_field(body, "attachments")
    assert snapshot(order) == before


def test_completing_a_task_without_an_action_is_422(api, place_order, cast, snapshot, problem):
    order = place_order()
    before = snapshot(order)
    response = api.post(f"{TASKS}/{order['nodes'][0]['task_id']}/complete", cast.buyer.token,
                        json={"data": {"description": "x"}})
    assert_names_field(problem(response, 422, "validation_failed"), "action")
    assert snapshot(order) == before


def test_completing_an_unknown_task_is_404(api, cast, problem):
    problem(_complete(api, cast.buyer, str(uuid.uuid4()), "submit_requirement", {"description": "x"}),
            404, "not_found")


def test_completing_another_buyers_task_is_404(api, place_order, upload, cast, snapshot, problem):
    order = place_order()
    before = snapshot(order, cast.other_buyer)
    problem(_complete(api, cast.other_buyer, order["nodes"][0]["task_id"], "submit_requirement",
                      {"description": "x"}, [upload(cast.other_buyer)]), 404, "not_found")
    assert snapshot(order, cast.other_buyer) == before


def test_completing_the_buyers_task_as_the_seller_is_403(api, place_order, upload, cast, snapshot, problem):
    order = place_order()
    before = snapshot(order)
    problem(_complete(api, cast.seller, order["nodes"][0]["task_id"], "submit_requirement", {"description": "x"},
                      [upload(cast.seller)]), 403, "forbidden")
    assert snapshot(order) == before


def test_completing_a_task_of_a_frozen_order_is_409_order_frozen(api, place_order, upload, cast, snapshot,
                                                                 problem):
    order = place_order()
    opened = api.post(f"{ORDERS}/{order['id']}/appeals", cast.buyer.token,
                      json={"reason": "seller silent", "demand": "refund"})
    assert opened.status_code == 201, opened.text
    before = snapshot(order)
    problem(_complete(api, cast.buyer, order["nodes"][0]["task_id"], "submit_requirement", {"description": "x"},
                      [upload(cast.buyer)]), 409, "order_frozen")
    assert snapshot(order) == before


def test_an_inbox_lists_tasks_of_unsupervised_orders_never(api, place_order, cast):
    place_order(body=order_body(cast.buyer.name, cast.seller.name, delivery_type="image"))
    assert _inbox(api, cast.buyer) == []


def test_an_inbox_task_carries_the_json_schema_of_each_of_its_actions_forms(api, place_order, walk, cast):
    order = walk(place_order(), "deliver")

    task = next(t for t in _inbox(api, cast.seller) if t["order_id"] == order["id"])

    forms = task["action_forms"]
    assert set(forms) == set(task["actions"]) == {"deliver", "return_requirement"}
    deliver = forms["deliver"]
    assert deliver["required"] == ["attachments"] and deliver["additionalProperties"] is False
    assert deliver["properties"]["actual_start_time"]["format"] == "date-time"
    assert deliver["properties"]["attachments"]["minItems"] == 1
    assert forms["return_requirement"]["required"] == ["reason"]
