"""POST /orders/{id}/actions/{action}: the manual-service flows (general and joint review), their loops,
and every refusal, each checked to leave the order, its history and the inboxes untouched."""
import uuid

import pytest

from tests.conftest import order_body
from tests.helpers import assert_names_field, get_order, history, ok

ORDERS = "/api/v1/orders"
PAID_AT = "2026-01-05T08:00:00+00:00"


def _node(order: dict) -> str:
    return order["nodes"][0]["id"]


@pytest.fixture
def reviewers(make_principal):
    """One reviewer per review role, by role name."""
    return {role: make_principal("reviewer", role) for role in ("base_manager", "rep_office", "product_dept")}


@pytest.fixture
def deliver(act, upload, cast):
    """deliver(order, **data) -> the order after the seller delivered with one attachment."""

    def do(order: dict, **data) -> dict:
        return ok(act(cast.seller, order, "deliver", {"note": "done", **data}, [upload(cast.seller)]))

    return do


@pytest.fixture
def refused(snapshot, problem):
    """refused(order, request, status, code, *inbox_of) -> the problem body, after checking the request
    changed nothing: same nodes and task ids, rejection count, history and inboxes."""

    def check(order: dict, send, status: int, code: str, *inbox_of) -> dict:
        before = snapshot(order, *inbox_of)
        body = problem(send(), status, code)
        assert snapshot(order, *inbox_of) == before
        return body

    return check


# -- the general manual-service flow -------------------------------------------------------------------------

def test_submitting_the_requirement_moves_the_order_to_the_sellers_deliver_node(place_order, act, upload, cast):
    order = place_order()
    after = ok(act(cast.buyer, order, "submit_requirement", {"description": "Migrate 2 TB"}, [upload(cast.buyer)]))
    assert [(n["id"], n["role"], n["name_zh"]) for n in after["nodes"]] == [("deliver", "seller", "服务商处理需求")]
    assert after["nodes"][0]["task_id"] != order["nodes"][0]["task_id"]


def test_after_submitting_the_buyer_is_offered_nothing(place_order, act, upload, cast):
    after = ok(act(cast.buyer, place_order(), "submit_requirement", {"description": "x"}, [upload(cast.buyer)]))
    assert after["available_actions"] == []


def test_at_the_deliver_node_the_seller_may_deliver_or_return_the_requirement(api, place_order, walk, cast):
    order = walk(place_order(), "deliver")
    offered = get_order(api, cast.seller, order)["available_actions"]
    task_id = order["nodes"][0]["task_id"]
    assert sorted(a["action"] for a in offered) == ["deliver", "return_requirement"]
    assert {a["task_id"] for a in offered} == {task_id}


def test_delivering_moves_the_order_to_the_buyers_acceptance(place_order, walk, deliver):
    after = deliver(walk(place_order(), "deliver"))
    assert [(n["id"], n["role"], n["name_zh"]) for n in after["nodes"]] == [
        ("confirm_acceptance", "buyer", "用户确认验收")]


def test_at_acceptance_the_buyer_may_accept_or_reject(api, place_order, walk, cast):
    order = walk(place_order(), "confirm_acceptance")
    assert sorted(a["action"] for a in get_order(api, cast.buyer, order)["available_actions"]) == ["accept", "reject"]


def test_accepting_completes_the_order(place_order, walk, act, cast):
    done = ok(act(cast.buyer, walk(place_order(), "confirm_acceptance"), "accept"))
    assert done["status"] == "completed"
    assert done["completed_at"]
    assert [(n["id"], n["name_zh"]) for n in done["nodes"]] == [("service_completed", "服务完成")]
    assert done["available_actions"] == []


def test_a_completed_order_leaves_everyones_inbox(api, place_order, walk, act, cast):
    ok(act(cast.buyer, walk(place_order(), "confirm_acceptance"), "accept"))
    assert ok(api.get("/api/v1/tasks", cast.buyer.token)) == []
    assert ok(api.get("/api/v1/tasks", cast.seller.token)) == []


