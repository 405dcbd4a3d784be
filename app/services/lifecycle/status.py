"""The lifecycle's order statuses: completed -> expired -> released, and expired -> completed on renewal.

Each transition is one hash-chained history event and one outbox event (the merchant callbacks read them:
order.expired, order.released, order.reactivated)."""
from app.actors import Actor
from app.extensions import runtime
from app.models import Order
from app.services.core import audit, events

# status -> (the order's timestamp column it sets, history type, outbox type)
TRANSITIONS = {
    "expired": ("expired_at", "order_expired", "order.expired"),
    "released": ("released_at", "order_released", "order.released"),
    "completed": (None, "order_reactivated", "order.reactivated"),
}


def move(session, order: Order, status: str, actor: Actor, data: dict | None = None) -> None:
    """Move `order` to `status` (a lifecycle transition), logged and announced in the same transaction."""
    column, history_type, event_type = TRANSITIONS[status]
    now = runtime.clock.now()
    before = order.status
    order.status = status
    if column is not None:
        setattr(order, column, now)
    else:
        order.expired_at = None
    payload = {"from": before, "to": status,
               "expire_time": order.expires_at.isoformat() if order.expires_at else None, **(data or {})}
    audit.record(session, order.id, actor, history_type, data=payload)
    events.record_event(session, order, event_type, payload)
