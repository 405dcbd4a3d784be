"""Completing user tasks: the order-level action call, the task inbox and its complete call."""
from dataclasses import dataclass, replace

from marshmallow import ValidationError
from sqlalchemy import select

from app.errors import (ActionNotAvailableError, ConflictError, ForbiddenError, NotFoundError,
                        OrderFrozenError, RefundPendingError, ValidationFailedError)
from app.extensions import runtime
from app.models import Order, ProcessInstance, Refund, Task
from app.models.process import REFUND
from app.schemas.forms import form_for, form_json_schema
from app.services.core.rows import any_of, orders_by_id
from app.services.core import audit
from app.services.core.access import authorize, may_act, task_filter, visible_order
from app.services.evidence.attachments import link_attachments
from app.actors import Actor
from app.services.fulfilment.effects import apply_action_effects, as_task_data
from app.services.fulfilment.logistics import arm_auto_acceptance, auto_acceptance_due
from app.services.fulfilment.order_view import FACT_COLUMNS, KnownFacts, OrderView, present_order
from app.services.milestones.stages import ACCEPTED_COUNT, record_progress
from app.services.core.keyset import Keyset
from app.services.core.transaction import Page, paginate, transaction
from app.services.core.views import RowView
from app.services.core.runtime import (lock_row, locking_by_order, open_workflow, ready_task_offering,
                                       records_engine_failures, save_workflow)
from app.services.refunds.options import open_refund
from app.services.purchases.actions import perform_application_action
from app.services.refunds.process import REFUND_ACTIONS, perform_refund_action, refund_of_instance

INBOX = Keyset("tasks", (Task.created_at, Task.id))  # oldest first
ACCEPTING_ACTIONS = ("accept", "confirm_deployment")  # they end supervision: never beside a refund under way


def perform_action(actor: Actor, order_id: str, action: str, data: dict, attachments: list[str],
                   task_id: str | None = None) -> OrderView:
    """Complete the ready task of the order that offers `action`, as `actor`, and advance the process; a
    refund's action (approve_refund, ...) goes to the order's open refund."""
    if task_id is None and action in REFUND_ACTIONS:
        with transaction(readonly=True) as session:
            refund = open_refund(session, visible_order(session, actor, order_id).id)
            refund_id = refund.id if refund is not None else None
        if refund_id is not None:
            perform_refund_action(actor, refund_id, action, data, attachments)
            return _order_now(actor, order_id)
    return _perform_supervision_action(actor, order_id, action, data, attachments, task_id)


def _order_now(actor: Actor, order_id: str) -> OrderView:
    with transaction(readonly=True) as session:
        return present_order(session, visible_order(session, actor, order_id), actor)


@records_engine_failures
def _perform_supervision_action(actor: Actor, order_id: str, action: str, data: dict, attachments: list[str],
                                task_id: str | None) -> OrderView:
    with transaction() as session:
        instance, known = _lock(session, order_id)  # first: the order is then read once, locked
        order = visible_order(session, actor, order_id)
        authorize(actor, "tasks.complete")
        if instance is None:
            raise ConflictError("this order has no supervision process")
        task = _task_offering(session, order, instance, action, task_id)
        if action in ACCEPTING_ACTIONS and open_refund(session, order.id) is not None:
            raise RefundPendingError("a refund of this order is under way: the order cannot be accepted until "
                                     "the refund is rejected or withdrawn")
        if not may_act(actor, task):
            raise ForbiddenError(f"{task.node_id} is not yours to complete")
        values = _validated(task, action, data, attachments, order)
        values.update(apply_action_effects(session, order, action, values))
        workflow = open_workflow(instance)
        workflow.complete(task.id, action, lane=actor.role, data=as_task_data(values))
        link_attachments(session, actor, order.id, values.get("attachments", []))
        audit.record(session, order.id, actor, "task_completed", node=task.node_id, action=action,
                     data=as_task_data({k: v for k, v in values.items() if k != "attachments"}),
                     attachments=values.get("attachments", []))
        record_progress(session, order, workflow.data_value(ACCEPTED_COUNT), actor, runtime.clock.now())
        tasks = save_workflow(session, order, instance, workflow, actor)
        due = auto_acceptance_due(order, instance, workflow) if action == "ship" else None
        if due is not None:  # the parcel was signed before the seller recorded the shipment
            arm_auto_acceptance(session, order, instance, workflow, due)
            tasks = None  # saved again: the response reads the rows
        session.flush()  # the action's one flush: what it wrote, before the response reads the order's rows
        return present_order(session, order, actor, instance=instance, tasks=tasks, known=known)


# the lock reads the order's open appeal and whether it has renewals too: the response asks no more
LOCK_FOR_ACTION = locking_by_order(*FACT_COLUMNS)


def _lock(session, order_id: str) -> tuple[ProcessInstance | None, KnownFacts | None]:
    row = lock_row(session, LOCK_FOR_ACTION, order_id)
    if row is None:
        return None, None
    instance, open_appeal, renewed = row
    return instance, KnownFacts(open_appeal, bool(renewed))