def test_the_history_records_every_step_of_the_flow_oldest_first(api, place_order, walk, act, cast):
    order = ok(act(cast.buyer, walk(place_order(), "confirm_acceptance"), "accept"))
    events = history(api, cast.buyer, order)
    assert [(e["type"], e["action"]) for e in events if e["type"] == "task_completed"] == [
        ("task_completed", "submit_requirement"), ("task_completed", "deliver"), ("task_completed", "accept")]
    assert events[0]["type"] == "order_placed"
    assert events[-1]["type"] == "order_completed"
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)


def test_the_history_names_the_actor_node_data_and_attachments_of_a_step(api, place_order, act, upload, cast):
    file_id = upload(cast.buyer)
    order = ok(act(cast.buyer, place_order(), "submit_requirement", {"description": "Migrate 2 TB"}, [file_id]))
    step = history(api, cast.seller, order)[-1]
    assert step["actor"] == {"name": cast.buyer.name, "role": "buyer"}
    assert (step["node"], step["action"]) == ("submit_requirement", "submit_requirement")
    assert step["data"]["description"] == "Migrate 2 TB"
    assert step["attachments"] == [file_id]


def test_the_seller_can_read_the_requirement_attachment_after_submission(api, place_order, act, upload, cast):
    file_id = upload(cast.buyer, b"requirement spec")
    ok(act(cast.buyer, place_order(), "submit_requirement", {"description": "x"}, [file_id]))
    response = api.get(f"/api/v1/attachments/{file_id}", cast.seller.token)
    assert response.status_code == 200
    assert response.content == b"requirement spec"


# -- return requirement loop --------------------------------------------------------------------------------

def test_returning_the_requirement_sends_the_order_back_to_the_buyer(place_order, walk, act, cast):
    order = walk(place_order(), "deliver")
    back = ok(act(cast.seller, order, "return_requirement", {"reason": "Which database?"}))
    assert [(n["id"], n["role"]) for n in back["nodes"]] == [("submit_requirement", "buyer")]


def test_a_returned_requirement_is_a_new_task_for_the_buyer(api, place_order, walk, act, cast):
    order = place_order()
    back = ok(act(cast.seller, walk(order, "deliver"), "return_requirement", {"reason": "Which database?"}))
    new_task = back["nodes"][0]["task_id"]
    assert new_task != order["nodes"][0]["task_id"]
    assert get_order(api, cast.buyer, back)["available_actions"] == [{"action": "submit_requirement",
                                                                 "task_id": new_task}]


def test_a_returned_requirement_can_be_resubmitted_and_delivered(place_order, walk, act, upload, cast, deliver):
    back = ok(act(cast.seller, walk(place_order(), "deliver"), "return_requirement", {"reason": "more detail"}))
    again = ok(act(cast.buyer, back, "submit_requirement", {"description": "PostgreSQL 16"}, [upload(cast.buyer)]))
    assert _node(again) == "deliver"
    assert _node(deliver(again)) == "confirm_acceptance"


def test_returning_the_requirement_does_not_count_as_a_rejection(place_order, walk, act, cast):
    back = ok(act(cast.seller, walk(place_order(), "deliver"), "return_requirement", {"reason": "more detail"}))
    assert back["rejection_count"] == 0


# -- reject loop -------------------------------------------------------------------------------------------

def test_rejecting_sends_the_order_back_to_the_seller(place_order, walk, act, cast):
    back = ok(act(cast.buyer, walk(place_order(), "confirm_acceptance"), "reject", {"reason": "incomplete"}))
    assert [(n["id"], n["role"]) for n in back["nodes"]] == [("deliver", "seller")]
    assert back["status"] == "processing"


def test_rejecting_increments_the_rejection_count(place_order, walk, act, cast):
    back = ok(act(cast.buyer, walk(place_order(), "confirm_acceptance"), "reject", {"reason": "incomplete"}))
    assert back["rejection_count"] == 1


def test_every_rejection_increments_the_rejection_count_again(place_order, walk, act, cast, deliver):
    order = walk(place_order(), "confirm_acceptance")
    counts = []
    for round_ in range(3):
        order = ok(act(cast.buyer, order, "reject", {"reason": f"round {round_}"}))
        counts.append(order["rejection_count"])
        order = deliver(order)
    assert counts == [1, 2, 3]
    assert _node(order) == "confirm_acceptance"


