"""`GET /orders/{id}` reads the order, its supervision instance and what it knows of its appeals and renewals in
one statement (order_view.ORDER_PAGE): the page is what the listing presents of the same order, which reads
each kind of fact apart."""
import uuid

from tests.factories import order_body
from tests.helpers import ok, recorded_statements


def _page_and_listed(api, who, order_id: str) -> tuple[dict, dict]:
    page = ok(api.get(f"/api/v1/orders/{order_id}", who.token))
    listed = ok(api.get("/api/v1/orders?page_size=100", who.token))
    return page, next(o for o in listed if o["id"] == order_id)


def _selects(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))


def test_an_order_page_runs_three_selects(api, cast, place_order):
    order = place_order()
    with recorded_statements() as seen:
        ok(api.get(f"/api/v1/orders/{order['id']}", cast.buyer.token))
    assert _selects(seen) == 3  # the token, the order with its instance and facts, its ready tasks (was five)


def test_a_placed_order_reads_as_the_listing_shows_it(api, cast, place_order):
    order = place_order()
    page, listed = _page_and_listed(api, cast.buyer, order["id"])
    assert page == listed and (page["open_appeal"], page["renewals"]) == (None, [])


def test_an_order_with_a_renewal_reads_as_the_listing_shows_it(api, cast, place_order):
    order = place_order()
    ok(api.post(f"/api/v1/orders/{order['id']}/renewals", cast.platform.token,
                json={"renewal_no": f"RN{uuid.uuid4().hex[:12]}", "period": "P1M", "amount_paid": "1000.00",
                      "paid_at": "2026-01-06T08:00:00+00:00"}), 201)
    page, listed = _page_and_listed(api, cast.buyer, order["id"])
    assert page == listed and len(page["renewals"]) == 1


def test_an_order_whose_refund_is_under_appeal_reads_as_the_listing_shows_it(api, cast, place_order, clock):
    from tests.api.test_refund_appeals import APPEAL
    from tests.api.test_refunds import ask
    clock(set="2026-03-02T09:00:00+00:00")
    order = place_order()
    refund = ok(ask(api, cast.buyer, order), 201)
    clock(advance="P11D")
    appeal = ok(api.post(f"/api/v1/refunds/{refund['id']}/appeals", cast.buyer.token, json=APPEAL), 201)
    page, listed = _page_and_listed(api, cast.buyer, order["id"])
    assert page == listed and page["open_appeal"] == appeal["id"]


def test_an_unsupervised_order_reads_as_the_listing_shows_it(api, cast, place_order):
    body = order_body(cast.buyer.name, cast.seller.name, delivery_type="saas", manual_kind=None, supervised=False)
    order = place_order(body)
    page, listed = _page_and_listed(api, cast.buyer, order["id"])
    assert page == listed and page["nodes"] == listed["nodes"]


def test_a_hardware_order_reads_as_the_listing_shows_it(api, cast, place_order):
    order = place_order(order_body(cast.buyer.name, cast.seller.name, delivery_type="hardware", manual_kind=None))
    page, listed = _page_and_listed(api, cast.buyer, order["id"])
    assert page == listed


def test_an_order_another_buyer_asks_for_is_404_as_before(api, cast, place_order, problem):
    order = place_order()
    problem(api.get(f"/api/v1/orders/{order['id']}", cast.other_buyer.token), 404, "not_found")
    problem(api.get(f"/api/v1/orders/{uuid.uuid4().hex}", cast.buyer.token), 404, "not_found")
