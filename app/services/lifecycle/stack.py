"""Adding a renewal to an order and dating the order's renewals; the helpers take the caller's session.

A renewal never starts a process instance or a task (buyer guide §4.3.1.1, §4.3.2.1): it is a row, dated
by the chain (chain.py), and the order's `expires_at` (validity's end with renewals) the scheduler reads."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from app.actors import Actor
from app.extensions import db, runtime
from app.models import Order, Renewal
from app.models.renewal import ACTIVE
from app.services.core import audit, events
from app.services.core.runtime import find_instance, lock_instance
from app.services.lifecycle import chain, status

CONVERSION = "trial_to_formal"


def lock_order_row(session, order_id: str) -> Order:
    """The order row, locked for this transaction (FOR UPDATE; SQLite's writer lock is taken at BEGIN).

    The order's supervision instance is locked first, when it has one: what accept and the refund requests
    lock, so a renewal and the end of supervision never write the order's history chain at once."""
    if find_instance(session, order_id) is not None:
        lock_instance(session, order_id)
    query = select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    if db.is_postgres:
        query = query.with_for_update(of=Order)
    return session.scalars(query).one()


def renewals_of(session, order_id: str) -> list[Renewal]:
    return list(session.scalars(select(Renewal).where(Renewal.order_id == order_id)))


def restack(session, order: Order) -> list[Renewal]:
    """Write every renewal's dates and the order's `expires_at`; returns the renewals dated just now."""
    renewals = renewals_of(session, order.id)
    spans = chain.spans(order, renewals)
    newly = []
    for renewal in renewals:
        if renewal.status != ACTIVE:
            continue
        span = spans[renewal.id]
        if renewal.start is None and span.start is not None:
            newly.append(renewal)
        renewal.start, renewal.end = span.start, span.end
    order.expires_at = chain.validity(order, renewals).end
    return newly


def add_renewal(session, order: Order, actor: Actor, kind: str, number: str, period: str, amount: Decimal,
                paid_at: datetime, digest: str) -> Renewal:
    """One more period for `order` (locked by the caller): dated at once when validity is known, queued else."""
    now = runtime.clock.now()
    seq = 1 + (session.scalar(select(func.max(Renewal.seq)).where(Renewal.order_id == order.id)) or 0)
    renewal = Renewal(order_id=order.id, seq=seq, renewal_no=number, kind=kind, period=period, amount_paid=amount,
                      paid_at=paid_at, request_hash=digest, placed_by=actor.name, status=ACTIVE, created_at=now)
    session.add(renewal)
    session.flush()
    newly = restack(session, order)
    audit.record(session, order.id, actor, "trial_converted" if kind == CONVERSION else "order_renewed",
                 data=_described(renewal))
    if kind == CONVERSION:
        order.trial = False
        events.record_event(session, order, "order.trial_converted", announcement(order, renewal))
    _announce(session, order, actor, [r for r in newly if r.id != renewal.id])
    if kind != CONVERSION and renewal.start is not None:
        events.record_event(session, order, "order.renewed", announcement(order, renewal))
    if order.status == "expired" and order.expires_at is not None and order.expires_at > now:
        status.move(session, order, "completed", actor, {"renewal_id": renewal.id})
    return renewal


def date_queued(session, order: Order, actor: Actor) -> int:
    """Validity has become known: date the queued renewals (history, and order.renewed for each)."""
    newly = restack(session, order)
    _announce(session, order, actor, newly)
    return len(newly)


def _announce(session, order: Order, actor: Actor, dated: list[Renewal]) -> None:
    for renewal in dated:
        audit.record(session, order.id, actor, "renewal_dated", data=_described(renewal))
        if renewal.kind != CONVERSION:
            events.record_event(session, order, "order.renewed", announcement(order, renewal))


def announcement(order: Order, renewal: Renewal) -> dict:
    """order.renewed / order.trial_converted: the renewal and the order's new expiry time."""
    return {"renewal_id": renewal.id, "renewal_no": renewal.renewal_no, "kind": renewal.kind,
            "period": renewal.period, "expire_time": order.expires_at.isoformat() if order.expires_at else None}


def _described(renewal: Renewal) -> dict:
    return {"renewal_id": renewal.id, "renewal_no": renewal.renewal_no, "kind": renewal.kind,
            "period": renewal.period, "amount_paid": str(renewal.amount_paid),
            "start": renewal.start.isoformat() if renewal.start else None,
            "end": renewal.end.isoformat() if renewal.end else None}
