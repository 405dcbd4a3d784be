"""Refunding a renewal period (退订资源的续费周期, buyer guide §6.3.2.4; Table 6-1 remarks; docs/domain.md §4.3):
a renewal not yet in effect is refunded in full without seller review (kind `renewal`), through
`refunding` -> `refunded` and the buyer's ledger like every refund; an effective renewal is not refundable
(409 refund_not_allowed, reason `renewal_effective`)."""
from tests.api.test_renewals import renew, renewal_body, tick
from tests.helpers import get_order, history, ok

ORDERS = "/api/v1/orders"
END = "2026-04-02T09:00:00+00:00"


def refund(api, who, order, renewal, **body):
    return api.post(f"{ORDERS}/{order['id']}/renewals/{renewal['id']}/refund", who.token, json=body or None)


def options(api, who, order):
    return ok(api.get(f"{ORDERS}/{order['id']}/refund-options", who.token))


def test_a_renewal_not_yet_in_effect_is_refunded_in_full_without_the_seller(api, cast, saas, clock):
    order = saas()
    first = ok(renew(api, cast.platform, order, renewal_body(amount="300.00")), 201)
    second = ok(renew(api, cast.platform, order, renewal_body(amount="500.00", period="P2M")), 201)
    assert options(api, cast.buyer, order)["renewals"] == [
        {"id": first["id"], "refundable": True, "amount": "300.00", "why_not": None},
        {"id": second["id"], "refundable": True, "amount": "500.00", "why_not": None}]
    made = ok(refund(api, cast.buyer, order, first, reason="renewed by mistake", amount="300.00"), 201)
    assert (made["kind"], made["amount"], made["status"], made["nodes"]) == ("renewal", "300.00", "refunding", [])
    seen = get_order(api, cast.buyer, order)
    assert seen["renewals"][0]["status"] == "refunding"
    # the refunded period no longer counts: the second renewal moves up to the original end
    assert (seen["renewals"][1]["start"], seen["renewals"][1]["end"]) == (END, "2026-06-02T09:00:00+00:00")
    assert seen["validity"]["end"] == "2026-06-02T09:00:00+00:00"
    assert [t for t in ok(api.get("/api/v1/tasks", cast.seller.token)) if t["order_id"] == order["id"]] == []
    assert tick(api)["fired"] == 1
    assert ok(api.get(f"/api/v1/refunds/{made['id']}", cast.buyer.token))["status"] == "refunded"
    seen = get_order(api, cast.buyer, order)
    assert seen["status"] == "completed" and seen["renewals"][0]["status"] == "refunded"
    account = ok(api.get("/api/v1/accounts/me", cast.buyer.token))
    assert account["balance"] == "300.00" and account["entries"][0]["refund_id"] == made["id"]
    assert [e["type"] for e in history(api, cast.buyer, order)][-2:] == ["refund_requested", "refund_completed"]


def test_an_effective_renewal_is_not_refundable(api, cast, saas, clock, problem, snapshot):
    """Table 6-1 remarks: effective renewals cannot be refunded."""
    order = saas()
    renewal = ok(renew(api, cast.platform, order), 201)
    clock(set=END)  # the renewal's period has begun
    before = snapshot(order)
    body = problem(refund(api, cast.buyer, order, renewal), 409, "refund_not_allowed")
    assert body["reason"] == "renewal_effective" and "effect" in body["detail"]
    assert snapshot(order) == before
    assert options(api, cast.buyer, order)["renewals"][0]["why_not"] == "renewal_effective"
    assert ok(api.get("/api/v1/refunds", cast.buyer.token, params={"order_id": order["id"]})) == []


def test_a_queued_renewal_is_refundable(api, cast, place_order, walk, clock):
    """Before supervision completes the renewal has not started: a full refund; the supervision goes on."""
    clock(set="2026-03-02T09:00:00+00:00")
    order = walk(place_order(), "deliver")
    renewal = ok(renew(api, cast.platform, order), 201)
    ok(refund(api, cast.buyer, order, renewal), 201)
    tick(api)
    seen = get_order(api, cast.buyer, order)
    assert seen["status"] == "processing" and seen["nodes"][0]["id"] == "deliver"
    assert seen["renewals"][0]["status"] == "refunded"


def test_a_renewal_is_refunded_once(api, cast, saas, problem):
    order = saas()
    renewal = ok(renew(api, cast.platform, order), 201)
    ok(refund(api, cast.buyer, order, renewal), 201)
    assert problem(refund(api, cast.buyer, order, renewal), 409, "refund_not_allowed")["reason"] == "refund_open"
    tick(api)
    assert problem(refund(api, cast.buyer, order, renewal), 409, "refund_not_allowed")["reason"] == \
        "already_refunded"
    assert ok(api.get("/api/v1/accounts/me", cast.buyer.token))["balance"] == "1000.00"


def test_only_the_orders_buyer_refunds_its_renewals(api, cast, saas, problem):
    order = saas()
    renewal = ok(renew(api, cast.platform, order), 201)
    for who in (cast.seller, cast.platform, cast.ops, cast.admin):
        problem(refund(api, who, order, renewal), 403, "forbidden")
    problem(refund(api, cast.other_buyer, order, renewal), 404, "not_found")
    problem(api.post(f"{ORDERS}/{order['id']}/renewals/{renewal['id']}/refund"), 401, "unauthenticated")
    assert get_order(api, cast.buyer, order)["renewals"][0]["status"] == "active"


def test_a_renewal_of_another_order_is_not_found(api, cast, saas, problem):
    order, other = saas(), saas()
    renewal = ok(renew(api, cast.platform, other), 201)
    problem(refund(api, cast.buyer, order, renewal), 404, "not_found")
    problem(refund(api, cast.buyer, order, {"id": "nope"}), 404, "not_found")
    problem(refund(api, cast.buyer, order, renewal, reason="x" * 5001), 422, "validation_failed")
    problem(refund(api, cast.buyer, other, renewal, amount="1.00"), 422, "validation_failed")  # not in full
    problem(refund(api, cast.buyer, other, renewal, goods="received"), 422, "validation_failed")
    assert get_order(api, cast.buyer, other)["renewals"][0]["status"] == "active"


def test_renewal_refunds_are_listed_with_the_buyers_refunds(api, cast, saas):
    order = saas()
    renewal = ok(renew(api, cast.platform, order), 201)
    made = ok(refund(api, cast.buyer, order, renewal), 201)
    listed = ok(api.get("/api/v1/refunds", cast.seller.token, params={"order_id": order["id"]}))
    assert [(r["id"], r["kind"]) for r in listed] == [(made["id"], "renewal")]
