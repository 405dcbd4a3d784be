"""refunding -> refunded: the scheduler job that credits the buyer's account and ends the order's supervision.

Each refund settles in a transaction of its own; workers claim refunds with SKIP LOCKED on PostgreSQL and
re-check the status under the lock, and a refund has at most one ledger entry (unique refund_id)."""
import logging
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import func, select

from app.actors import SYSTEM
from app.extensions import runtime
from app.models import Order, Refund, Task
from app.services.core import audit, events
from app.services.core.claims import claim
from app.services.core.runtime import find_instance, finish_order, lock_instance, open_workflow, save_workflow
from app.services.core.transaction import transaction
from app.services.lifecycle.stack import lock_order_row
from app.services.refunds.accounts import credit
from app.services.refunds.status import RESULTS, notify_buyer

log = logging.getLogger(__name__)


def settle_due_refunds(max_refunds: int = 1000) -> int:
    """Settle every refund in `refunding`; returns how many this call settled. Safe with many workers.

    A refund whose settlement fails is logged and left in `refunding` for the next run; the others go on."""
    seen: set[str] = set()
    settled = 0
    while len(seen) < max_refunds:
        claimed: list[str] = []
        try:
            refund_id = _settle_one(seen, claimed)
        except Exception:  # noqa: BLE001 - one broken refund must not hold up the others
            if not claimed:
                raise
            log.exception("settling refund %s failed; it stays refunding", claimed[0])
            seen.add(claimed[0])
            continue
        if refund_id is None:
            break
        seen.add(refund_id)
        settled += 1
    return settled


def _settle_one(seen: set[str], claimed: list[str]) -> str | None:
    with transaction() as session:
        due = (select(Refund).where(Refund.status == "refunding", Refund.refunding_at <= runtime.clock.now())
               .order_by(Refund.refunding_at, Refund.id))
        refund = next(iter(claim(session, due, Refund, seen)), None)
        if refund is None:
            return None
        claimed.append(refund.id)
        complete_refund(session, refund)
        return refund.id


# refund kind -> what settling it does to its order instead of ending it (renewal refunds: the lifecycle)
Settlement = Callable[..., None]
SETTLEMENTS: dict[str, Settlement] = {}


def register_settlement(kind: str, ending: Settlement) -> None:
    """`ending(session, order, refund)` runs after a refund of `kind` was credited, instead of the order's end."""
    SETTLEMENTS[kind] = ending


def complete_refund(session, refund: Refund) -> None:
    """Credit the buyer, log refund_completed, and end the order as refunded (supervision cancelled)."""
    ending = SETTLEMENTS.get(refund.kind)
    if ending is not None:
        order = lock_order_row(session, refund.order_id)  # its history chain grows
        _pay(session, order, refund)
        ending(session, order, refund)
        return
    order = session.get(Order, refund.order_id)
    refund_id, order_id = refund.id, order.id
    _end_supervision(session, order_id)
    refund, order = session.get(Refund, refund_id), session.get(Order, order_id)  # reloaded under the lock
    _pay(session, order, refund)
    order.refund_amount = session.scalar(select(func.sum(Refund.amount)).where(  # an appeal's close set it already
        Refund.order_id == order.id, Refund.status == "refunded", Refund.kind.not_in(list(SETTLEMENTS)))) \
        or Decimal("0")
    _mark_refunded(session, order)


def _pay(session, order: Order, refund: Refund) -> None:
    """The money part of every refund: one ledger credit, `refunded`, history, outbox, the buyer told."""
    now = runtime.clock.now()
    credit(session, order, refund)
    refund.status, refund.refunded_at = "refunded", now
    session.flush()
    audit.record(session, order.id, SYSTEM, "refund_completed", data={
        "refund_id": refund.id, "kind": refund.kind, "amount": str(refund.amount)})
    events.record_event(session, order, "refund.completed", {"refund_id": refund.id, "kind": refund.kind,
                                                             "amount": str(refund.amount),
                                                             "refunded_at": now.isoformat()})
    notify_buyer(session, order, refund, RESULTS["refunded"])


def _end_supervision(session, order_id: str) -> None:
    """Cancel the order's running supervision: no task is left (docs/decisions.md, "Refunds")."""
    found = find_instance(session, order_id)
    if found is None or found.status != "running":
        return
    instance = lock_instance(session, order_id)
    order = session.get(Order, order_id)
    now = runtime.clock.now()
    for task in session.scalars(select(Task).where(Task.process_instance_id == instance.id, Task.status == "ready")):
        task.status, task.closed_at, task.closed_by = "cancelled", now, SYSTEM.name
    workflow = open_workflow(instance)
    workflow.cancel()
    instance.status, instance.frozen_at = "cancelled", None
    if order.status == "processing":
        finish_order(session, order, "refunded", SYSTEM)
    save_workflow(session, order, instance, workflow, SYSTEM)


def _mark_refunded(session, order: Order) -> None:
    """An order that had already left processing (completed, non-supervised) becomes refunded too."""
    if order.status == "refunded":
        return
    order.status = "refunded"
    audit.record(session, order.id, SYSTEM, "order_refunded", node="service_completed")
    events.record_event(session, order, "order.refunded", {"status": "refunded",
                                                          "refund_amount": str(order.refund_amount)})