def test_an_order_rejected_then_redelivered_can_be_accepted(place_order, walk, act, cast, deliver):
    order = ok(act(cast.buyer, walk(place_order(), "confirm_acceptance"), "reject", {"reason": "incomplete"}))
    done = ok(act(cast.buyer, deliver(order), "accept"))
    assert (done["status"], done["rejection_count"]) == ("completed", 1)


def test_the_rejection_reason_is_in_the_history(api, place_order, walk, act, cast):
    order = ok(act(cast.buyer, walk(place_order(), "confirm_acceptance"), "reject", {"reason": "no report"}))
    last = [e for e in history(api, cast.seller, order) if e["type"] == "task_completed"][-1]
    assert (last["action"], last["data"].get("reason")) == ("reject", "no report")


# -- joint goods: Huawei-side review --------------------------------------------------------------------------

def test_joint_goods_in_the_base_scenario_go_to_the_base_manager_after_delivery(place_order, walk, deliver):
    after = deliver(walk(place_order(goods_class="joint", scenario="base"), "deliver"))
    assert [(n["id"], n["role"], n["name_zh"]) for n in after["nodes"]] == [
        ("base_manager_review", "reviewer", "基地经理确认服务")]


def test_the_base_manager_is_offered_approve_and_return(api, place_order, walk, reviewers):
    order = walk(place_order(goods_class="joint", scenario="base"), "base_manager_review")
    offered = get_order(api, reviewers["base_manager"], order)["available_actions"]
    assert sorted(a["action"] for a in offered) == ["review_approve", "review_return"]


def test_a_base_manager_approval_moves_the_order_to_the_buyers_acceptance(place_order, walk, act, reviewers):
    order = walk(place_order(goods_class="joint", scenario="base"), "base_manager_review")
    after = ok(act(reviewers["base_manager"], order, "review_approve", {"note": "signed report ok"}))
    assert _node(after) == "confirm_acceptance"


def test_joint_goods_in_the_empowerment_scenario_go_to_the_representative_office(place_order, walk, deliver):
    after = deliver(walk(place_order(goods_class="joint", scenario="empowerment"), "deliver"))
    assert [(n["id"], n["role"], n["name_zh"]) for n in after["nodes"]] == [
        ("rep_office_review", "reviewer", "代表处确认服务")]


def test_a_representative_office_approval_moves_the_order_to_the_product_department(place_order, walk, act,
                                                                                     reviewers):
    order = walk(place_order(goods_class="joint", scenario="empowerment"), "rep_office_review")
    after = ok(act(reviewers["rep_office"], order, "review_approve"))
    assert [(n["id"], n["role"], n["name_zh"]) for n in after["nodes"]] == [
        ("product_dept_review", "reviewer", "产品部确认服务")]


def test_a_product_department_approval_moves_the_order_to_the_buyers_acceptance(place_order, walk, act,
                                                                                  reviewers):
    order = walk(place_order(goods_class="joint", scenario="empowerment"), "rep_office_review")
    order = ok(act(reviewers["rep_office"], order, "review_approve"))
    after = ok(act(reviewers["product_dept"], order, "review_approve"))
    assert _node(after) == "confirm_acceptance"


def test_huawei_goods_in_the_empowerment_scenario_are_reviewed_too(place_order, walk):
    walk(place_order(goods_class="huawei", scenario="empowerment"), "rep_office_review")


@pytest.mark.parametrize("scenario, node, reviewer", [("base", "base_manager_review", "base_manager"),
                                                      ("empowerment", "rep_office_review", "rep_office")])
def test_a_review_return_sends_the_order_back_to_the_sellers_deliver_node(place_order, walk, act, reviewers,
                                                                          scenario, node, reviewer):
    order = walk(place_order(goods_class="joint", scenario=scenario), node)
    back = ok(act(reviewers[reviewer], order, "review_return", {"reason": "report not signed"}))
    assert [(n["id"], n["role"]) for n in back["nodes"]] == [("deliver", "seller")]


def test_a_product_department_return_sends_the_order_back_to_the_seller(place_order, walk, act, reviewers):
    order = walk(place_order(goods_class="joint", scenario="empowerment"), "rep_office_review")
    order = ok(act(reviewers["rep_office"], order, "review_approve"))
    back = ok(act(reviewers["product_dept"], order, "review_return", {"reason": "missing signature"}))
    assert _node(back) == "deliver"


