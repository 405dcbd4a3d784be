"""POST /orders: buyer and seller must be principals of those roles; a replay compares paid_at as an instant."""
import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import order_body


def _orders_numbered(query_db, order_no: str) -> int:
    from app.models import Order
    return query_db(lambda s: s.scalar(select(func.count()).select_from(Order).where(Order.order_no == order_no)))


@pytest.mark.parametrize("field", ["buyer", "seller"])
def test_an_unknown_party_is_a_422_naming_the_field_and_nothing_is_stored(api, cast, query_db, field):
    body = order_body(cast.buyer.name, cast.seller.name)
    body[field] = f"nobody-{uuid.uuid4().hex[:8]}"
    response = api.post("/api/v1/orders", cast.platform.token, json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "validation_failed" and list(problem["errors"]) == [field]
    assert body[field] in problem["errors"][field][0]
    assert _orders_numbered(query_db, body["order_no"]) == 0


def test_a_principal_of_another_role_is_no_buyer(api, cast, query_db):
    body = order_body(cast.seller.name, cast.seller.name)  # a seller named as the buyer
    response = api.post("/api/v1/orders", cast.platform.token, json=body)
    assert response.status_code == 422, response.text
    assert list(response.json()["errors"]) == ["buyer"]
    assert _orders_numbered(query_db, body["order_no"]) == 0


def test_both_unknown_parties_are_named_at_once(api, cast):
    body = order_body("nobody-b", "nobody-s")
    response = api.post("/api/v1/orders", cast.platform.token, json=body)
    assert response.status_code == 422 and set(response.json()["errors"]) == {"buyer", "seller"}


@pytest.mark.parametrize("retry_paid_at", ["2026-01-05T16:00:00+08:00", "2026-01-05T03:00:00-05:00",
                                           "2026-01-05T08:00:00Z"])
def test_the_same_paid_at_instant_in_another_offset_is_an_idempotent_replay(api, cast, query_db, retry_paid_at):
    body = order_body(cast.buyer.name, cast.seller.name)  # paid_at 2026-01-05T08:00:00+00:00
    first = api.post("/api/v1/orders", cast.platform.token, json=body)
    assert first.status_code == 201, first.text
    again = api.post("/api/v1/orders", cast.platform.token, json={**body, "paid_at": retry_paid_at})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert _orders_numbered(query_db, body["order_no"]) == 1


def test_another_paid_at_instant_is_still_a_conflict(api, cast):
    body = order_body(cast.buyer.name, cast.seller.name)
    assert api.post("/api/v1/orders", cast.platform.token, json=body).status_code == 201
    other = api.post("/api/v1/orders", cast.platform.token, json={**body, "paid_at": "2026-01-05T08:00:00+08:00"})
    assert other.status_code == 409, other.text
