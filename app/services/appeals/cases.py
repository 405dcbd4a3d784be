"""Appeals: a party freezes the order; operations claim and resolve it from their inbox."""
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from app.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError
from app.extensions import runtime
from app.models import Appeal, Order, ProcessInstance, Refund, Task
from app.services.core.rows import orders_by_id
from app.services.core.notifications import notify
from app.services.core import audit, events
from app.services.core.access import authorize, is_party, visible_order
from app.services.evidence.attachments import link_attachments
from app.services.appeals.policy import check_appeal_allowed
from app.actors import Actor
from app.services.core.calendar import add_working_days
from app.services.core.keyset import Keyset
from app.services.core.transaction import Page, paginate, transaction
from app.services.core.views import RowView
from app.services.milestones.stages import ACCEPTED_COUNT, accept_remaining, record_progress
from app.services.core.runtime import (finish_order, lock_instance, lock_instance_by_id, open_workflow,
                                       records_engine_failures, save_workflow)
from app.services.refunds.appeals import check_buyer_may_appeal, decide_refund_appeal, freeze_with_appeal
from app.services.refunds.process import lock_order
from app.services.refunds.requests import refund_by_appeal
from app.services.refunds.views import visible_refund

APPEALS = Keyset("appeals", (Appeal.due_at, Appeal.id))  # oldest due first
APPEAL_SLA_WORKING_DAYS = 3
SELLER_LANE = "seller"


@dataclass(frozen=True)
class AppealView(RowView):
    """The appeal's columns plus its order, its appellant as an actor, lateness and resolution."""

    extends = "appeal"
    appeal: Appeal
    order: Order
    appellant: Actor
    overdue: bool

    @property
    def resolution(self) -> Appeal | None:
        """outcome, note, refund_amount, resolved_by, resolved_at: the appeal's own columns once resolved."""
        return None if self.appeal.status == "open" else self.appeal


def present_appeal(appeal: Appeal, order: Order) -> AppealView:
    return AppealView(appeal, order, Actor(appeal.appellant, appeal.appellant_role),
                      appeal.status == "open" and appeal.due_at < runtime.clock.now())


def open_appeal(actor: Actor, order_id: str, reason: str, demand: str, attachments: list[str]) -> AppealView:
    """The buyer or seller of a processing order appeals; the order freezes until ops resolve it."""
    authorize(actor, "orders.appeal")
    with transaction() as session:
        order = visible_order(session, actor, order_id)
        if not is_party(actor, order):
            raise ForbiddenError("only the buyer or the seller of the order may appeal")
        instance = lock_instance(session, order.id)
        if order.status != "processing" or instance.status != "running":
            raise ConflictError(f"the order is {order.status}: there is nothing to appeal")
        if instance.frozen_at is not None:
            raise ConflictError("an appeal is already open for this order")
        now = runtime.clock.now()
        tasks = session.scalars(select(Task).where(Task.process_instance_id == instance.id,
                                                   Task.status == "ready")).all()
        check_appeal_allowed(instance, order, actor, tasks)
        ready = [t.node_id for t in tasks]
        appeal = Appeal(order_id=order.id, appellant=actor.name, appellant_role=actor.role, reason=reason,
                        demand=demand, attachments=list(attachments), frozen_nodes=list(ready), opened_at=now,
                        due_at=add_working_days(now, APPEAL_SLA_WORKING_DAYS), status="open")
        session.add(appeal)
        freeze(order, instance, now)
        link_attachments(session, actor, order.id, attachments)
        session.flush()
        audit.record(session, order.id, actor, "appeal_opened", data={"appeal_id": appeal.id, "reason": reason,
                     "demand": demand, "frozen_nodes": list(ready)}, attachments=attachments)
        events.record_event(session, order, "appeal.opened", {"appeal_id": appeal.id, "appellant_role": actor.role,
                                                              "opened_at": now.isoformat()})
        return present_appeal(appeal, order)


def freeze(order: Order, instance: ProcessInstance, at: datetime | None) -> None:
    """Freeze (`at`) or unfreeze (None) the order's supervision: the instance says it to actions and timers,
    the order to the listings."""
    instance.frozen_at = order.frozen_at = at


def open_refund_appeal(actor: Actor, refund_id: str, reason: str, demand: str, attachments: list[str]) -> AppealView:
    """The buyer appeals a refund the seller left pending for more than 10 days; its process freezes."""
    authorize(actor, "refunds.appeal")
    with transaction() as session:
        refund, order = visible_refund(session, actor, refund_id)
        if order.buyer != actor.name:
            raise ForbiddenError("only the refund's buyer may appeal it")
        lock_order(session, order.id)
        refund = session.get(Refund, refund_id)
        if refund.process_instance_id is None:
            raise ConflictError(f"a {refund.kind} refund has no seller to appeal against")
        instance = lock_instance_by_id(session, refund.process_instance_id)
        if instance.frozen_at is not None:
            raise ConflictError("an appeal on this refund is already open")
        check_buyer_may_appeal(session, refund, instance)
        appeal = freeze_with_appeal(session, actor, order, refund, instance, reason, demand, attachments)
        return present_appeal(appeal, order)


def list_appeals(actor: Actor, filters: dict, page: int, page_size: int) -> Page:
    """The operations inbox, oldest due first."""
    authorize(actor, "appeals.list")
    with transaction(readonly=True) as session:
        query = select(Appeal)
        if filters.get("status"):
            query = query.where(Appeal.status == filters["status"])
        if filters.get("claimed_by"):
            query = query.where(Appeal.claimed_by == filters["claimed_by"])
        if filters.get("overdue") is not None:
            late = (Appeal.status == "open") & (Appeal.due_at < runtime.clock.now())
            query = query.where(late if filters["overdue"] else ~late)
        found = paginate(session, query, page, page_size, lambda a: a, APPEALS, filters.get("after"))
        orders = orders_by_id(session, (a.order_id for a in found.items))
        return replace(found, items=[present_appeal(a, orders[a.order_id]) for a in found.items])


