"""The outbox: use cases a merchant or a notification cares about write an event row in their own
transaction, so the row exists exactly when the change does."""
from datetime import datetime

import pytest
from sqlalchemy import select


def _events(order_id: str) -> list[tuple[str, dict]]:
    from app.models import OutboxEvent
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.order_id == order_id).order_by(OutboxEvent.id))
        return [(r.type, r.payload) for r in rows]


def _placement(cast, **product) -> dict:
    from tests.conftest import order_body
    body = order_body(cast.buyer.name, cast.seller.name, **product)
    body["paid_at"] = datetime.fromisoformat(body["paid_at"])
    return body


def _platform(cast):
    from app.actors import Actor
    return Actor(cast.platform.name, "platform")


def test_record_event_adds_a_pending_row_to_the_callers_transaction_without_committing(app, cast):
    from app.models import Order, OutboxEvent
    from app.services.core.events import record_event
    from app.services.core.transaction import transaction
    from app.services.fulfilment.orders import place_order
    placed, _ = place_order(_platform(cast), _placement(cast))

    class Abort(Exception):
        pass

    with pytest.raises(Abort):
        with transaction() as session:
            event = record_event(session, session.get(Order, placed.id), "test.event", {"n": 1})
            session.flush()
            row = session.get(OutboxEvent, event.id)  # visible inside the transaction...
            assert (row.status, row.attempts, row.delivered_at) == ("pending", 0, None)
            assert row.next_attempt_at == row.created_at
            assert row.payload == {"order_id": placed.id, "order_no": placed.order_no, "n": 1}
            raise Abort
    assert "test.event" not in [t for t, _ in _events(placed.id)]  # ...and gone with its rollback


def test_an_event_without_an_order_has_no_order_id(app):
    from app.models import OutboxEvent
    from app.services.core.events import record_event
    from app.services.core.transaction import transaction
    with transaction() as session:
        event = record_event(session, None, "test.platform_event", {"what": "x"})
    with transaction(readonly=True) as session:
        row = session.get(OutboxEvent, event.id)
        assert (row.order_id, row.type, row.payload) == (None, "test.platform_event", {"what": "x"})


def test_placing_an_order_records_order_placed(app, cast):
    from app.services.fulfilment.orders import place_order
    placed, _ = place_order(_platform(cast), _placement(cast))
    [(kind, payload)] = _events(placed.id)
    assert kind == "order.placed"
    assert payload["amount_paid"] == "1000.00" and payload["buyer"] == cast.buyer.name


def test_an_idempotent_replay_records_nothing_more(app, cast):
    from app.services.fulfilment.orders import place_order
    body = _placement(cast)
    placed, _ = place_order(_platform(cast), body)
    place_order(_platform(cast), dict(body))
    assert [t for t, _ in _events(placed.id)] == ["order.placed"]


def test_a_placement_refused_after_its_event_was_written_leaves_no_outbox_row(app, cast):
    from app.errors import ValidationFailedError
    from app.models import Order, OutboxEvent
    from app.services.core.transaction import transaction
    from app.services.fulfilment.orders import place_order
    body = _placement(cast, goods_class="unroutable")  # refused by routing, after order.placed was recorded
    with transaction(readonly=True) as session:
        before = session.scalar(select(OutboxEvent.id).order_by(OutboxEvent.id.desc()).limit(1))
    with pytest.raises(ValidationFailedError):
        place_order(_platform(cast), body)
    with transaction(readonly=True) as session:
        assert session.scalar(select(Order).where(Order.order_no == body["order_no"])) is None
        assert session.scalar(select(OutboxEvent.id).order_by(OutboxEvent.id.desc()).limit(1)) == before


def test_an_unsupervised_order_is_placed_and_completed_in_the_outbox(app, cast):
    from app.services.fulfilment.orders import place_order
    placed, _ = place_order(_platform(cast), _placement(cast, supervised=False))
    assert [t for t, _ in _events(placed.id)] == ["order.placed", "order.completed"]


def test_an_appeal_closed_with_a_refund_records_opened_resolved_and_refunded(api, cast, place_order):
    order = place_order()
    appeal = api.post(f"/api/v1/orders/{order['id']}/appeals", cast.buyer.token,
                      json={"reason": "The seller stopped answering", "demand": "Refund"}).json()
    assert api.post(f"/api/v1/appeals/{appeal['id']}/claim", cast.ops.token).status_code == 200
    response = api.post(f"/api/v1/appeals/{appeal['id']}/resolve", cast.ops.token,
                        json={"outcome": "close_with_refund", "note": "", "refund_amount": "400.00"})
    assert response.status_code == 200, response.text
    events = _events(order["id"])
    assert [t for t, _ in events] == ["order.placed", "appeal.opened", "order.refunded", "refund.requested",
                                      "appeal.resolved"]
    assert events[2][1]["refund_amount"] == "400.00"
    assert (events[3][1]["kind"], events[3][1]["amount"]) == ("appeal", "400.00")  # paid through the ledger
    assert events[4][1]["outcome"] == "close_with_refund" and events[4][1]["order_status"] == "refunded"


def test_a_refused_resolution_leaves_no_outbox_row(api, cast, place_order):
    order = place_order()
    appeal = api.post(f"/api/v1/orders/{order['id']}/appeals", cast.buyer.token,
                      json={"reason": "The seller stopped answering", "demand": "Refund"}).json()
    api.post(f"/api/v1/appeals/{appeal['id']}/claim", cast.ops.token)
    response = api.post(f"/api/v1/appeals/{appeal['id']}/resolve", cast.ops.token,
                        json={"outcome": "close_with_refund", "note": "", "refund_amount": "99999.00"})
    assert response.status_code == 422, response.text
    assert [t for t, _ in _events(order["id"])] == ["order.placed", "appeal.opened"]


def test_a_completed_supervision_records_order_completed(api, cast, place_order, walk, act):
    order = walk(place_order(), "confirm_acceptance")
    done = act(cast.buyer, order, "accept")
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert [t for t, _ in _events(order["id"])][-1] == "order.completed"
