"""Negotiated and hardware refunds as process instances of kind `refund` (bpmn/refund_*.bpmn).

Where the process stands decides the refund's status (STATUS_BY_NODE, STATUS_BY_END): every save of a
refund instance, by an action, a timer or its start, runs `follow_process`."""
from marshmallow import ValidationError
from sqlalchemy import select

from app.actors import SYSTEM, Actor
from app.engine import WorkflowInstance
from app.errors import (ActionNotAvailableError, ConflictError, ForbiddenError, OrderFrozenError,
                        ValidationFailedError, WorkflowError)
from app.extensions import db, runtime
from app.models import Order, ProcessInstance, Refund, Task
from app.models.process import REFUND
from app.schemas.forms import form_for
from app.services.core.notifications import notify
from app.services.core import audit
from app.services.core.access import authorize, may_act
from app.services.core.calendar import add_working_days
from app.services.core.runtime import (find_instance, lock_instance, lock_instance_by_id, open_workflow,
                                       ready_task_offering, records_engine_failures, register_progress, save_workflow,
                                       start_instance)
from app.services.core.transaction import transaction
from app.services.evidence.attachments import link_attachments
from app.services.fulfilment.effects import as_task_data
from app.services.refunds.appeals import freeze_with_appeal
from app.services.refunds.status import change_status
from app.services.refunds.views import RefundView, present_refund, visible_refund

PROCESS_KEYS = {"hardware": "refund_hardware"}  # delivery type -> refund process; others negotiate
DEFAULT_PROCESS = "refund_negotiated"
STATUS_BY_NODE = {"seller_review": "pending_seller", "buyer_withdraw": "pending_seller",
                  "return_goods": "awaiting_return", "inspect_return": "awaiting_inspection"}
STATUS_BY_END = {"refund_approved": "refunding", "refund_rejected": "rejected", "refund_withdrawn": "withdrawn"}
REFUND_ACTIONS = ("approve_refund", "reject_refund", "withdraw_refund", "submit_return", "pass_inspection",
                  "report_inspection_issue")  # the order-level action call hands these to the open refund
REMINDER_END = "reminder_due"  # the 7-working-day timer ran: tell the buyer to contact the seller
CONTACT_SELLER_WORKING_DAYS = 7
INSPECTION_DEMAND = "Decide the refund: the seller reports an issue with the returned goods"


def lock_order(session, order_id: str) -> ProcessInstance | None:
    """Serialize refund work with the order's supervision: lock its instance (what accept locks), or the
    order row of an order without supervision. Returns the locked supervision instance, if any."""
    if find_instance(session, order_id) is not None:
        return lock_instance(session, order_id)
    query = select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    session.scalars(query.with_for_update() if db.is_postgres else query).first()
    return None


def start_refund_process(session, order: Order, refund: Refund) -> None:
    """Run the order's refund process for `refund` (an engine failure refuses the request whole)."""
    remind_at = add_working_days(runtime.clock.now(), CONTACT_SELLER_WORKING_DAYS)
    data = {"order_id": order.id, "order_no": order.order_no, "refund_id": refund.id,
            "refund_amount": str(refund.amount), "goods": refund.goods, "contact_seller_at": remind_at.isoformat()}
    instance, _ = start_instance(session, order, PROCESS_KEYS.get(order.delivery_type, DEFAULT_PROCESS), data,
                                 kind=REFUND)
    if instance.status == "error":
        raise WorkflowError(f"the refund process failed to start: {(instance.error or {}).get('message')}")
    refund.process_instance_id = instance.id
    follow_process(session, order, instance, open_workflow(instance), SYSTEM)


def follow_process(session, order: Order, instance: ProcessInstance, workflow: WorkflowInstance,
                   actor: Actor) -> None:
    """Progress hook of refund instances: the refund's status follows the process; the reminder goes out once."""
    refund = session.scalars(select(Refund).where(Refund.process_instance_id == instance.id)).first()
    if refund is None:  # the start itself: start_refund_process follows once the refund names the instance
        return
    if REMINDER_END in workflow.completed_node_ids() and refund.reminded_at is None:
        _remind_buyer(session, order, refund)
    if refund.status not in STATUS_BY_NODE.values():  # decided elsewhere (an appeal's resolution)
        return
    if workflow.is_completed():
        ended = [STATUS_BY_END[e] for e in workflow.ended_at() if e in STATUS_BY_END]
        status = ended[-1] if ended else refund.status
    else:
        ready = [STATUS_BY_NODE[t.node_id] for t in workflow.ready_user_tasks() if t.node_id in STATUS_BY_NODE]
        status = ready[0] if ready else refund.status
    if status != refund.status:
        change_status(session, order, refund, status, actor)