def claim_appeal(actor: Actor, appeal_id: str) -> AppealView:
    """An ops manager takes an open appeal; someone else's claim is a conflict."""
    authorize(actor, "appeals.claim")
    with transaction() as session:
        appeal, order, _ = _lock_open_appeal(session, actor, appeal_id)
        if appeal.claimed_by is None:
            appeal.claimed_by, appeal.claimed_at = actor.name, runtime.clock.now()
            audit.record(session, order.id, actor, "appeal_claimed", data={"appeal_id": appeal.id})
        return present_appeal(appeal, order)


@records_engine_failures
def resolve_appeal(actor: Actor, appeal_id: str, outcome: str, note: str, refund_amount: Decimal | None) -> AppealView:
    """Decide an appeal, unfreeze the order and tell both parties."""
    authorize(actor, "appeals.resolve")
    with transaction() as session:
        appeal, order, instance = _lock_open_appeal(session, actor, appeal_id)
        now = runtime.clock.now()
        if appeal.refund_id is not None:  # an appeal on a refund: the refund's process decides
            decide_refund_appeal(session, actor, appeal, instance, outcome, refund_amount)
        else:
            if outcome not in OUTCOMES:
                raise ValidationFailedError({"outcome": [f"{outcome} is for appeals on a refund"]})
            workflow = open_workflow(instance)
            workflow.shift_timers(now - instance.frozen_at)  # pause semantics: timers keep the time they had left
            OUTCOMES[outcome](session, actor, order, workflow, refund_amount)
            if outcome == "close_with_refund":
                refund_by_appeal(session, actor, order, refund_amount, appeal.id)
            freeze(order, instance, None)
            save_workflow(session, order, instance, workflow, actor)
        appeal.status, appeal.outcome, appeal.note = "resolved", outcome, note
        appeal.resolved_by, appeal.resolved_at, appeal.refund_amount = actor.name, now, refund_amount
        _notify_parties(session, order, appeal)
        audit.record(session, order.id, actor, "appeal_resolved", data={
            "appeal_id": appeal.id, "outcome": outcome, "note": note,
            "refund_amount": str(refund_amount) if refund_amount is not None else None})
        events.record_event(session, order, "appeal.resolved", {"appeal_id": appeal.id, "outcome": outcome,
                                                                "order_status": order.status})
        return present_appeal(appeal, order)


def _lock_open_appeal(session, actor: Actor, appeal_id: str):
    """(appeal, order, instance) with the order's instance locked (the supervision, or the refund's for an
    appeal on a refund), checked as they are under the lock."""
    appeal, order = _open_appeal_for(session, actor, appeal_id)
    if appeal.refund_id is None:
        instance = lock_instance(session, order.id)
    else:
        lock_order(session, order.id)
        instance = lock_instance_by_id(session, session.get(Refund, appeal.refund_id).process_instance_id)
    appeal, order = _open_appeal_for(session, actor, appeal_id)
    return appeal, order, instance


def _open_appeal_for(session, actor: Actor, appeal_id: str) -> tuple[Appeal, Order]:
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFoundError("no such appeal")
    if appeal.status != "open":
        raise ConflictError("the appeal is already resolved")
    if appeal.claimed_by not in (None, actor.name):
        raise ConflictError(f"the appeal is claimed by {appeal.claimed_by}")
    return appeal, session.get(Order, appeal.order_id)


def _resume(session, actor, order, workflow, refund_amount) -> None:
    _no_refund(refund_amount)


def _return_to_seller(session, actor, order, workflow, refund_amount) -> None:
    _no_refund(refund_amount)
    if any(t.lane == SELLER_LANE for t in workflow.ready_user_tasks()):
        return
    if not workflow.rewind_to_lane(SELLER_LANE):
        raise ConflictError("the order has not reached the seller yet: use resume")
    record_progress(session, order, workflow.data_value(ACCEPTED_COUNT), actor, runtime.clock.now())


def _force_accept(session, actor, order, workflow, refund_amount) -> None:
    _no_refund(refund_amount)
    workflow.cancel()
    order.accepted_at = runtime.clock.now()
    accept_remaining(session, order, actor, order.accepted_at)
    finish_order(session, order, "completed", actor)


def _close_with_refund(session, actor, order, workflow, refund_amount) -> None:
    if refund_amount is None or not (Decimal("0") < refund_amount <= order.amount_paid):
        raise ValidationFailedError({"refund_amount": [f"required, more than 0 and at most {order.amount_paid}"]})
    workflow.cancel()
    order.refund_amount = refund_amount
    finish_order(session, order, "refunded", actor)  # the refund record (kind appeal) pays the buyer


def _no_refund(refund_amount) -> None:
    if refund_amount is not None:
        raise ValidationFailedError({"refund_amount": ["only close_with_refund takes a refund amount"]})


OUTCOMES = {"resume": _resume, "return_to_seller": _return_to_seller, "force_accept": _force_accept,
            "close_with_refund": _close_with_refund}


def _notify_parties(session, order: Order, appeal: Appeal) -> None:
    message = f"Appeal on order {order.order_no} resolved: {appeal.outcome}. {appeal.note or ''}".strip()
    for recipient in (order.buyer, order.seller):
        notify(session, recipient, "appeal_resolved", message, order_id=order.id, ref=f"appeal:{appeal.id}")
