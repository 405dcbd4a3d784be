"""Keyset pages of GET /orders, /tasks and /appeals: `after` (a cursor) in, `next_after` in X-Pagination out
(docs/decisions.md, "Keyset pagination"); the page/page_size contract stays as it was."""
import base64
import json

import pytest

ORDERS, TASKS, APPEALS = "/api/v1/orders", "/api/v1/tasks", "/api/v1/appeals"
START = "2026-11-16T09:00:00+00:00"


def _meta(response) -> dict:
    assert response.status_code == 200, response.text
    return json.loads(response.headers["X-Pagination"])


def walk_by_cursor(api, who, url, between=None, **params) -> list[str]:
    """Every id the listing gives when following next_after, page_size 2; `between(n)` runs after page n."""
    ids, after, pages = [], None, 0
    while True:
        response = api.get(url, who.token, params={**params, "page_size": 2, **({"after": after} if after else {})})
        meta = _meta(response)
        ids += [item["id"] for item in response.json()]
        pages += 1
        if between:
            between(pages)
        after = meta.get("next_after")
        if after is None:
            return ids
        assert pages < 100, "the cursor walk does not end"


def walk_by_page(api, who, url, **params) -> list[str]:
    ids, page = [], 1
    while True:
        response = api.get(url, who.token, params={**params, "page": page, "page_size": 2})
        meta = _meta(response)
        ids += [item["id"] for item in response.json()]
        if page >= meta.get("total_pages", 0):
            return ids
        page += 1


@pytest.fixture
def orders(api, clock, place_order):
    """Seven orders of the cast's buyer: three placed at one instant (ties on created_at), then one a minute."""
    clock(set=START)
    placed = [place_order() for _ in range(3)]
    for _ in range(4):
        clock(advance="PT1M")
        placed.append(place_order())
    return placed


def test_a_cursor_walk_lists_every_order_once_in_the_page_order(api, cast, orders):
    by_cursor = walk_by_cursor(api, cast.buyer, ORDERS)
    assert sorted(by_cursor) == sorted(o["id"] for o in orders)
    assert by_cursor == walk_by_page(api, cast.buyer, ORDERS)


def test_orders_placed_during_a_walk_neither_repeat_nor_hide_the_others(api, cast, clock, orders, place_order):
    added = []

    def place_more(page):
        if page <= 2:
            clock(advance="PT1M")
            added.append(place_order()["id"])

    by_cursor = walk_by_cursor(api, cast.buyer, ORDERS, between=place_more)
    assert len(by_cursor) == len(set(by_cursor))
    assert set(by_cursor) - set(added) == {o["id"] for o in orders}  # the newer ones sort before the cursor


def test_a_cursor_walk_with_filters_matches_the_filtered_pages(api, cast, orders, place_order):
    place_order(delivery_type="hardware")
    for params in ({"delivery_type": "manual_service"}, {"status": "processing"}, {"frozen": "false"},
                   {"node": "submit_requirement"}, {"delivery_type": "hardware"}):
        assert walk_by_cursor(api, cast.ops, ORDERS, **params) == walk_by_page(api, cast.ops, ORDERS, **params)
    assert len(walk_by_cursor(api, cast.buyer, ORDERS, delivery_type="manual_service")) == len(orders)


def test_x_pagination_keeps_its_members_and_adds_next_after(api, cast, orders):
    first = _meta(api.get(ORDERS, cast.buyer.token, params={"page_size": 3}))
    assert {k: first[k] for k in ("total", "total_pages", "pages", "page", "next_page")} == \
        {"total": 7, "total_pages": 3, "pages": 3, "page": 1, "next_page": 2}
    after = _meta(api.get(ORDERS, cast.buyer.token, params={"page_size": 3, "after": first["next_after"]}))
    assert after["total"] == 7 and "page" not in after and "next_page" not in after
    last = _meta(api.get(ORDERS, cast.buyer.token, params={"page_size": 3, "page": 3}))
    assert "next_after" not in last


