"""Refunding a renewal period (§6.3.2.4): POST /orders/{id}/renewals/{renewal_id}/refund (the buyer).

A renewal not yet in effect is refunded in full, without the seller (kind `renewal`): the refund goes
straight to `refunding` and the settlement job pays it through the ledger like the others, but it only
takes the period off the order's validity (the order itself carries on). An effective renewal is 409."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.actors import Actor
from app.errors import ForbiddenError, NotFoundError, RefundNotAllowedError, ValidationFailedError
from app.extensions import runtime
from app.models import Order, Refund, Renewal
from app.models.renewal import REFUNDED, REFUNDING
from app.services.core import audit, events
from app.services.core.access import authorize, visible_order
from app.services.core.transaction import transaction
from app.services.lifecycle.stack import lock_order_row, restack
from app.services.refunds import rules, settlement
from app.services.refunds.options import renewal_refusal as refusal
from app.services.refunds.views import RefundView, present_refund

KIND = "renewal"


def refund_renewal(actor: Actor, order_id: str, renewal_id: str, body: dict) -> RefundView:
    """The order's buyer takes back a renewal period that has not started; 409 refund_not_allowed else."""
    authorize(actor, "refunds.renewal")
    try:
        with transaction() as session:
            order = visible_order(session, actor, order_id)
            if order.buyer != actor.name:
                raise ForbiddenError("only the order's buyer may refund its renewals")
            order = lock_order_row(session, order.id)
            renewal = session.get(Renewal, renewal_id)
            if renewal is None or renewal.order_id != order.id:
                raise NotFoundError("no such renewal of this order")
            why_not = refusal(session, order, renewal)
            if why_not is not None:
                raise RefundNotAllowedError(rules.DETAILS[why_not], reason=why_not)
            if body.get("amount") is not None and body["amount"] != renewal.amount_paid:
                raise ValidationFailedError({"amount": [f"a renewal is refunded in full: {renewal.amount_paid}"]})
            return present_refund(session, _create(session, actor, order, renewal, body), actor)
    except IntegrityError:  # a concurrent refund of the order won uq_refund_open_order
        raise RefundNotAllowedError(rules.DETAILS["refund_open"], reason="refund_open") from None


def _create(session, actor: Actor, order: Order, renewal: Renewal, body: dict) -> Refund:
    now, reason = runtime.clock.now(), body["reason"]
    refund = Refund(order_id=order.id, kind=KIND, amount=renewal.amount_paid, reason=reason, goods=None,
                    share_contact=body["share_contact"], status="refunding", created_at=now, decided_at=now, refunding_at=now)
    session.add(refund)
    session.flush()
    renewal.status, renewal.refund_id, renewal.start, renewal.end = REFUNDING, refund.id, None, None
    restack(session, order)  # the period no longer counts; later renewals move up
    audit.record(session, order.id, actor, "refund_requested", data={
        "refund_id": refund.id, "kind": KIND, "amount": str(refund.amount), "renewal_id": renewal.id,
        "reason": reason, "expire_time": order.expires_at.isoformat() if order.expires_at else None})
    events.record_event(session, order, "refund.requested", {"refund_id": refund.id, "kind": KIND,
                                                             "amount": str(refund.amount), "status": refund.status,
                                                             "renewal_id": renewal.id})
    return refund


def _settled(session, order: Order, refund: Refund) -> None:
    """After the ledger credit: the renewal is refunded; the order's status stays what it is."""
    renewal = session.scalars(select(Renewal).where(Renewal.refund_id == refund.id)).first()
    if renewal is not None:
        renewal.status = REFUNDED


def register() -> None:
    """Renewal refunds settle through settlement.complete_refund with this ending (create_app calls this)."""
    settlement.register_settlement(KIND, _settled)
