"""Free trials (免费试用, buyer guide §3.1, §3.3, §4.3.1.3; Table 6-1 SaaS remarks; docs/domain.md §4.5): the
price is 0, a buyer cannot take the same product and spec twice (409 trial_already_used), trials are never
refundable, and the platform converts a trial into a paid order (a renewal of kind trial_to_formal)."""
import uuid

import pytest

from tests.api.test_renewals import NOW, outbox, renew, tick
from tests.conftest import order_body
from tests.helpers import get_order, history, ok

ORDERS = "/api/v1/orders"
TRIAL_END = "2026-03-09T09:00:00+00:00"


@pytest.fixture
def trial_body(cast, clock):
    clock(set=NOW)

    def make(buyer=None, **product):
        body = order_body((buyer or cast.buyer).name, cast.seller.name, delivery_type="saas", manual_kind=None,
                          supervised=False, **product)
        body.update(trial=True, amount_paid="0.00", billing={"mode": "periodic", "period": "P7D"},
                    paid_at="2026-03-02T08:00:00+00:00")
        return body

    return make


def place(api, cast, body):
    return api.post(ORDERS, cast.platform.token, json=body)


def convert(api, who, order, **changes):
    body = {"conversion_no": f"CV{uuid.uuid4().hex[:16]}", "period": "P1M", "amount_paid": "1000.00",
            "paid_at": "2026-03-02T08:30:00+00:00", **changes}
    return api.post(f"{ORDERS}/{order['id']}/conversions", who.token, json=body)


def test_a_trial_is_free_and_runs_for_its_period(api, cast, trial_body):
    """§3.1: the trial's price is 0; §3.2: the buyer sees the remaining trial time (its validity)."""
    order = ok(place(api, cast, trial_body()), 201)
    assert order["trial"] is True and order["amount_paid"] == "0.00" and order["status"] == "completed"
    assert order["validity"] == {"start": NOW, "end": TRIAL_END}


def test_a_buyer_takes_a_trial_of_a_product_and_spec_once(api, cast, trial_body, problem):
    """§3.1: free-trial goods cannot be bought twice."""
    ok(place(api, cast, trial_body()), 201)
    body = problem(place(api, cast, trial_body()), 409, "trial_already_used")
    assert body["detail"]
    ok(place(api, cast, trial_body(spec="Enterprise")), 201)  # another spec
    ok(place(api, cast, trial_body(buyer=cast.other_buyer)), 201)  # another buyer


def test_the_same_trial_order_again_is_the_same_order(api, cast, trial_body):
    body = trial_body()
    first = ok(place(api, cast, body), 201)
    assert ok(place(api, cast, body), 200)["id"] == first["id"]


def test_a_refused_second_trial_leaves_no_order(api, cast, trial_body, problem):
    ok(place(api, cast, trial_body()), 201)
    body = trial_body()
    problem(place(api, cast, body), 409, "trial_already_used")
    listed = ok(api.get(ORDERS, cast.buyer.token, params={"page_size": 100}))
    assert body["order_no"] not in [o["order_no"] for o in listed]


@pytest.mark.parametrize(("change", "field"), [({"amount_paid": "1.00"}, "amount_paid"),
                                               ({"billing": {"mode": "one_off"}}, "trial"),
                                               ({"trial": "maybe"}, "trial")])
def test_a_trial_that_is_not_free_or_not_periodic_is_422(api, cast, trial_body, problem, change, field):
    body = trial_body()
    found = problem(place(api, cast, {**body, **change}), 422, "validation_failed")
    assert field in found["errors"]
    assert ok(place(api, cast, body), 201)["trial"] is True  # nothing was written: the trial is still free


def test_a_trial_is_never_refundable(api, cast, trial_body, problem):
    """Table 6-1, SaaS remarks: trial orders are not refundable."""
    order = ok(place(api, cast, trial_body()), 201)
    found = ok(api.get(f"{ORDERS}/{order['id']}/refund-options", cast.buyer.token))
    assert (found["allowed"], found["why_not"]) == (False, "trial")
    response = api.post(f"{ORDERS}/{order['id']}/refunds", cast.buyer.token,
                        json={"amount": "0.01", "reason": "did not like it"})
    assert problem(response, 409, "refund_not_allowed")["reason"] == "trial"


def test_a_trial_is_converted_not_renewed(api, cast, trial_body, problem, query_db):
    """§4.3.1.3: trial -> commercial, choosing a renewal period; the formal period follows the trial's."""
    order = ok(place(api, cast, trial_body()), 201)
    problem(renew(api, cast.platform, order), 409, "conflict")
    converted = ok(convert(api, cast.platform, order), 201)
    assert (converted["kind"], converted["start"], converted["end"]) == ("trial_to_formal", TRIAL_END,
                                                                         "2026-04-09T09:00:00+00:00")
    seen = get_order(api, cast.buyer, order)
    assert seen["trial"] is False and seen["validity"]["end"] == "2026-04-09T09:00:00+00:00"
    assert "trial_converted" in [e["type"] for e in history(api, cast.buyer, order)]
    [event] = outbox(query_db, order, "order.trial_converted")
    assert event["renewal_id"] == converted["id"] and event["expire_time"] == "2026-04-09T09:00:00+00:00"
    problem(convert(api, cast.platform, order), 409, "conflict")  # converted already
    ok(renew(api, cast.platform, order), 201)  # a formal order renews


def test_a_conversion_is_idempotent_and_the_platforms(api, cast, trial_body, problem, saas):
    order = ok(place(api, cast, trial_body()), 201)
    number = f"CV{uuid.uuid4().hex[:16]}"
    for who in (cast.buyer, cast.seller, cast.ops):
        problem(convert(api, who, order, conversion_no=number), 403, "forbidden")
    first = ok(convert(api, cast.platform, order, conversion_no=number), 201)
    assert ok(convert(api, cast.platform, order, conversion_no=number), 200) == first
    problem(convert(api, cast.platform, order, conversion_no=number, amount_paid="1.00"), 409, "conflict")
    problem(convert(api, cast.platform, saas()), 409, "conflict")  # not a trial
    problem(convert(api, cast.platform, order, period="P0D"), 422, "validation_failed")


def test_an_expired_trial_converted_in_its_grace_period_comes_back(api, cast, trial_body, clock):
    order = ok(place(api, cast, trial_body()), 201)
    clock(set="2026-03-12T09:00:00+00:00")
    tick(api)
    assert get_order(api, cast.buyer, order)["status"] == "expired"
    converted = ok(convert(api, cast.platform, order, paid_at="2026-03-12T08:00:00+00:00"), 201)
    assert converted["start"] == TRIAL_END  # §4.3.1.1: from the original expiry
    assert get_order(api, cast.buyer, order)["status"] == "completed"


def test_a_trial_takes_no_auto_renewal(api, cast, trial_body, problem):
    order = ok(place(api, cast, trial_body()), 201)
    problem(api.request("PUT", f"{ORDERS}/{order['id']}/expiry-policy", cast.buyer.token,
                        json={"policy": "auto_renew", "period": "P1M", "count": 1}), 422, "validation_failed")
