"""GET /orders/{id}/history: the append-only, hash-chained operation log of one order."""
import re
from datetime import datetime

import pytest

FIELDS = {"seq", "at", "actor", "type", "node", "action", "data", "attachments", "hash"}


def history_of(api, who, order):
    return api.get(f"/api/v1/orders/{order['id']}/history", who.token if who else None)


def events_of(api, who, order) -> list:
    response = history_of(api, who, order)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def completed(place_order, walk, act, cast):
    """An order taken from placement to acceptance, with the attachments used on the way."""
    order = place_order()
    at_confirm = walk(order, "confirm_acceptance")
    done = act(cast.buyer, at_confirm, "accept")
    assert done.status_code == 200, done.text
    return done.json()


def test_the_history_is_oldest_first_with_consecutive_seq_numbers(api, cast, completed):
    events = events_of(api, cast.buyer, completed)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    times = [datetime.fromisoformat(e["at"]) for e in events]
    assert times == sorted(times)


def test_every_event_has_the_contract_fields(api, cast, completed):
    for event in events_of(api, cast.buyer, completed):
        assert set(event) >= FIELDS, event
        assert set(event["actor"]) >= {"name", "role"}
        assert isinstance(event["data"], dict) and isinstance(event["attachments"], list)
        assert re.fullmatch(r"[0-9a-f]{64}", event["hash"])


def test_event_times_carry_an_offset(api, cast, completed):
    assert all(datetime.fromisoformat(e["at"]).utcoffset() is not None for e in events_of(api, cast.buyer, completed))


def test_the_first_event_is_the_platform_placing_the_order(api, cast, place_order):
    first = events_of(api, cast.buyer, place_order())[0]
    assert first["type"] == "order_placed"
    assert first["actor"] == {"name": cast.platform.name, "role": "platform"}


def test_a_completed_task_records_node_action_data_and_attachments(api, cast, place_order, act, upload):
    order = place_order()
    document = upload(cast.buyer)
    act(cast.buyer, order, "submit_requirement", {"description": "Migrate 2 TB"}, [document])
    event = [e for e in events_of(api, cast.buyer, order) if e["type"] == "task_completed"][-1]
    assert event["actor"] == {"name": cast.buyer.name, "role": "buyer"}
    assert (event["node"], event["action"]) == ("submit_requirement", "submit_requirement")
    assert event["data"]["description"] == "Migrate 2 TB"
    assert event["attachments"] == [document]


def test_a_rejection_records_its_reason(api, cast, place_order, walk, act):
    order = walk(place_order(), "confirm_acceptance")
    act(cast.buyer, order, "reject", {"reason": "Half the tables are missing"})
    event = events_of(api, cast.seller, order)[-1]
    assert (event["type"], event["node"], event["action"]) == ("task_completed", "confirm_acceptance", "reject")
    assert event["data"]["reason"] == "Half the tables are missing"


def test_an_accepted_order_ends_with_the_acceptance_then_order_completed(api, cast, completed):
    events = events_of(api, cast.buyer, completed)
    assert [e["type"] for e in events] == ["order_placed", "task_completed", "task_completed", "task_completed",
                                           "order_completed"]
    assert [e["action"] for e in events[1:4]] == ["submit_requirement", "deliver", "accept"]


def test_an_unsupervised_order_is_placed_and_completed_at_once(api, cast, place_order):
    order = place_order(delivery_type="api", manual_kind=None)
    assert [e["type"] for e in events_of(api, cast.buyer, order)] == ["order_placed", "order_completed"]


def test_new_events_are_appended_and_earlier_ones_never_change(api, cast, place_order, walk, act):
    order = walk(place_order(), "confirm_acceptance")
    before = events_of(api, cast.buyer, order)
    act(cast.buyer, order, "accept")
    after = events_of(api, cast.buyer, order)
    assert after[:len(before)] == before
    assert len(after) > len(before)


def test_each_hash_is_sha256_of_the_previous_hash_and_the_canonical_event(api, cast, completed, query_db):
    from sqlalchemy import select

    from app.models import AuditEvent
    from app.services.core.audit import GENESIS, chain_hash

    rows = query_db(lambda s: s.scalars(select(AuditEvent).where(AuditEvent.order_id == completed["id"])
                                        .order_by(AuditEvent.seq)).all())
    shown = events_of(api, cast.buyer, completed)
    assert [r.hash for r in rows] == [e["hash"] for e in shown]
    prev = GENESIS
    for row in rows:
        assert row.prev_hash == prev
        assert row.hash == chain_hash(prev, row)
        prev = row.hash


def test_the_hashes_of_two_orders_do_not_collide(api, cast, place_order):
    first, second = place_order(), place_order()
    assert events_of(api, cast.buyer, first)[0]["hash"] != events_of(api, cast.buyer, second)[0]["hash"]


@pytest.mark.parametrize("who", ["seller", "ops", "admin"])
def test_the_seller_and_staff_read_the_history(api, cast, place_order, who):
    order = place_order()
    assert events_of(api, getattr(cast, who), order)[0]["type"] == "order_placed"


@pytest.mark.parametrize("outsider", ["other_buyer", "other_seller"])
def test_a_buyer_or_seller_of_another_order_gets_404(api, cast, place_order, outsider):
    response = history_of(api, getattr(cast, outsider), place_order())
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


def test_an_analyst_may_not_read_an_orders_history(api, cast, place_order):
    response = history_of(api, cast.analyst, place_order())
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "forbidden"


def test_the_history_of_an_unknown_order_is_not_found(api, cast):
    response = api.get("/api/v1/orders/no-such-order/history", cast.ops.token)
    assert response.status_code == 404


def test_reading_the_history_without_a_token_is_unauthenticated(api, place_order):
    response = history_of(api, None, place_order())
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
