"""`total` in X-Pagination at scale: rows are counted up to COUNT_LIMIT (1,000); past it `total` is that lower
bound with `total_exact: false`, and a numbered page still says whether another follows (docs/decisions.md,
"Keyset pagination"). The limit is lowered for these tests so a handful of orders crosses it."""
import json

import pytest

from app.services.core import transaction

ORDERS = "/api/v1/orders"
LIMIT = 3


def _meta(response) -> dict:
    assert response.status_code == 200, response.text
    return json.loads(response.headers["X-Pagination"])


@pytest.fixture
def limit(monkeypatch):
    monkeypatch.setattr(transaction, "COUNT_LIMIT", LIMIT)


@pytest.fixture
def five_orders(place_order):
    return [place_order() for _ in range(5)]


def test_the_default_limit_is_a_thousand_and_below_it_the_total_is_exact(api, cast, five_orders):
    assert transaction.COUNT_LIMIT == 1_000
    meta = _meta(api.get(ORDERS, cast.buyer.token, params={"page_size": 2}))
    assert (meta["total"], meta["total_exact"], meta["last_page"], meta["next_page"]) == (5, True, 3, 2)


def test_exactly_the_limit_is_still_an_exact_total(api, cast, place_order, limit):
    for _ in range(LIMIT):
        place_order()
    meta = _meta(api.get(ORDERS, cast.buyer.token, params={"page_size": 2}))
    assert (meta["total"], meta["total_exact"]) == (LIMIT, True)


def test_past_the_limit_the_total_is_a_lower_bound(api, cast, five_orders, limit):
    meta = _meta(api.get(ORDERS, cast.buyer.token, params={"page_size": 2}))
    assert (meta["total"], meta["total_exact"], meta["page"], meta["next_page"]) == (LIMIT, False, 1, 2)


def test_past_the_limit_numbered_pages_go_on_while_rows_follow(api, cast, five_orders, limit):
    pages = [api.get(ORDERS, cast.buyer.token, params={"page": n, "page_size": 2}) for n in (1, 2, 3)]
    metas = [_meta(page) for page in pages]
    assert [len(page.json()) for page in pages] == [2, 2, 1]
    assert [(m["page"], m.get("previous_page"), m.get("next_page")) for m in metas] == \
        [(1, None, 2), (2, 1, 3), (3, 2, None)]
    assert sorted(o["id"] for page in pages for o in page.json()) == sorted(o["id"] for o in five_orders)


def test_past_the_limit_a_cursor_page_keeps_its_cursor_and_no_number(api, cast, five_orders, limit):
    first = _meta(api.get(ORDERS, cast.buyer.token, params={"page_size": 2}))
    after = _meta(api.get(ORDERS, cast.buyer.token, params={"page_size": 2, "after": first["next_after"]}))
    assert (after["total"], after["total_exact"], "page" in after, "next_page" in after) == (LIMIT, False, False, False)
    assert after["next_after"]


def test_a_filtered_listing_is_counted_with_its_filter(api, cast, place_order, limit):
    for _ in range(4):
        place_order()
    place_order(delivery_type="hardware")
    meta = _meta(api.get(ORDERS, cast.buyer.token, params={"delivery_type": "hardware"}))
    assert (meta["total"], meta["total_exact"]) == (1, True)


def test_the_openapi_document_says_what_total_means(api):
    header = api.get("/api/openapi.json").json()["paths"][ORDERS]["get"]["responses"]["200"]["headers"]
    assert "total_exact false" in header["X-Pagination"]["description"]