def test_a_review_return_is_not_a_buyer_rejection(place_order, walk, act, reviewers):
    order = walk(place_order(goods_class="joint", scenario="base"), "base_manager_review")
    back = ok(act(reviewers["base_manager"], order, "review_return", {"reason": "report not signed"}))
    assert back["rejection_count"] == 0


def test_an_order_returned_by_review_is_reviewed_again_after_redelivery(place_order, walk, act, reviewers,
                                                                         deliver):
    order = walk(place_order(goods_class="joint", scenario="base"), "base_manager_review")
    back = ok(act(reviewers["base_manager"], order, "review_return", {"reason": "report not signed"}))
    assert _node(deliver(back)) == "base_manager_review"


def test_joint_goods_without_a_scenario_go_straight_to_acceptance(place_order, walk, deliver):
    assert _node(deliver(walk(place_order(goods_class="joint", scenario="none"), "deliver"))) == "confirm_acceptance"


@pytest.mark.parametrize("scenario", ["base", "empowerment"])
def test_general_goods_are_never_reviewed(place_order, walk, deliver, scenario):
    order = place_order(goods_class="general", scenario=scenario)
    assert order["process"]["key"] == "manual_service_general"
    assert _node(deliver(walk(order, "deliver"))) == "confirm_acceptance"


def test_a_reviewed_joint_order_completes_when_the_buyer_accepts(place_order, walk, act, cast, reviewers):
    order = walk(place_order(goods_class="joint", scenario="base"), "base_manager_review")
    order = ok(act(reviewers["base_manager"], order, "review_approve"))
    assert ok(act(cast.buyer, order, "accept"))["status"] == "completed"


# -- bad input per action form: 422, nothing changes ------------------------------------------------------

def test_a_requirement_without_description_is_422(place_order, act, upload, cast, refused):
    order = place_order()
    body = refused(order, lambda: act(cast.buyer, order, "submit_requirement", {}, [upload(cast.buyer)]),
                   422, "validation_failed")
    assert_names_field(body, "description")


def test_a_requirement_with_an_empty_description_is_422(place_order, act, upload, cast, refused):
    order = place_order()
    body = refused(order, lambda: act(cast.buyer, order, "submit_requirement", {"description": ""},
                                      [upload(cast.buyer)]), 422, "validation_failed")
    assert_names_field(body, "description")


def test_a_requirement_with_a_blank_description_is_422(place_order, act, upload, cast, refused):
    order = place_order()
    body = refused(order, lambda: act(cast.buyer, order, "submit_requirement", {"description": "   "},
                                      [upload(cast.buyer)]), 422, "validation_failed")
    assert_names_field(body, "description")


def test_a_requirement_without_attachments_is_422(place_order, act, cast, refused):
    order = place_order()
    body = refused(order, lambda: act(cast.buyer, order, "submit_requirement", {"description": "x"}, []),
                   422, "validation_failed")
    assert_names_field(body, "attachments")


def test_a_requirement_with_an_unknown_data_field_is_422(place_order, act, upload, cast, refused):
    order = place_order()
    body = refused(order, lambda: act(cast.buyer, order, "submit_requirement", {"description": "x", "budget": 5},
                                      [upload(cast.buyer)]), 422, "validation_failed")
    assert_names_field(body, "budget")


def test_a_delivery_without_attachments_is_422(place_order, walk, act, cast, refused):
    order = walk(place_order(), "deliver")
    body = refused(order, lambda: act(cast.seller, order, "deliver", {"note": "done"}, []),
                   422, "validation_failed")
    assert_names_field(body, "attachments")


def test_a_delivery_with_an_actual_start_time_in_the_future_is_422(place_order, walk, act, upload, cast, refused,
                                                                   clock):
    clock(set="2026-03-10T12:00:00+00:00")
    order = walk(place_order(), "deliver")
    body = refused(order, lambda: act(cast.seller, order, "deliver", {"actual_start_time": "2026-03-10T12:01:00+00:00"},
                                      [upload(cast.seller)]), 422, "validation_failed")
    assert_names_field(body, "actual_start_time")


