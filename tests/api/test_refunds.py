"""Refunds (退订) over the HTTP API: refund-options, negotiated refunds through their BPMN process,
settlement into the buyer's account, five-day refunds and the quota (buyer guide §6.3; docs/domain.md §4.3,
§5.2 Table 6-1, §5.3). Time moves only through the testing clock, the scheduler job runs through
POST /testing/tick."""

import pytest
from sqlalchemy import select

from tests.conftest import order_body
from tests.helpers import get_order, history, ok

ORDERS, REFUNDS, TICK = "/api/v1/orders", "/api/v1/refunds", "/api/v1/testing/tick"
PAID_AT = "2026-03-01T08:00:00+00:00"


@pytest.fixture
def start(clock):
    clock(set="2026-03-02T09:00:00+00:00")


def options(api, who, order, **params):
    return ok(api.get(f"{ORDERS}/{order['id']}/refund-options", who.token, params=params or None))


def ask(api, who, order, amount="400.00", **extra):
    return api.post(f"{ORDERS}/{order['id']}/refunds", who.token,
                    json={"amount": amount, "reason": "The seller cannot deliver", "share_contact": True, **extra})


def refund_act(api, who, refund, action, data=None):
    return api.post(f"{REFUNDS}/{refund['id']}/actions/{action}", who.token, json={"data": data or {}})


def tick(api) -> dict:
    return ok(api.post(TICK))


def placed(place_order, cast, **changes):
    body = order_body(cast.buyer.name, cast.seller.name, **changes.pop("product", {}))
    body.update(paid_at=PAID_AT, **changes)
    return place_order(body)


# -- refund-options ------------------------------------------------------------------------------
def test_a_supervised_order_in_its_guarantee_period_offers_a_negotiated_refund_of_the_amount_paid(
        api, cast, place_order, start):
    """§6.3.1: within the transaction guarantee period the buyer may negotiate up to the amount paid."""
    order = placed(place_order, cast)
    found = options(api, cast.buyer, order)
    assert found["rule"] == "negotiated" and found["allowed"] is True and found["why_not"] is None
    assert found["max_amount"] == "1000.00"
    assert found["quota"] == {"year": 2026, "limit": 10, "used": 0, "remaining": 10}
    assert get_order(api, cast.buyer, order)["negotiated_refund_allowed"] is True


def test_a_completed_order_refuses_a_negotiated_refund_guarantee_period_over(api, cast, place_order, act, walk,
                                                                            start):
    """Table 6-1 remarks: orders whose supervision completed are not refundable."""
    order = walk(placed(place_order, cast), "confirm_acceptance")
    ok(act(cast.buyer, order, "accept"))
    found = options(api, cast.buyer, order)
    assert (found["allowed"], found["why_not"]) == (False, "guarantee_period_over")
    assert found["detail"]
    assert get_order(api, cast.buyer, order)["negotiated_refund_allowed"] is False


def test_refund_options_are_the_buyers_and_staffs(api, cast, place_order, problem, start):
    order = placed(place_order, cast)
    problem(api.get(f"{ORDERS}/{order['id']}/refund-options", cast.seller.token), 403, "forbidden")
    problem(api.get(f"{ORDERS}/{order['id']}/refund-options", cast.other_buyer.token), 404, "not_found")
    assert options(api, cast.ops, order)["rule"] == "negotiated"


# -- negotiated refunds ----------------------------------------------------------------------------
def test_a_negotiated_refund_waits_for_the_seller_in_their_inbox(api, cast, place_order, start):
    """§6.3.2.1: the buyer enters amount and reason, the seller must approve."""
    order = placed(place_order, cast)
    refund = ok(ask(api, cast.buyer, order), 201)
    assert refund["status"] == "pending_seller" and refund["status_zh"] == "待商家审核"
    assert refund["kind"] == "negotiated" and refund["amount"] == "400.00" and refund["share_contact"] is True
    assert [a["action"] for a in refund["available_actions"]] == ["withdraw_refund"]
    seller_view = ok(api.get(f"{REFUNDS}/{refund['id']}", cast.seller.token))
    assert sorted(a["action"] for a in seller_view["available_actions"]) == ["approve_refund", "reject_refund"]
    inbox = ok(api.get("/api/v1/tasks", cast.seller.token))
    assert [t["refund_id"] for t in inbox if t["node"] == "seller_review" and t["order_id"] == order["id"]] == \
        [refund["id"]]
    assert options(api, cast.buyer, order)["why_not"] == "refund_open"


