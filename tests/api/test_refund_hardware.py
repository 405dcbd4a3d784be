"""Hardware refunds (buyer guide §6.3.2.3; bpmn/refund_hardware.bpmn): goods received or not, the return
parcel, the seller's inspection, and the 10- and 15-day timers (BPMN timer events, fired by the tick)."""
import pytest

from tests.api.test_refunds import ORDERS, REFUNDS, ask, options, refund_act, tick
from tests.conftest import order_body
from tests.helpers import get_order, history, ok

PAID_AT = "2026-03-01T08:00:00+00:00"
PARCEL = {"carrier": "SF Express", "tracking_no": "SF1234567890"}


@pytest.fixture
def hardware(place_order, cast, clock, act):
    """hardware(shipped=False) -> a paid hardware order, optionally shipped by the seller."""
    clock(set="2026-03-02T09:00:00+00:00")

    def place(shipped=False):
        body = order_body(cast.buyer.name, cast.seller.name, delivery_type="hardware", manual_kind=None)
        body.update(paid_at=PAID_AT, billing={"mode": "one_off"})
        order = place_order(body)
        if shipped:
            order = ok(act(cast.seller, order, "ship", PARCEL))
        return order

    return place


def test_goods_must_be_said_for_hardware(api, cast, hardware, problem):
    assert "goods" in problem(ask(api, cast.buyer, hardware()), 422, "validation_failed")["errors"]


def test_not_received_is_refused_while_the_parcel_is_in_transit(api, cast, hardware, problem, snapshot):
    """§6.3.2.3: shipped goods cannot be refunded as 'not received' until the platform confirms."""
    order = hardware(shipped=True)
    assert options(api, cast.buyer, order, goods="not_received")["why_not"] == "in_transit"
    assert options(api, cast.buyer, order, goods="received")["allowed"] is True
    before = snapshot(order)
    body = problem(ask(api, cast.buyer, order, goods="not_received"), 409, "refund_not_allowed")
    assert body["reason"] == "in_transit"
    assert snapshot(order) == before


def test_not_received_before_shipping_is_refunded_after_the_sellers_approval(api, cast, hardware):
    order = hardware()
    refund = ok(ask(api, cast.buyer, order, goods="not_received"), 201)
    assert refund["goods"] == "not_received"
    assert ok(refund_act(api, cast.seller, refund, "approve_refund"))["status"] == "refunding"
    assert tick(api)["fired"] == 1
    assert get_order(api, cast.buyer, order)["status"] == "refunded"


def test_received_goods_go_back_by_parcel_and_are_inspected(api, cast, hardware, problem):
    """Received: approval -> 待用户寄回 (submit return info or withdraw) -> seller inspects -> refund."""
    order = hardware(shipped=True)
    refund = ok(ask(api, cast.buyer, order, goods="received"), 201)
    waiting = ok(refund_act(api, cast.seller, refund, "approve_refund"))
    assert (waiting["status"], waiting["status_zh"]) == ("awaiting_return", "待用户寄回")
    buyer_view = ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))
    assert sorted(a["action"] for a in buyer_view["available_actions"]) == ["submit_return", "withdraw_refund"]
    problem(refund_act(api, cast.buyer, refund, "submit_return", {"carrier": "SF"}), 422, "validation_failed")
    returned = ok(refund_act(api, cast.buyer, refund, "submit_return", PARCEL))
    assert (returned["status"], returned["status_zh"]) == ("awaiting_inspection", "待商家验收")
    assert returned["return_logistics"]["tracking_no"] == PARCEL["tracking_no"]
    seller_view = ok(api.get(f"{REFUNDS}/{refund['id']}", cast.seller.token))
    assert sorted(a["action"] for a in seller_view["available_actions"]) == ["pass_inspection",
                                                                             "report_inspection_issue"]
    assert ok(refund_act(api, cast.seller, refund, "pass_inspection"))["status"] == "refunding"
    tick(api)
    assert ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))["status"] == "refunded"
    assert ok(api.get("/api/v1/accounts/me", cast.buyer.token))["balance"] == "400.00"


