"""A buyer asks for a refund: POST /orders/{id}/refunds (negotiated, hardware or five-day)."""
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from app.actors import Actor
from app.errors import (ConflictError, ForbiddenError, InvoiceNotReturnedError, RefundNotAllowedError,
                        ValidationFailedError)
from app.extensions import runtime
from app.models import Order, Refund
from app.services.core import audit, events
from app.services.core.access import authorize, visible_order
from app.services.core.transaction import transaction
from app.services.refunds import rules
from app.services.refunds.appeals import end_refund_process
from app.services.refunds.options import RefundOptions, evaluate, open_refund
from app.services.refunds.process import lock_order, start_refund_process
from app.services.refunds.status import change_status
from app.services.refunds.views import RefundView, present_refund

HARDWARE = "hardware"


def request_refund(actor: Actor, order_id: str, body: dict) -> RefundView:
    """The order's buyer asks for a refund; refused (409) by the rules, or 422 for a bad amount or goods."""
    authorize(actor, "refunds.request")
    try:
        with transaction() as session:
            order = visible_order(session, actor, order_id)
            if order.buyer != actor.name:
                raise ForbiddenError("only the order's buyer may ask for a refund")
            _check_goods(order, body.get("goods"))
            lock_order(session, order.id)
            order = session.get(Order, order_id)
            options = evaluate(session, order, body.get("goods"))
            _check_allowed(options)
            _check_amount(options, body["amount"], order)
            return present_refund(session, _create(session, actor, order, options.rule, body), actor)
    except IntegrityError:  # a concurrent request won uq_refund_open_order
        raise RefundNotAllowedError(rules.DETAILS["refund_open"], reason="refund_open") from None


def _check_goods(order: Order, goods: str | None) -> None:
    if order.delivery_type == HARDWARE and goods is None:
        raise ValidationFailedError({"goods": ["required for hardware: received or not_received"]})
    if order.delivery_type != HARDWARE and goods is not None:
        raise ValidationFailedError({"goods": ["only hardware refunds say whether the goods were received"]})


def _check_allowed(options: RefundOptions) -> None:
    if options.allowed:
        return
    if options.why_not == "invoice_not_returned":
        raise InvoiceNotReturnedError(options.detail)
    raise RefundNotAllowedError(options.detail, reason=options.why_not)


def _check_amount(options: RefundOptions, amount: Decimal, order: Order) -> None:
    if options.rule == rules.FIVE_DAY and amount != order.amount_paid:
        raise ValidationFailedError({"amount": [f"a five-day refund is of the full amount paid, {order.amount_paid}"]})
    if not Decimal("0") < amount <= options.max_amount:
        raise ValidationFailedError({"amount": [f"must be more than 0.00 and at most {options.max_amount}"]})


def _create(session, actor: Actor, order: Order, rule: str, body: dict) -> Refund:
    now = runtime.clock.now()
    five_day = rule == rules.FIVE_DAY
    refund = Refund(order_id=order.id, kind=rules.FIVE_DAY if five_day else rules.NEGOTIATED, amount=body["amount"],
                    reason=body["reason"], goods=body.get("goods"), share_contact=body["share_contact"],
                    status="refunding" if five_day else "pending_seller", created_at=now,
                    quota_year=rules.beijing_year(now) if five_day else None,
                    decided_at=now if five_day else None, refunding_at=now if five_day else None)
    session.add(refund)
    session.flush()
    audit.record(session, order.id, actor, "refund_requested", data={
        "refund_id": refund.id, "kind": refund.kind, "amount": str(refund.amount), "goods": refund.goods,
        "reason": refund.reason, "share_contact": refund.share_contact})
    events.record_event(session, order, "refund.requested", {"refund_id": refund.id, "kind": refund.kind,
                                                             "amount": str(refund.amount), "status": refund.status})
    if not five_day:  # a five-day refund needs no seller: the settlement job completes it
        start_refund_process(session, order, refund)
    return refund


def refund_by_appeal(session, actor: Actor, order: Order, amount: Decimal, appeal_id: str) -> Refund:
    """`close_with_refund` on an order appeal pays through a refund record (kind `appeal`); a refund the buyer
    had asked for is superseded (withdrawn), one already being paid out makes the outcome a conflict."""
    superseded = open_refund(session, order.id)
    if superseded is not None and superseded.status == "refunding":
        raise ConflictError("a refund of this order is already being paid out: resolve the appeal otherwise")
    if superseded is not None:
        if superseded.process_instance_id is not None:
            end_refund_process(session, superseded.process_instance_id)
        change_status(session, order, superseded, "withdrawn", actor)
        session.flush()  # before the new open refund (uq_refund_open_order)
    now = runtime.clock.now()
    refund = Refund(order_id=order.id, kind="appeal", amount=amount, reason=f"appeal {appeal_id}", goods=None,
                    share_contact=False, status="refunding", created_at=now, decided_at=now, refunding_at=now)
    session.add(refund)
    session.flush()
    audit.record(session, order.id, actor, "refund_requested", data={
        "refund_id": refund.id, "kind": "appeal", "amount": str(amount), "appeal_id": appeal_id})
    events.record_event(session, order, "refund.requested", {"refund_id": refund.id, "kind": "appeal",
                                                             "amount": str(amount), "status": refund.status})
    return refund