def test_an_approved_refund_is_refunded_by_the_scheduler_job_into_the_buyers_account(
        api, cast, place_order, start):
    """§6.3: after approval the refund completes within 3 hours, back to the account balance; the order's
    supervision ends (no task left) and the order is refunded."""
    order = placed(place_order, cast)
    refund = ok(ask(api, cast.buyer, order), 201)
    approved = ok(refund_act(api, cast.seller, refund, "approve_refund"))
    assert approved["status"] == "refunding" and approved["status_zh"] == "退款中"
    assert approved["decided_at"] and approved["available_actions"] == []
    assert tick(api)["fired"] == 1
    done = ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))
    assert done["status"] == "refunded" and done["refunded_at"]
    account = ok(api.get("/api/v1/accounts/me", cast.buyer.token))
    assert account["balance"] == "400.00"
    assert [(e["amount"], e["refund_id"]) for e in account["entries"]] == [("400.00", refund["id"])]
    after = get_order(api, cast.buyer, order)
    assert after["status"] == "refunded" and after["refund_amount"] == "400.00"
    assert after["nodes"] == [] and after["available_actions"] == []
    assert [t for t in ok(api.get("/api/v1/tasks", cast.buyer.token)) if t["order_id"] == order["id"]] == []
    types = [e["type"] for e in history(api, cast.buyer, order)]
    assert "refund_completed" in types and types.index("refund_requested") < types.index("refund_completed")
    assert tick(api)["fired"] == 0  # exactly once
    assert ok(api.get("/api/v1/accounts/me", cast.buyer.token))["balance"] == "400.00"


def test_a_rejected_refund_leaves_the_order_carrying_on(api, cast, place_order, problem, query_db, start):
    order = placed(place_order, cast)
    refund = ok(ask(api, cast.buyer, order), 201)
    problem(refund_act(api, cast.seller, refund, "reject_refund"), 422, "validation_failed")
    rejected = ok(refund_act(api, cast.seller, refund, "reject_refund", {"reason": "Delivered as agreed"}))
    assert (rejected["status"], rejected["status_zh"]) == ("rejected", "商家已拒绝")
    from app.models import Notification
    told = query_db(lambda s: s.scalars(select(Notification).where(Notification.order_id == order["id"])).all())
    assert [(n.recipient, n.kind) for n in told] == [(cast.buyer.name, "refund_result")]
    assert "rejected" in told[0].message
    assert get_order(api, cast.buyer, order)["status"] == "processing"
    assert options(api, cast.buyer, order)["allowed"] is True  # a new refund may be asked for


def test_the_buyer_withdraws_a_pending_refund(api, cast, place_order, problem, start):
    order = placed(place_order, cast)
    refund = ok(ask(api, cast.buyer, order), 201)
    problem(refund_act(api, cast.seller, refund, "withdraw_refund"), 403, "forbidden")
    withdrawn = ok(refund_act(api, cast.buyer, refund, "withdraw_refund"))
    assert (withdrawn["status"], withdrawn["status_zh"], withdrawn["nodes"]) == ("withdrawn", "已撤回", [])
    problem(refund_act(api, cast.seller, refund, "approve_refund"), 409)
    again = ok(ask(api, cast.buyer, order, amount="100.00"), 201)  # several refund runs over time
    assert again["status"] == "pending_seller"


def test_refund_tasks_are_completed_through_the_task_api(api, cast, place_order, start):
    order = placed(place_order, cast)
    refund = ok(ask(api, cast.buyer, order), 201)
    task = next(t for t in ok(api.get("/api/v1/tasks", cast.seller.token)) if t["node"] == "seller_review"
                and t["order_id"] == order["id"])
    response = ok(api.post(f"/api/v1/tasks/{task['id']}/complete", cast.seller.token,
                           json={"action": "approve_refund", "data": {}}))
    assert response["id"] == order["id"]
    assert ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))["status"] == "refunding"


def test_accept_is_refused_while_a_refund_awaits_the_seller(api, cast, place_order, act, walk, problem, snapshot,
                                                            start):
    """§5.3: the order and the refund never both complete."""
    order = walk(placed(place_order, cast), "confirm_acceptance")
    refund = ok(ask(api, cast.buyer, order), 201)
    before = snapshot(order)
    problem(act(cast.buyer, order, "accept"), 409, "refund_pending")
    assert snapshot(order) == before
    ok(refund_act(api, cast.seller, refund, "reject_refund", {"reason": "no"}))
    assert ok(act(cast.buyer, order, "accept"))["status"] == "completed"