def _remind_buyer(session, order: Order, refund: Refund) -> None:
    refund.reminded_at = runtime.clock.now()
    notify(session, order.buyer, "refund_contact_seller",
           f"The seller has not reviewed your refund of order {order.order_no} for "
           f"{CONTACT_SELLER_WORKING_DAYS} working days: please contact the seller.",
           order_id=order.id, ref=f"refund:{refund.id}", dedupe_key=f"refund_contact_seller:{refund.id}")


@records_engine_failures
def perform_refund_action(actor: Actor, refund_id: str, action: str, data: dict, attachments: list[str],
                          task_id: str | None = None) -> RefundView:
    """Complete the refund's ready task that offers `action`, as `actor`, and advance its process."""
    authorize(actor, "tasks.complete")
    with transaction() as session:
        _, order = visible_refund(session, actor, refund_id)
        supervision = lock_order(session, order.id)
        refund = session.get(Refund, refund_id)
        instance = _running_instance(session, refund, supervision)
        task = _task_offering(session, instance, action, task_id)
        if not may_act(actor, task):
            raise ForbiddenError(f"{task.node_id} is not yours to complete")
        values = _validated(task, action, data, attachments)
        workflow = open_workflow(instance)
        workflow.complete(task.id, action, lane=actor.role, data=as_task_data(values))
        link_attachments(session, actor, order.id, values.get("attachments", []))
        if action == "submit_return":
            refund.return_logistics = {"carrier": values["carrier"], "tracking_no": values["tracking_no"],
                                       "submitted_at": runtime.clock.now().isoformat()}
        audit.record(session, order.id, actor, "task_completed", node=task.node_id, action=action,
                     data={"refund_id": refund.id, **as_task_data({k: v for k, v in values.items()
                                                                   if k != "attachments"})},
                     attachments=values.get("attachments", []))
        save_workflow(session, order, instance, workflow, actor)
        if action == "report_inspection_issue":  # operations decide between the buyer and the seller
            freeze_with_appeal(session, actor, order, refund, instance, values["reason"], INSPECTION_DEMAND,
                               values.get("attachments", []))
        return present_refund(session, refund, actor)


def _running_instance(session, refund: Refund, supervision: ProcessInstance | None) -> ProcessInstance:
    """The refund's instance, locked, if it can take an action now."""
    if supervision is not None and supervision.frozen_at is not None:
        raise OrderFrozenError("an appeal is open: the order is frozen until operations resolve it")
    if refund.process_instance_id is None:
        raise ActionNotAvailableError(f"a {refund.kind} refund has no tasks")
    instance = lock_instance_by_id(session, refund.process_instance_id)
    if instance.frozen_at is not None:
        raise OrderFrozenError("an appeal on this refund is open: it waits until operations resolve it")
    if instance.status != "running":
        raise ConflictError(f"the refund is {refund.status}")
    return instance


def _task_offering(session, instance: ProcessInstance, action: str, task_id: str | None) -> Task:
    task = ready_task_offering(session, instance, action, task_id)
    if task is None:
        raise ActionNotAvailableError(f"no ready task of this refund offers {action!r} now")
    return task


def _validated(task: Task, action: str, data: dict, attachments: list[str]) -> dict:
    try:
        return form_for(task.forms.get(action)).load({**(data or {}), "attachments": attachments or []})
    except ValidationError as exc:
        raise ValidationFailedError(exc.messages) from None


def refund_of_instance(session, instance_id: int) -> Refund | None:
    return session.scalars(select(Refund).where(Refund.process_instance_id == instance_id)).first()


def register() -> None:
    """Refund instances keep their refund's status (create_app calls this)."""
    register_progress(REFUND, follow_process)
