"""Outbox -> callbacks: each mapped outbox event is relayed once (one conditional status change claims a
batch), in one short transaction per batch, whatever the number of scheduler processes."""
from sqlalchemy import select, update

from app.extensions import runtime
from app.models import Callback, Order, OutboxEvent, ProductionInterface
from app.services.callbacks.protocol import EVENT_ACTIVITIES, NEW_INSTANCE, callback_order, deadline, relay_body
from app.services.core.transaction import transaction

RELAYED = "relayed"


def relay_outbox(batch: int = 200) -> int:
    """Turn pending outbox events of the mapped types into callbacks; returns how many callbacks were made."""
    made = 0
    while True:
        with transaction() as session:
            events = session.scalars(select(OutboxEvent).where(OutboxEvent.status == "pending",
                                                               OutboxEvent.type.in_(list(EVENT_ACTIVITIES)))
                                     .order_by(OutboxEvent.id).limit(batch)).all()
            claimed = _claim(session, [event.id for event in events])
            made += sum(_relay(session, event) for event in events if event.id in claimed)
        if len(events) < batch:
            return made


def _claim(session, event_ids: list[int]) -> set[int]:
    """The ids this relay took: of two relays racing for an event, only one changes its status. One UPDATE
    for the batch; "fetch" syncs the session's copies by the returned ids, not by scanning the session."""
    if not event_ids:
        return set()
    return set(session.scalars(update(OutboxEvent)
                               .where(OutboxEvent.id.in_(event_ids), OutboxEvent.status == "pending")
                               .values(status=RELAYED, delivered_at=runtime.clock.now())
                               .returning(OutboxEvent.id).execution_options(synchronize_session="fetch")))


def _relay(session, event: OutboxEvent) -> int:
    mapping = EVENT_ACTIVITIES[event.type]
    order = session.get(Order, event.order_id) if event.order_id else None
    if order is None or not callback_order(order) or not _applies(session, mapping.when, order):
        return 0
    if session.scalar(select(ProductionInterface.id).where(ProductionInterface.seller == order.seller)) is None:
        return 0
    now = runtime.clock.now()
    session.add(Callback(outbox_id=event.id, order_id=order.id, seller=order.seller, activity=mapping.activity,
                         body=relay_body(mapping, order, event.payload), status="pending", attempts=0,
                         next_attempt_at=now, deadline_at=now + deadline(mapping.activity), created_at=now))
    return 1


def _applies(session, when: str, order: Order) -> bool:
    provisioning = session.scalar(select(Callback.id).where(Callback.order_id == order.id,
                                                            Callback.activity == NEW_INSTANCE,
                                                            Callback.status.in_(("pending", "delivered"))))
    if when == "instance":  # the instance exists, or its newInstance is still on its way (sent first)
        return order.instance_id is not None or provisioning is not None
    return order.supervised == (when == "supervised") and provisioning is None and order.instance_id is None