def test_the_page_after_a_cursor_is_the_next_page_by_number(api, cast, orders):
    first = api.get(ORDERS, cast.buyer.token, params={"page_size": 3})
    second = api.get(ORDERS, cast.buyer.token, params={"page_size": 3, "page": 2})
    after = api.get(ORDERS, cast.buyer.token, params={"page_size": 3, "after": _meta(first)["next_after"]})
    assert [o["id"] for o in after.json()] == [o["id"] for o in second.json()]


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "not a cursor", "%%%", _cursor({"orders": 1}), _cursor(["orders", "2026-11-16T09:00:00+00:00"]),
    _cursor(["tasks", "2026-11-16T09:00:00+00:00", "abc"]), _cursor(["orders", "yesterday", "abc"]),
    _cursor(["orders", "2026-11-16T09:00:00", "abc"]), _cursor(["orders", 5, "abc"]),
    _cursor(["orders", "2026-11-16T09:00:00+00:00", None]), "x" * 401,
    # values no database takes as a parameter, and an instant with no UTC equivalent: 422, never a 500
    _cursor(["orders", "2026-11-16T09:00:00+00:00", "a\x00b"]), _cursor(["orders", "2026-11-16T09:00:00+00:00", "\ud800"]),
    _cursor(["orders", "0001-01-01T00:00:00+01:00", "abc"])])
def test_a_bad_cursor_is_a_422_problem(api, cast, problem, cursor):
    problem(api.get(ORDERS, cast.buyer.token, params={"after": cursor}), 422)


def test_a_cursor_with_a_page_number_is_a_422_problem(api, cast, orders, problem):
    after = _meta(api.get(ORDERS, cast.buyer.token, params={"page_size": 2}))["next_after"]
    body = problem(api.get(ORDERS, cast.buyer.token, params={"after": after, "page": 2}), 422, "validation_failed")
    assert "after" in json.dumps(body)


def test_a_cursor_of_another_listing_is_refused(api, cast, orders, problem):
    after = _meta(api.get(ORDERS, cast.buyer.token, params={"page_size": 2}))["next_after"]
    problem(api.get(TASKS, cast.buyer.token, params={"after": after}), 422, "validation_failed")
    problem(api.get(APPEALS, cast.ops.token, params={"after": after}), 422, "validation_failed")


def test_a_cursor_walk_of_the_task_inbox_lists_each_task_once_also_with_new_tasks(api, cast, clock, orders,
                                                                                  place_order):
    before = walk_by_page(api, cast.buyer, TASKS)
    assert len(before) == len(orders)  # each order waits for the buyer's requirement
    added = []

    def place_more(page):
        if page == 1:
            clock(advance="PT1M")
            added.append(place_order()["id"])

    by_cursor = walk_by_cursor(api, cast.buyer, TASKS, between=place_more)
    assert len(by_cursor) == len(set(by_cursor)) == len(orders) + 1  # the new task is the newest: seen last
    assert by_cursor[:len(before)] == before
    assert walk_by_cursor(api, cast.buyer, TASKS, node="submit_requirement") == walk_by_page(
        api, cast.buyer, TASKS, node="submit_requirement")


def test_a_cursor_walk_of_the_appeal_inbox_lists_each_appeal_once(api, cast, orders):
    opened = []
    for order in orders[:5]:  # opened at one instant: ties on due_at
        response = api.post(f"{ORDERS}/{order['id']}/appeals", cast.buyer.token,
                            json={"reason": "No answer", "demand": "Refund"})
        assert response.status_code == 201, response.text
        opened.append(response.json()["id"])
    for params in ({"status": "open"}, {}, {"overdue": "false"}):
        by_cursor = walk_by_cursor(api, cast.ops, APPEALS, **params)
        assert by_cursor == walk_by_page(api, cast.ops, APPEALS, **params)
        assert len(by_cursor) == len(set(by_cursor)) and set(opened) <= set(by_cursor)


def test_the_openapi_documents_the_cursor_argument(api):
    spec = api.get("/api/openapi.json").json()
    for path in ("/api/v1/orders", "/api/v1/tasks", "/api/v1/appeals"):
        names = [p["name"] for p in spec["paths"][path]["get"]["parameters"]]
        assert "after" in names and "page" in names, (path, names)
