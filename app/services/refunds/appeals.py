"""Appeals on a refund, worked from the operations appeal inbox (app/services/appeals/cases.py).

An appeal on a refund freezes the refund's process instance (its timers pause, as supervision timers do);
operations resolve it with a refund amount (`close_with_refund`), a denial (`deny_refund`) or `resume`."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.actors import SYSTEM, Actor
from app.errors import AppealNotAllowedError, ConflictError, ValidationFailedError
from app.extensions import runtime
from app.models import Appeal, Order, ProcessInstance, Refund, Task
from app.services.core import audit, events
from app.services.core.calendar import add_working_days
from app.services.core.runtime import open_workflow, save_workflow
from app.services.evidence.attachments import link_attachments
from app.services.refunds.status import change_status

SELLER_IDLE = timedelta(days=10)  # §6.3.2.3: the seller has not handled the application for more than 10 days
APPEAL_SLA_WORKING_DAYS = 3  # the same due time as order appeals
REFUND_OUTCOMES = ("resume", "close_with_refund", "deny_refund")


def check_buyer_may_appeal(session, refund: Refund, instance: ProcessInstance) -> None:
    """The buyer may appeal a refund the seller has left pending for more than 10 days."""
    since = session.scalar(select(Task.created_at).where(Task.process_instance_id == instance.id,
                                                         Task.status == "ready", Task.node_id == "seller_review"))
    if refund.status != "pending_seller" or since is None:
        raise AppealNotAllowedError(f"the refund is {refund.status}: only a refund awaiting the seller is appealed")
    if runtime.clock.now() - since <= SELLER_IDLE:
        raise AppealNotAllowedError(f"the buyer may appeal after {(since + SELLER_IDLE).isoformat()} (the seller "
                                    "has more than 10 days to review the refund)")


def freeze_with_appeal(session, actor: Actor, order: Order, refund: Refund, instance: ProcessInstance,
                       reason: str, demand: str, attachments: list[str]) -> Appeal:
    """Open an appeal on the refund and freeze its process until operations resolve it."""
    if instance.frozen_at is not None:
        raise ConflictError("an appeal on this refund is already open")
    now = runtime.clock.now()
    ready = list(session.scalars(select(Task.node_id).where(Task.process_instance_id == instance.id,
                                                            Task.status == "ready")))
    appeal = Appeal(order_id=order.id, refund_id=refund.id, appellant=actor.name, appellant_role=actor.role,
                    reason=reason, demand=demand, attachments=list(attachments), frozen_nodes=ready, opened_at=now,
                    due_at=add_working_days(now, APPEAL_SLA_WORKING_DAYS), status="open")
    session.add(appeal)
    instance.frozen_at = now
    link_attachments(session, actor, order.id, attachments)
    session.flush()
    audit.record(session, order.id, actor, "appeal_opened", data={
        "appeal_id": appeal.id, "refund_id": refund.id, "reason": reason, "demand": demand, "frozen_nodes": ready},
        attachments=attachments)
    events.record_event(session, order, "appeal.opened", {"appeal_id": appeal.id, "refund_id": refund.id,
                                                          "appellant_role": actor.role, "opened_at": now.isoformat()})
    return appeal


def decide_refund_appeal(session, actor: Actor, appeal: Appeal, instance: ProcessInstance, outcome: str,
                         amount: Decimal | None) -> None:
    """Apply operations' decision to the refund (its instance is locked by the caller)."""
    if outcome not in REFUND_OUTCOMES:
        raise ValidationFailedError({"outcome": [f"an appeal on a refund is resolved with one of "
                                                 f"{', '.join(REFUND_OUTCOMES)}"]})
    order, refund = session.get(Order, appeal.order_id), session.get(Refund, appeal.refund_id)
    if (outcome == "close_with_refund") != (amount is not None):
        raise ValidationFailedError({"refund_amount": ["close_with_refund, and only it, takes a refund amount"]})
    if amount is not None and not Decimal("0") < amount <= order.amount_paid:
        raise ValidationFailedError({"refund_amount": [f"more than 0 and at most {order.amount_paid}"]})
    workflow = open_workflow(instance)
    workflow.shift_timers(runtime.clock.now() - instance.frozen_at)  # pause semantics
    instance.frozen_at = None
    if outcome != "resume":
        _cancel(session, instance, workflow)
        if amount is not None:
            refund.amount = amount
        change_status(session, order, refund, "refunding" if amount is not None else "rejected", actor)
    save_workflow(session, order, instance, workflow, actor)


def end_refund_process(session, instance_id: int) -> None:
    """Cancel a refund's running process (operations decided otherwise): no task of it is left."""
    instance = session.get(ProcessInstance, instance_id)
    if instance.status != "running":
        return
    workflow = open_workflow(instance)
    _cancel(session, instance, workflow)
    instance.frozen_at = None
    instance.state = workflow.dump()
    instance.next_timer_at = None


def _cancel(session, instance: ProcessInstance, workflow) -> None:
    now = runtime.clock.now()
    for task in session.scalars(select(Task).where(Task.process_instance_id == instance.id, Task.status == "ready")):
        task.status, task.closed_at, task.closed_by = "cancelled", now, SYSTEM.name
    workflow.cancel()
    instance.status = "cancelled"
