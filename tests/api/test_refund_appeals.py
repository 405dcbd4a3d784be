"""Appeals on refunds (buyer guide §6.3.2.3): the seller sits on a refund for more than 10 days -> the buyer
may appeal it, worked from the operations appeal inbox; 7 working days -> a notification to contact the
seller. `close_with_refund` on an order appeal pays through a refund record of kind `appeal`."""
from sqlalchemy import select

from tests.api.test_refunds import ORDERS, REFUNDS, ask, placed, refund_act, tick
from tests.helpers import get_order, history, ok

APPEAL = {"reason": "The seller does not answer", "demand": "Refund me"}


def appeal_refund(api, who, refund):
    return api.post(f"{REFUNDS}/{refund['id']}/appeals", who.token, json=APPEAL)


def resolve(api, cast, appeal, outcome, **extra):
    return api.post(f"/api/v1/appeals/{appeal['id']}/resolve", cast.ops.token,
                    json={"outcome": outcome, "note": "decided", **extra})


def test_the_buyer_may_appeal_only_after_more_than_10_days_pending(api, cast, place_order, clock, problem):
    clock(set="2026-03-02T09:00:00+00:00")
    order = placed(place_order, cast)
    refund = ok(ask(api, cast.buyer, order), 201)
    clock(advance="P10D")
    body = problem(appeal_refund(api, cast.buyer, refund), 409, "appeal_not_allowed")
    assert "2026-03-12T09:00:00" in body["detail"]
    problem(appeal_refund(api, cast.seller, refund), 403, "forbidden")
    clock(advance="PT1S")
    appeal = ok(appeal_refund(api, cast.buyer, refund), 201)
    assert appeal["refund_id"] == refund["id"] and appeal["status"] == "open"
    problem(appeal_refund(api, cast.buyer, refund), 409, "conflict")
    problem(refund_act(api, cast.seller, refund, "approve_refund"), 409, "order_frozen")
    listed = ok(api.get("/api/v1/appeals", cast.ops.token, params={"status": "open", "page_size": 100}))
    assert refund["id"] in [a["refund_id"] for a in listed]


def _appealed(api, cast, place_order, clock):
    clock(set="2026-03-02T09:00:00+00:00")
    order = placed(place_order, cast)
    refund = ok(ask(api, cast.buyer, order), 201)
    clock(advance="P11D")
    return order, refund, ok(appeal_refund(api, cast.buyer, refund), 201)


def test_operations_resolve_with_a_refund_amount(api, cast, place_order, clock, problem):
    order, refund, appeal = _appealed(api, cast, place_order, clock)
    problem(resolve(api, cast, appeal, "close_with_refund"), 422, "validation_failed")
    problem(resolve(api, cast, appeal, "force_accept"), 422, "validation_failed")
    ok(resolve(api, cast, appeal, "close_with_refund", refund_amount="250.00"))
    decided = ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))
    assert (decided["status"], decided["amount"], decided["nodes"]) == ("refunding", "250.00", [])
    tick(api)
    assert ok(api.get("/api/v1/accounts/me", cast.buyer.token))["balance"] == "250.00"
    assert get_order(api, cast.buyer, order)["status"] == "refunded"


def test_operations_deny_the_refund(api, cast, place_order, clock):
    order, refund, appeal = _appealed(api, cast, place_order, clock)
    ok(resolve(api, cast, appeal, "deny_refund"))
    assert ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))["status"] == "rejected"
    assert get_order(api, cast.buyer, order)["status"] == "processing"
    assert "appeal_resolved" in [e["type"] for e in history(api, cast.buyer, order)]


def test_resume_gives_the_refund_back_to_the_seller(api, cast, place_order, clock):
    order, refund, appeal = _appealed(api, cast, place_order, clock)
    ok(resolve(api, cast, appeal, "resume"))
    assert ok(refund_act(api, cast.seller, refund, "approve_refund"))["status"] == "refunding"


def test_a_notification_tells_the_buyer_to_contact_the_seller_after_7_working_days(
        api, cast, place_order, clock, query_db):
    """§6.3.2.3: not reviewed within 7 working days -> contact the seller (a BPMN timer, fired once)."""
    from app.models import Notification
    clock(set="2026-03-02T09:00:00+00:00")  # a Monday: 7 working days later is Wednesday 11 March
    order = placed(place_order, cast)
    ok(ask(api, cast.buyer, order), 201)

    def reminders():
        return query_db(lambda s: s.scalars(select(Notification).where(
            Notification.order_id == order["id"], Notification.kind == "refund_contact_seller")).all())
    clock(set="2026-03-11T08:59:00+00:00")
    tick(api)
    assert reminders() == []
    clock(set="2026-03-11T09:00:00+00:00")
    tick(api)
    tick(api)
    found = reminders()
    assert [n.recipient for n in found] == [cast.buyer.name] and "contact the seller" in found[0].message


def test_close_with_refund_on_an_order_appeal_pays_through_a_refund_record(api, cast, place_order, clock):
    clock(set="2026-03-02T09:00:00+00:00")
    order = placed(place_order, cast)
    pending = ok(ask(api, cast.buyer, order), 201)
    appeal = ok(api.post(f"{ORDERS}/{order['id']}/appeals", cast.buyer.token, json=APPEAL), 201)
    ok(resolve(api, cast, appeal, "close_with_refund", refund_amount="700.00"))
    assert get_order(api, cast.buyer, order)["status"] == "refunded"
    refunds = ok(api.get(REFUNDS, cast.buyer.token, params={"order_id": order["id"]}))
    by_kind = {r["kind"]: r for r in refunds}
    assert by_kind["appeal"]["status"] == "refunding" and by_kind["appeal"]["amount"] == "700.00"
    assert by_kind["negotiated"]["id"] == pending["id"] and by_kind["negotiated"]["status"] == "withdrawn"
    tick(api)
    assert ok(api.get(f"{REFUNDS}/{by_kind['appeal']['id']}", cast.buyer.token))["status"] == "refunded"
    account = ok(api.get("/api/v1/accounts/me", cast.buyer.token))
    assert account["balance"] == "700.00"
    assert get_order(api, cast.buyer, order)["refund_amount"] == "700.00"