@pytest.mark.parametrize(("amount", "field"), [("0.00", "amount"), ("1000.01", "amount"), ("-1", "amount")])
def test_bad_amounts_are_422_and_change_nothing(api, cast, place_order, problem, snapshot, amount, field, start):
    """§6.3.2: 0 < amount ≤ amount paid."""
    order = placed(place_order, cast)
    before = snapshot(order)
    body = problem(ask(api, cast.buyer, order, amount=amount), 422, "validation_failed")
    assert field in body["errors"]
    assert snapshot(order) == before
    assert ok(api.get(REFUNDS, cast.buyer.token, params={"order_id": order["id"]})) == []


def test_refusals_are_409_refund_not_allowed_with_the_reason(api, cast, place_order, act, walk, problem,
                                                            snapshot, start):
    order = walk(placed(place_order, cast), "confirm_acceptance")
    ok(act(cast.buyer, order, "accept"))
    before = snapshot(order)
    body = problem(ask(api, cast.buyer, order), 409, "refund_not_allowed")
    assert body["reason"] == "guarantee_period_over" and body["detail"]
    assert snapshot(order) == before
    assert ok(api.get("/api/v1/accounts/me", cast.buyer.token)) == {"owner": cast.buyer.name, "balance": "0.00",
                                                                   "entries": []}


def test_only_the_buyer_asks_and_only_parties_see_refunds(api, cast, place_order, problem, start):
    order = placed(place_order, cast)
    problem(ask(api, cast.seller, order), 403, "forbidden")
    problem(ask(api, cast.other_buyer, order), 404, "not_found")
    refund = ok(ask(api, cast.buyer, order), 201)
    problem(api.get(f"{REFUNDS}/{refund['id']}", cast.other_buyer.token), 404, "not_found")
    problem(api.get(f"{REFUNDS}/{refund['id']}", cast.other_seller.token), 404, "not_found")
    assert [r["id"] for r in ok(api.get(REFUNDS, cast.seller.token, params={"order_id": order["id"]}))] == \
        [refund["id"]]
    assert ok(api.get(REFUNDS, cast.other_buyer.token, params={"order_id": order["id"]})) == []
    assert ok(api.get(REFUNDS, cast.ops.token, params={"order_id": order["id"]}))[0]["id"] == refund["id"]
    problem(refund_act(api, cast.other_seller, refund, "approve_refund"), 404, "not_found")


def test_a_second_refund_while_one_is_open_is_refused(api, cast, place_order, problem, start):
    order = placed(place_order, cast)
    ok(ask(api, cast.buyer, order), 201)
    assert problem(ask(api, cast.buyer, order), 409, "refund_not_allowed")["reason"] == "refund_open"


def test_goods_is_for_hardware_only(api, cast, place_order, problem, start):
    order = placed(place_order, cast)
    assert "goods" in problem(ask(api, cast.buyer, order, goods="received"), 422, "validation_failed")["errors"]


def test_the_order_level_action_call_reaches_the_open_refunds_task(api, cast, place_order, act, problem, start):
    """POST /orders/{id}/actions/{action} completes the order's ready task offering it, a refund's included."""
    order = placed(place_order, cast)
    problem(act(cast.seller, order, "approve_refund"), 409, "action_not_available")
    refund = ok(ask(api, cast.buyer, order), 201)
    assert ok(act(cast.seller, order, "approve_refund"))["id"] == order["id"]
    assert ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))["status"] == "refunding"


def test_a_refund_whose_settlement_fails_stays_refunding_and_holds_up_no_other(api, cast, place_order, query_db,
                                                                               start):
    from app.models import ProcessInstance
    broken, fine = placed(place_order, cast), placed(place_order, cast)
    refunds = [ok(ask(api, cast.buyer, order), 201) for order in (broken, fine)]
    for refund in refunds:
        ok(refund_act(api, cast.seller, refund, "approve_refund"))

    def corrupt(session):  # the broken order's supervision state can no longer be loaded
        instance = session.scalars(select(ProcessInstance).where(ProcessInstance.order_id == broken["id"],
                                                                 ProcessInstance.kind == "supervision")).one()
        instance.state = {"not": "a workflow"}
    query_db(corrupt)
    assert tick(api)["fired"] == 1
    statuses = [ok(api.get(f"{REFUNDS}/{r['id']}", cast.buyer.token))["status"] for r in refunds]
    assert statuses == ["refunding", "refunded"]
    assert ok(api.get("/api/v1/accounts/me", cast.buyer.token))["balance"] == "400.00"