def test_a_delivery_with_an_actual_start_time_before_payment_is_422(place_order, walk, act, upload, cast, refused):
    order = walk(place_order(), "deliver")
    body = refused(order, lambda: act(cast.seller, order, "deliver", {"actual_start_time": "2026-01-05T07:59:59+00:00"},
                                      [upload(cast.seller)]), 422, "validation_failed")
    assert_names_field(body, "actual_start_time")


def test_a_delivery_with_an_actual_start_time_at_the_payment_time_is_accepted(place_order, walk, deliver):
    assert _node(deliver(walk(place_order(), "deliver"), actual_start_time=PAID_AT)) == "confirm_acceptance"


def test_a_delivery_with_an_actual_start_time_that_is_not_a_time_is_422(place_order, walk, act, upload, cast,
                                                                         refused):
    order = walk(place_order(), "deliver")
    body = refused(order, lambda: act(cast.seller, order, "deliver", {"actual_start_time": "last tuesday"},
                                      [upload(cast.seller)]), 422, "validation_failed")
    assert_names_field(body, "actual_start_time")


def test_a_return_without_reason_is_422(place_order, walk, act, cast, refused):
    order = walk(place_order(), "deliver")
    body = refused(order, lambda: act(cast.seller, order, "return_requirement", {}), 422, "validation_failed")
    assert_names_field(body, "reason")


def test_a_rejection_without_reason_is_422(place_order, walk, act, cast, refused):
    order = walk(place_order(), "confirm_acceptance")
    body = refused(order, lambda: act(cast.buyer, order, "reject", {}), 422, "validation_failed")
    assert_names_field(body, "reason")


def test_a_rejection_with_a_blank_reason_is_422(place_order, walk, act, cast, refused):
    order = walk(place_order(), "confirm_acceptance")
    body = refused(order, lambda: act(cast.buyer, order, "reject", {"reason": " \n\t "}), 422, "validation_failed")
    assert_names_field(body, "reason")


def test_a_rejection_with_a_reason_over_5000_characters_is_422(place_order, walk, act, cast, refused):
    order = walk(place_order(), "confirm_acceptance")
    refused(order, lambda: act(cast.buyer, order, "reject", {"reason": "x" * 5001}), 422, "validation_failed")


def test_a_refused_rejection_does_not_count(api, place_order, walk, act, cast):
    order = walk(place_order(), "confirm_acceptance")
    act(cast.buyer, order, "reject", {"reason": ""})
    assert get_order(api, cast.buyer, order)["rejection_count"] == 0


def test_an_acceptance_with_data_is_422(place_order, walk, act, cast, refused):
    order = walk(place_order(), "confirm_acceptance")
    refused(order, lambda: act(cast.buyer, order, "accept", {"note": "great"}), 422, "validation_failed")


def test_an_acceptance_with_attachments_is_422(place_order, walk, act, upload, cast, refused):
    order = walk(place_order(), "confirm_acceptance")
    refused(order, lambda: act(cast.buyer, order, "accept", {}, [upload(cast.buyer)]), 422, "validation_failed")


def test_a_review_return_without_reason_is_422(place_order, walk, act, reviewers, refused):
    order = walk(place_order(goods_class="joint", scenario="base"), "base_manager_review")
    body = refused(order, lambda: act(reviewers["base_manager"], order, "review_return", {}), 422,
                   "validation_failed", reviewers["base_manager"])
    assert_names_field(body, "reason")


def test_an_action_body_with_an_unknown_member_is_422(api, place_order, upload, cast, refused):
    order = place_order()
    refused(order, lambda: api.post(f"{ORDERS}/{order['id']}/actions/submit_requirement", cast.buyer.token,
                                    json={"data": {"description": "x"}, "attachments": [upload(cast.buyer)],
                                          "urgent": True}), 422, "validation_failed")


def test_an_action_body_that_is_not_json_is_400(api, place_order, cast, refused):
    order = place_order()
    refused(order, lambda: api.post(f"{ORDERS}/{order['id']}/actions/submit_requirement", cast.buyer.token,
                                    data="description=x", headers={"Content-Type": "text/plain"}),
            400, "bad_request")


