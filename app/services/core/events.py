"""The outbox: events a merchant or a notification cares about, recorded in the caller's transaction."""
from app.extensions import runtime
from app.models import Order, OutboxEvent


def record_event(session, order: Order | None, type_: str, payload: dict) -> OutboxEvent:
    """Add a pending outbox row to the caller's transaction (no commit): it exists iff the change does."""
    now = runtime.clock.now()
    body = {"order_id": order.id, "order_no": order.order_no, **payload} if order is not None else dict(payload)
    event = OutboxEvent(order_id=order.id if order is not None else None, type=type_, payload=body,
                        created_at=now, status="pending", attempts=0, next_attempt_at=now)
    session.add(event)
    return event
