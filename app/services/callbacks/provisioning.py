"""An auto-delivered order whose newInstance never succeeded: failed and refunded in full through the
refund settlement (kind provisioning_failure)."""
from decimal import Decimal

from sqlalchemy import func, select

from app.actors import SYSTEM
from app.extensions import runtime
from app.models import Callback, Order, Refund
from app.services.core import audit, events
from app.services.refunds.options import open_refund
from app.services.refunds.settlement import complete_refund

KIND = "provisioning_failure"


def refund_failed_order(session, order: Order, callback: Callback) -> Refund | None:
    """Pay back what is left of the order (none if nothing is, or a refund is already open: it goes on)."""
    audit.record(session, order.id, SYSTEM, "provisioning_failed", data={"callback_id": callback.id})
    refunded = session.scalar(select(func.sum(Refund.amount)).where(
        Refund.order_id == order.id, Refund.status == "refunded")) or Decimal("0")
    amount = order.amount_paid - refunded
    if amount <= 0 or open_refund(session, order.id) is not None:
        return None
    now = runtime.clock.now()
    refund = Refund(order_id=order.id, kind=KIND, amount=amount, reason=f"newInstance failed (callback {callback.id})",
                    goods=None, share_contact=False, status="refunding", created_at=now, decided_at=now,
                    refunding_at=now)
    session.add(refund)
    session.flush()
    audit.record(session, order.id, SYSTEM, "refund_requested", data={
        "refund_id": refund.id, "kind": KIND, "amount": str(amount), "callback_id": callback.id})
    events.record_event(session, order, "refund.requested", {"refund_id": refund.id, "kind": KIND,
                                                             "amount": str(amount), "status": refund.status})
    complete_refund(session, refund)  # the settlement's own step: credit, refund_completed, order refunded
    return refund
