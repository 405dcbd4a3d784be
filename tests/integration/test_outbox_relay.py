"""The outbox relay: one conditional UPDATE claims a batch of events, so relays racing on threads (real
connections, real commits) make one callback per event, and a batch smaller than the backlog drains it all.

The race uses `order.expired` on provisioned orders: nothing but the claim keeps a second relay from making
its callback again (a second newInstance would be stopped by the pending one)."""
import threading

import pytest
from sqlalchemy import select

from tests import factories

pytestmark = pytest.mark.committed
ORDERS = 12
RELAYS = 4


@pytest.fixture
def seller(app):
    """A seller with a production interface; its callbacks are deleted afterwards, so that no later test's
    dispatcher (same database, real commits) finds them due and calls the interface this one never serves."""
    from sqlalchemy import delete

    from app.models import Callback
    from app.services.callbacks.keys import set_production_interface
    from app.services.core.transaction import transaction
    seller, admin = factories.principal("seller"), factories.principal("admin")
    set_production_interface(admin.actor, seller.name, "http://127.0.0.1:9/never-called")  # relaying sends nothing
    yield seller
    with transaction() as session:
        session.execute(delete(Callback).where(Callback.seller == seller.name))


def _place(seller, count: int) -> list[str]:
    return [order["id"] for order in factories.saas_orders(seller, count)]


def _rows(model, order_ids: list[str]) -> list:
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        return list(session.scalars(select(model).where(model.order_id.in_(order_ids)).order_by(model.id)))


def _relay_on_threads(count: int) -> list[BaseException]:
    from flask import current_app

    from app.services.callbacks.relay import relay_outbox
    app, barrier, failures = current_app._get_current_object(), threading.Barrier(count), []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                relay_outbox()
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


def _expire_events(order_ids: list[str]) -> None:
    from app.models import Order
    from app.services.core.events import record_event
    from app.services.core.transaction import transaction
    with transaction() as session:
        for order in session.scalars(select(Order).where(Order.id.in_(order_ids))):
            record_event(session, order, "order.expired", {})


def test_relays_racing_on_threads_make_one_callback_per_event(seller):
    from app.models import Callback, OutboxEvent
    from app.services.callbacks.relay import relay_outbox
    orders = _place(seller, ORDERS)
    relay_outbox()  # newInstance for each, still pending: the orders count as provisioned
    _expire_events(orders)
    assert _relay_on_threads(RELAYS) == []
    callbacks = [c for c in _rows(Callback, orders) if c.activity == "updateInstanceStatus"]
    assert sorted(c.order_id for c in callbacks) == sorted(orders)  # one each, none twice
    expired = {e.id: e for e in _rows(OutboxEvent, orders) if e.type == "order.expired"}
    assert sorted(c.outbox_id for c in callbacks) == sorted(expired)
    assert {e.status for e in expired.values()} == {"relayed"}


def test_a_batch_smaller_than_the_backlog_relays_it_all_once(seller):
    from app.models import Callback, OutboxEvent
    from app.services.callbacks.relay import relay_outbox
    orders = _place(seller, 5)
    relay_outbox(batch=2)
    relay_outbox(batch=2)  # nothing left: a second pass claims nothing and makes nothing
    assert sorted(c.order_id for c in _rows(Callback, orders)) == sorted(orders)
    placed = [e for e in _rows(OutboxEvent, orders) if e.type == "order.placed"]
    assert len(placed) == 5 and all(e.status == "relayed" and e.delivered_at is not None for e in placed)


def test_one_update_claims_a_whole_batch(seller):
    from sqlalchemy import event

    from app.extensions import db
    from app.services.callbacks.relay import relay_outbox
    relay_outbox()  # what other tests left pending, out of the way
    orders = _place(seller, 5)
    claims = []

    def count(_connection, _cursor, statement, *_):
        if statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            claims.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert relay_outbox() == len(orders)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(claims) == 1, claims  # not one per event
