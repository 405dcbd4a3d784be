"""Five-day no-reason refunds of non-supervised periodic SaaS and images (buyer guide §6.3.1, §6.3.2.2;
Table 6-1): full amount only, no seller, within 5 days of payment, 10 a calendar year (Beijing time)."""
import pytest

from tests.api.test_refunds import REFUNDS, ask, options, tick
from tests.conftest import order_body
from tests.helpers import get_order, history, ok

PAID_AT = "2026-03-01T08:00:00+00:00"


@pytest.fixture
def unsupervised(place_order, cast, clock):
    """unsupervised(delivery_type='saas', mode='periodic', paid_at=...) -> a paid non-supervised order."""
    clock(set="2026-03-02T09:00:00+00:00")

    def place(delivery_type="saas", mode="periodic", paid_at=PAID_AT):
        body = order_body(cast.buyer.name, cast.seller.name, delivery_type=delivery_type, manual_kind=None,
                          supervised=False)
        body.update(paid_at=paid_at, billing={"mode": mode, "period": "P1M"} if mode == "periodic" else {"mode": mode})
        return place_order(body)

    return place


@pytest.mark.parametrize("delivery_type", ["saas", "image"])
def test_a_five_day_refund_needs_no_seller_and_is_refunded_in_full(api, cast, unsupervised, delivery_type):
    """Table 6-1: non-supervised periodic SaaS and periodic images get the 5-day no-reason full refund."""
    order = unsupervised(delivery_type)
    found = options(api, cast.buyer, order)
    assert (found["rule"], found["allowed"], found["max_amount"]) == ("five_day", True, "1000.00")
    refund = ok(ask(api, cast.buyer, order, amount="1000.00"), 201)
    assert (refund["kind"], refund["status"], refund["status_zh"]) == ("five_day", "refunding", "退款中")
    assert refund["available_actions"] == [] and refund["nodes"] == []
    assert ok(api.get("/api/v1/refund-quota", cast.buyer.token))["used"] == 1
    assert tick(api)["fired"] == 1
    assert ok(api.get(f"{REFUNDS}/{refund['id']}", cast.buyer.token))["status"] == "refunded"
    assert get_order(api, cast.buyer, order)["status"] == "refunded"
    assert ok(api.get("/api/v1/accounts/me", cast.buyer.token))["balance"] == "1000.00"
    assert "refund_completed" in [e["type"] for e in history(api, cast.buyer, order)]
    assert [r for r in ok(api.get("/api/v1/tasks", cast.seller.token)) if r["order_id"] == order["id"]] == []


def test_only_the_full_amount(api, cast, unsupervised, problem, snapshot):
    order = unsupervised()
    before = snapshot(order)
    assert "amount" in problem(ask(api, cast.buyer, order, amount="999.99"), 422, "validation_failed")["errors"]
    assert snapshot(order) == before
    assert ok(api.get("/api/v1/refund-quota", cast.buyer.token))["used"] == 0


def test_within_five_days_of_payment_only(api, cast, unsupervised, problem, clock):
    order = unsupervised()
    clock(set="2026-03-06T08:00:00+00:00")  # exactly 5 days after paid_at: still inside
    assert options(api, cast.buyer, order)["allowed"] is True
    clock(set="2026-03-06T08:00:01+00:00")
    assert options(api, cast.buyer, order)["why_not"] == "five_day_window_over"
    assert problem(ask(api, cast.buyer, order, amount="1000.00"), 409, "refund_not_allowed")["reason"] == \
        "five_day_window_over"


@pytest.mark.parametrize(("delivery_type", "mode"), [("saas", "one_off"), ("saas", "on_demand"),
                                                     ("image", "on_demand"), ("container", "periodic")])
def test_other_unsupervised_products_are_not_refundable(api, cast, unsupervised, problem, delivery_type, mode):
    order = unsupervised(delivery_type, mode)
    found = options(api, cast.buyer, order)
    assert (found["rule"], found["allowed"], found["why_not"]) == ("none", False, "not_refundable")
    assert problem(ask(api, cast.buyer, order, amount="1000.00"), 409, "refund_not_allowed")["reason"] == \
        "not_refundable"


def test_ten_five_day_refunds_per_calendar_year_in_beijing_time(api, cast, unsupervised, problem, clock):
    """§6.3.1: 10 self-service refunds per account per calendar year, counted from Jan 1."""
    clock(set="2026-12-31T15:00:00+00:00")
    for _ in range(10):
        ok(ask(api, cast.buyer, unsupervised(paid_at="2026-12-31T08:00:00+00:00"), amount="1000.00"), 201)
    assert ok(api.get("/api/v1/refund-quota", cast.buyer.token)) == {"year": 2026, "limit": 10, "used": 10,
                                                                     "remaining": 0}
    eleventh = unsupervised(paid_at="2026-12-31T08:00:00+00:00")
    assert options(api, cast.buyer, eleventh)["why_not"] == "quota_exhausted"
    assert problem(ask(api, cast.buyer, eleventh, amount="1000.00"), 409, "refund_not_allowed")["reason"] == \
        "quota_exhausted"
    assert ok(api.get("/api/v1/refund-quota", cast.other_buyer.token))["used"] == 0  # per buyer
    clock(set="2026-12-31T16:00:00+00:00")  # midnight in Beijing: a new year, a new quota
    assert ok(api.get("/api/v1/refund-quota", cast.buyer.token))["year"] == 2027
    assert ok(ask(api, cast.buyer, eleventh, amount="1000.00"), 201)["kind"] == "five_day"


def test_the_quota_is_the_buyers_own(api, cast, problem):
    problem(api.get("/api/v1/refund-quota", cast.seller.token), 403, "forbidden")
    problem(api.get("/api/v1/accounts/me", cast.ops.token), 403, "forbidden")