def test_the_buyer_may_withdraw_while_the_goods_are_to_be_returned(api, cast, hardware):
    order = hardware(shipped=True)
    refund = ok(ask(api, cast.buyer, order, goods="received"), 201)
    ok(refund_act(api, cast.seller, refund, "approve_refund"))
    assert ok(refund_act(api, cast.buyer, refund, "withdraw_refund"))["status"] == "withdrawn"
    assert get_order(api, cast.buyer, order)["status"] == "processing"


def test_no_return_within_10_days_is_treated_as_withdrawn(api, cast, hardware, clock):
    """§6.3.2.3: return logistics within 10 days of approval, else the refund is withdrawn (系统视为撤回)."""
    order = hardware(shipped=True)
    refund = ok(ask(api, cast.buyer, order, goods="received"), 201)
    ok(refund_act(api, cast.seller, refund, "approve_refund"))
    clock(advance="P9DT23H")
    tick(api)
    assert ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))["status"] == "awaiting_return"
    clock(advance="PT1H")
    tick(api)
    withdrawn = ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))
    assert (withdrawn["status"], withdrawn["nodes"]) == ("withdrawn", [])
    changed = [e for e in history(api, cast.buyer, order) if e["type"] == "refund_status_changed"]
    assert changed[-1]["actor"]["role"] == "system" and changed[-1]["data"]["to"] == "withdrawn"


def test_no_inspection_within_15_days_passes_it_and_refunds(api, cast, hardware, clock):
    """§6.3.2.3: the seller confirms inspection within 15 days, else the system accepts and refunds."""
    order = hardware(shipped=True)
    refund = ok(ask(api, cast.buyer, order, goods="received"), 201)
    ok(refund_act(api, cast.seller, refund, "approve_refund"))
    ok(refund_act(api, cast.buyer, refund, "submit_return", PARCEL))
    clock(advance="P14D")
    tick(api)
    assert ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))["status"] == "awaiting_inspection"
    clock(advance="P1D")
    assert tick(api)["fired"] == 2  # the inspection timer, then the settlement
    assert ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))["status"] == "refunded"
    assert get_order(api, cast.buyer, order)["status"] == "refunded"


def test_an_inspection_issue_opens_an_appeal_for_operations(api, cast, hardware, clock):
    order = hardware(shipped=True)
    refund = ok(ask(api, cast.buyer, order, goods="received"), 201)
    ok(refund_act(api, cast.seller, refund, "approve_refund"))
    ok(refund_act(api, cast.buyer, refund, "submit_return", PARCEL))
    ok(refund_act(api, cast.seller, refund, "report_inspection_issue", {"reason": "The box came back empty"}))
    appeal = next(a for a in ok(api.get("/api/v1/appeals", cast.ops.token, params={"status": "open",
                                                                                     "page_size": 100}))
                  if a["refund_id"] == refund["id"])
    assert appeal["appellant"]["role"] == "seller" and appeal["reason"] == "The box came back empty"
    assert ok(api.get(f"{REFUNDS}/{refund['id']}", cast.seller.token))["available_actions"] == []
    clock(advance="P20D")  # frozen: the 15-day inspection timer waits for operations
    tick(api)
    assert ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))["status"] == "awaiting_inspection"
    ok(api.post(f"/api/v1/appeals/{appeal['id']}/resolve", cast.ops.token,
                json={"outcome": "close_with_refund", "note": "Half back", "refund_amount": "200.00"}))
    decided = ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))
    assert (decided["status"], decided["amount"]) == ("refunding", "200.00")
    tick(api)
    assert ok(api.get("/api/v1/accounts/me", cast.buyer.token))["balance"] == "200.00"
    assert get_order(api, cast.buyer, order)["status"] == "refunded"
    assert ok(api.get(f"{ORDERS}/{order['id']}", cast.buyer.token))["refund_amount"] == "200.00"