def _task_offering(session, order: Order, instance: ProcessInstance, action: str, task_id: str | None) -> Task:
    if instance.frozen_at is not None:
        raise OrderFrozenError("an appeal is open: the order is frozen until operations resolve it")
    if order.status != "processing" or instance.status != "running":
        raise ConflictError(f"the order is {order.status}")
    task = ready_task_offering(session, instance, action, task_id)
    if task is None:
        raise ActionNotAvailableError(f"no ready task of this order offers {action!r} now")
    return task


def _validated(task: Task, action: str, data: dict, attachments: list[str], order: Order) -> dict:
    try:
        values = form_for(task.forms.get(action)).load({**(data or {}), "attachments": attachments or []})
    except ValidationError as exc:
        raise ValidationFailedError(exc.messages) from None
    start = values.get("actual_start_time")
    if start is not None and not (order.paid_at <= start <= runtime.clock.now()):
        raise ValidationFailedError({"actual_start_time": ["must be between payment and now"]})
    return values


def list_tasks(actor: Actor, filters: dict, page: int, page_size: int) -> Page:
    """The caller's inbox: ready tasks of unfrozen orders, and of purchase applications, they may complete."""
    authorize(actor, "tasks.inbox")
    with transaction(readonly=True) as session:
        query = (select(Task).outerjoin(Order, Order.id == Task.order_id)
                 .where(Task.status == "ready", task_filter(actor), Task.process_instance_id.not_in(FROZEN)))
        if filters.get("delivery_type"):
            query = query.where(Order.delivery_type == filters["delivery_type"])
        if filters.get("node"):
            query = query.where(Task.node_id == filters["node"])
        if filters.get("overdue") is not None:
            late = Task.due_at.is_not(None) & (Task.due_at < runtime.clock.now())
            query = query.where(late if filters["overdue"] else ~late)
        found = paginate(session, query, page, page_size, lambda t: t, INBOX, filters.get("after"))
        return replace(found, items=present_tasks(session, found.items))


@dataclass(frozen=True)
class TaskView(RowView):
    """An inbox entry: the task's columns plus its order's number and delivery type (none for the task of a
    purchase application, which has `application_id`)."""

    extends = "task"
    task: Task
    order: Order | None
    overdue: bool
    refund_id: str | None = None  # a task of a refund run: which refund

    @property
    def order_no(self) -> str | None:
        return self.order.order_no if self.order is not None else None

    @property
    def delivery_type(self) -> str | None:
        return self.order.delivery_type if self.order is not None else None

    @property
    def action_forms(self) -> dict:
        return {action: form_json_schema(self.task.forms.get(action)) for action in self.task.actions}


def present_tasks(session, tasks: list[Task]) -> list[TaskView]:
    """Inbox entries for `tasks`, their orders loaded in one query."""
    orders = orders_by_id(session, (t.order_id for t in tasks))
    instances = list({t.process_instance_id for t in tasks})
    refunds = dict(session.execute(REFUNDS_BY_INSTANCE, {"ids": instances}).all()) if instances else {}
    now = runtime.clock.now()
    return [TaskView(t, orders.get(t.order_id), t.due_at is not None and t.due_at < now,
                     refunds.get(t.process_instance_id)) for t in tasks]


def complete_task(actor: Actor, task_id: str, action: str, data: dict, attachments: list[str]):
    """The task-level form of perform_action, of perform_refund_action for a task of a refund run, and of
    perform_application_action for a purchase application's task (answered with the application)."""
    authorize(actor, "tasks.inbox")
    with transaction() as session:
        task = session.get(Task, task_id)
        if task is None:
            raise NotFoundError("no such task")
        application_id = task.application_id
    if application_id is not None:
        return perform_application_action(actor, application_id, action, data, attachments, task_id=task_id)
    authorize(actor, "tasks.complete")
    with transaction() as session:
        task = session.get(Task, task_id)
        visible_order(session, actor, task.order_id)
        order_id = task.order_id
        kind = session.get(ProcessInstance, task.process_instance_id).kind
        refund = refund_of_instance(session, task.process_instance_id) if kind == REFUND else None
        refund_id = refund.id if refund is not None else None
    if refund_id is None:
        return perform_action(actor, order_id, action, data, attachments, task_id=task_id)
    perform_refund_action(actor, refund_id, action, data, attachments, task_id=task_id)
    return _order_now(actor, order_id)  # the task API answers with the order, whatever the task


# The few frozen instances, read once per statement (a hashed set), not probed once per task: counting an
# inbox of 9,000 tasks at a million orders went from 33 to 4 ms (docs/decisions.md, "Keyset pagination").
FROZEN = select(ProcessInstance.id).where(ProcessInstance.frozen_at.is_not(None))
# built once: every inbox page runs it
REFUNDS_BY_INSTANCE = select(Refund.process_instance_id, Refund.id).where(any_of(Refund.process_instance_id))
