"""The expiry policy (修改到期策略, buyer guide §4.3.2, §4.3.3; docs/domain.md §4.4): auto-renewal with a
renewal period and a number of renewals, or "do not renew at expiry"; only periodic SaaS, image, manual
service and License. The scheduler renews AUTO_RENEW_LEAD (P7D) before the end, each a renewal record."""
import pytest

from tests.api.test_renewals import outbox, tick
from tests.helpers import get_order, history, ok

ORDERS = "/api/v1/orders"
END = "2026-04-02T09:00:00+00:00"


def set_policy(api, who, order, **body):
    return api.request("PUT", f"{ORDERS}/{order['id']}/expiry-policy", who.token, json=body)


def test_auto_renew_renews_seven_days_before_the_end_count_times(api, cast, saas, clock, query_db):
    """§4.3.2.1: with auto-renewal on, the system renews before expiry; the buyer chose period and count."""
    order = saas()
    seen = ok(set_policy(api, cast.buyer, order, policy="auto_renew", period="P1M", count=2))
    assert seen["expiry_policy"] == {"policy": "auto_renew", "period": "P1M", "count": 2, "remaining": 2}
    clock(set="2026-03-26T08:59:59+00:00")
    tick(api)
    assert get_order(api, cast.buyer, order)["renewals"] == []
    clock(set="2026-03-26T09:00:00+00:00")  # END - P7D
    assert tick(api)["fired"] == 1
    [first] = get_order(api, cast.buyer, order)["renewals"]
    assert (first["kind"], first["start"], first["end"]) == ("auto_renewal", END, "2026-05-02T09:00:00+00:00")
    assert first["amount_paid"] == "1000.00"
    assert tick(api)["fired"] == 0  # not twice for one end
    clock(set="2026-04-25T09:00:00+00:00")
    tick(api)
    clock(set="2026-05-26T09:00:00+00:00")
    tick(api)  # the count is used up: no third renewal
    seen = get_order(api, cast.buyer, order)
    assert [r["kind"] for r in seen["renewals"]] == ["auto_renewal", "auto_renewal"]
    assert seen["validity"]["end"] == "2026-06-02T09:00:00+00:00" and seen["expiry_policy"]["remaining"] == 0
    assert [e["type"] for e in history(api, cast.buyer, order)].count("order_renewed") == 2
    assert len(outbox(query_db, order, "order.renewed")) == 2
    clock(set="2026-06-02T09:00:00+00:00")
    tick(api)
    assert get_order(api, cast.buyer, order)["status"] == "expired"


def test_do_not_renew_means_no_renewal(api, cast, saas, clock):
    order = saas()
    seen = ok(set_policy(api, cast.buyer, order, policy="do_not_renew"))
    assert seen["expiry_policy"]["policy"] == "do_not_renew"
    clock(set=END)
    tick(api)
    seen = get_order(api, cast.buyer, order)
    assert seen["renewals"] == [] and seen["status"] == "expired"


def test_switching_to_do_not_renew_stops_auto_renewal(api, cast, saas, clock):
    order = saas()
    ok(set_policy(api, cast.buyer, order, policy="auto_renew", period="P1M", count=3))
    ok(set_policy(api, cast.buyer, order, policy="do_not_renew"))
    clock(set="2026-03-30T09:00:00+00:00")
    tick(api)
    assert get_order(api, cast.buyer, order)["renewals"] == []
    assert "expiry_policy_changed" in [e["type"] for e in history(api, cast.buyer, order)]


@pytest.mark.parametrize("delivery_type", ["saas", "image"])
def test_periodic_saas_and_images_take_a_policy(api, cast, saas, delivery_type):
    order = saas(product={"delivery_type": delivery_type})
    ok(set_policy(api, cast.buyer, order, policy="do_not_renew"))


def test_manual_service_and_license_take_a_policy(api, cast, place_order, clock):
    clock(set="2026-03-02T09:00:00+00:00")
    ok(set_policy(api, cast.buyer, place_order(), policy="auto_renew", period="P1M", count=1))
    license_order = place_order(delivery_type="license", manual_kind=None, license_mode="offline")
    ok(set_policy(api, cast.buyer, license_order, policy="do_not_renew"))


@pytest.mark.parametrize("product", [{"delivery_type": "hardware", "manual_kind": None, "supervised": True},
                                     {"delivery_type": "container"}, {"delivery_type": "api"}])
def test_other_types_have_no_expiry_policy(api, cast, place_order, clock, problem, snapshot, product):
    """§4.3.2.1: auto-renewal is for SaaS, image, manual service and License only."""
    from tests.conftest import order_body
    clock(set="2026-03-02T09:00:00+00:00")
    body = order_body(cast.buyer.name, cast.seller.name, **{"supervised": False, "manual_kind": None, **product})
    order = place_order(body)
    before = snapshot(order)
    problem(set_policy(api, cast.buyer, order, policy="do_not_renew"), 422, "validation_failed")
    assert snapshot(order) == before and get_order(api, cast.buyer, order)["expiry_policy"] is None


def test_one_off_orders_have_no_expiry_policy(api, cast, saas, problem):
    order = saas(billing={"mode": "one_off"})
    problem(set_policy(api, cast.buyer, order, policy="do_not_renew"), 422, "validation_failed")


@pytest.mark.parametrize("body", [{"policy": "auto_renew"}, {"policy": "auto_renew", "period": "P1M"},
                                  {"policy": "auto_renew", "count": 2},
                                  {"policy": "auto_renew", "period": "P1M", "count": 0},
                                  {"policy": "auto_renew", "period": "P1M", "count": 101},
                                  {"policy": "auto_renew", "period": "month", "count": 1},
                                  {"policy": "do_not_renew", "count": 1}, {"policy": "never"}, {}])
def test_bad_policies_are_422_and_change_nothing(api, cast, saas, problem, snapshot, body):
    order = saas()
    before = snapshot(order)
    problem(set_policy(api, cast.buyer, order, **body), 422, "validation_failed")
    assert snapshot(order) == before and get_order(api, cast.buyer, order)["expiry_policy"] is None


@pytest.mark.parametrize(("who", "status", "code"), [("seller", 403, "forbidden"), ("platform", 403, "forbidden"),
                                                     ("ops", 403, "forbidden"), ("other_buyer", 404, "not_found")])
def test_only_the_orders_buyer_sets_the_policy(api, cast, saas, problem, who, status, code):
    order = saas()
    problem(set_policy(api, getattr(cast, who), order, policy="do_not_renew"), status, code)
    assert get_order(api, cast.buyer, order)["expiry_policy"] is None


def test_a_released_order_has_no_policy_to_change(api, cast, saas, clock, problem):
    order = saas()
    clock(set="2026-06-01T00:00:00+00:00")
    tick(api)
    problem(set_policy(api, cast.buyer, order, policy="do_not_renew"), 409, "conflict")