# -- attachments that are not the caller's -----------------------------------------------------------------

def test_an_unknown_attachment_id_is_422(place_order, act, cast, refused):
    order = place_order()
    body = refused(order, lambda: act(cast.buyer, order, "submit_requirement", {"description": "x"},
                                      [str(uuid.uuid4())]), 422, "validation_failed")
    assert_names_field(body, "attachments")


def test_another_users_attachment_is_422(place_order, act, upload, cast, refused):
    order = place_order()
    foreign = upload(cast.other_buyer)
    body = refused(order, lambda: act(cast.buyer, order, "submit_requirement", {"description": "x"}, [foreign]),
                   422, "validation_failed")
    assert_names_field(body, "attachments")


def test_the_other_partys_unlinked_attachment_is_422(place_order, walk, act, upload, cast, refused):
    order = walk(place_order(), "deliver")
    buyers_file = upload(cast.buyer)
    refused(order, lambda: act(cast.seller, order, "deliver", {"note": "done"}, [buyers_file]),
            422, "validation_failed")


def test_a_seller_cannot_deliver_with_the_buyers_requirement_attachment(place_order, act, upload, cast, refused):
    # the buyer's file is linked to the order once submitted, but it is still not the seller's evidence
    buyers_file = upload(cast.buyer)
    order = ok(act(cast.buyer, place_order(), "submit_requirement", {"description": "x"}, [buyers_file]))
    body = refused(order, lambda: act(cast.seller, order, "deliver", {"note": "done"}, [buyers_file]),
                   422, "validation_failed")
    assert_names_field(body, "attachments")


def test_a_seller_may_deliver_again_with_their_own_earlier_attachment(place_order, walk, act, upload, cast):
    order = walk(place_order(), "deliver")
    own = upload(cast.seller)
    order = ok(act(cast.seller, order, "deliver", {"note": "v1"}, [own]))
    order = ok(act(cast.buyer, order, "reject", {"reason": "incomplete"}))
    assert _node(ok(act(cast.seller, order, "deliver", {"note": "v2"}, [own]))) == "confirm_acceptance"


def test_one_unknown_attachment_among_good_ones_refuses_the_whole_step(place_order, act, upload, cast, refused):
    order = place_order()
    refused(order, lambda: act(cast.buyer, order, "submit_requirement", {"description": "x"},
                               [upload(cast.buyer), "no-such-file"]), 422, "validation_failed")


def test_a_rejection_with_an_unknown_attachment_does_not_count(api, place_order, walk, act, cast, refused):
    order = walk(place_order(), "confirm_acceptance")
    refused(order, lambda: act(cast.buyer, order, "reject", {"reason": "bad"}, ["no-such-file"]),
            422, "validation_failed")
    assert get_order(api, cast.buyer, order)["rejection_count"] == 0


def test_an_attachment_refused_on_a_step_stays_unreadable_to_the_other_party(api, place_order, act, upload, cast):
    order = place_order()
    mine = upload(cast.buyer)
    act(cast.buyer, order, "submit_requirement", {"description": "x"}, [mine, "no-such-file"])
    assert api.get(f"/api/v1/attachments/{mine}", cast.seller.token).status_code == 404


# -- actions that are not available now -------------------------------------------------------------------

def test_an_unknown_action_is_409_action_not_available(place_order, act, cast, refused):
    order = place_order()
    refused(order, lambda: act(cast.buyer, order, "teleport"), 409, "action_not_available")


def test_a_buyer_cannot_accept_before_delivery(place_order, act, cast, refused):
    order = place_order()
    refused(order, lambda: act(cast.buyer, order, "accept"), 409, "action_not_available")


def test_a_buyer_cannot_reject_before_delivery(place_order, walk, act, cast, refused):
    order = walk(place_order(), "deliver")
    refused(order, lambda: act(cast.buyer, order, "reject", {"reason": "slow"}), 409, "action_not_available")


def test_a_seller_cannot_deliver_before_the_requirement_is_submitted(place_order, act, upload, cast, refused):
    order = place_order()
    refused(order, lambda: act(cast.seller, order, "deliver", {"note": "early"}, [upload(cast.seller)]),
            409, "action_not_available")


def test_a_buyer_cannot_submit_the_requirement_twice(place_order, walk, act, upload, cast, refused):
    order = walk(place_order(), "deliver")
    refused(order, lambda: act(cast.buyer, order, "submit_requirement", {"description": "again"},
                               [upload(cast.buyer)]), 409, "action_not_available")


def test_a_seller_cannot_deliver_twice(place_order, walk, act, upload, cast, refused):
    order = walk(place_order(), "confirm_acceptance")
    refused(order, lambda: act(cast.seller, order, "deliver", {"note": "again"}, [upload(cast.seller)]),
            409, "action_not_available")


def test_a_reviewer_cannot_review_general_goods(place_order, walk, act, reviewers, refused):
    order = walk(place_order(), "confirm_acceptance")
    refused(order, lambda: act(reviewers["base_manager"], order, "review_approve"), 409, "action_not_available",
            reviewers["base_manager"])


def test_a_buyer_cannot_accept_while_the_review_is_pending(place_order, walk, act, cast, reviewers, refused):
    order = walk(place_order(goods_class="joint", scenario="base"), "base_manager_review")
    refused(order, lambda: act(cast.buyer, order, "accept"), 409, "action_not_available", reviewers["base_manager"])


def test_an_action_on_a_completed_order_is_409_conflict(place_order, walk, act, cast, refused):
    order = ok(act(cast.buyer, walk(place_order(), "confirm_acceptance"), "accept"))
    refused(order, lambda: act(cast.buyer, order, "accept"), 409, "conflict")


def test_rejecting_a_completed_order_is_409_conflict(place_order, walk, act, cast, refused):
    order = ok(act(cast.buyer, walk(place_order(), "confirm_acceptance"), "accept"))
    refused(order, lambda: act(cast.buyer, order, "reject", {"reason": "changed my mind"}), 409, "conflict")


def test_an_action_on_an_unsupervised_order_is_409(place_order, act, cast, problem):
    order = place_order(delivery_type="image")
    body = problem(act(cast.buyer, order, "accept"), 409)
    assert body["code"] in {"conflict", "action_not_available"}


def test_an_action_on_an_unknown_order_is_404(act, cast, problem):
    problem(act(cast.buyer, {"id": str(uuid.uuid4())}, "accept"), 404, "not_found")


# -- frozen orders ---------------------------------------------------------------------------------------

@pytest.fixture
def appealed(api, cast):
    """appealed(order) -> the order after its buyer opened an appeal."""

    def do(order: dict) -> dict:
        response = api.post(f"{ORDERS}/{order['id']}/appeals", cast.buyer.token,
                            json={"reason": "seller silent", "demand": "refund"})
        assert response.status_code == 201, response.text
        return get_order(api, cast.ops, order)

    return do


def test_an_action_while_an_appeal_is_open_is_409_order_frozen(place_order, walk, act, upload, cast, appealed,
                                                               refused):
    order = appealed(walk(place_order(), "deliver"))
    refused(order, lambda: act(cast.seller, order, "deliver", {"note": "done"}, [upload(cast.seller)]),
            409, "order_frozen")


def test_a_frozen_order_offers_no_actions(api, place_order, walk, cast, appealed):
    order = appealed(walk(place_order(), "deliver"))
    seen = get_order(api, cast.seller, order)
    assert seen["frozen"] is True
    assert seen["available_actions"] == []


def test_a_frozen_orders_tasks_leave_the_inbox(api, place_order, walk, cast, appealed):
    appealed(walk(place_order(), "deliver"))
    assert ok(api.get("/api/v1/tasks", cast.seller.token)) == []


# -- money and data stay strings -----------------------------------------------------------------------

def test_a_placed_order_keeps_its_milestones_through_the_flow(place_order, walk, act, cast):
    body = order_body(cast.buyer.name, cast.seller.name)
    body["milestones"] = [{"name": "phase 1", "amount": "400.00"}, {"name": "phase 2", "amount": "600.00"}]
    done = ok(act(cast.buyer, walk(place_order(body), "confirm_acceptance"), "accept"))
    assert [m["amount"] for m in done["milestones"]] == ["400.00", "600.00"]
    assert done["amount_paid"] == "1000.00"
