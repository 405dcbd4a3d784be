"""Loading, advancing and saving process instances; helpers that take the caller's session."""
from datetime import datetime
from functools import wraps

import isodate
from sqlalchemy import select

from app.engine import UserTask, WorkflowInstance
from app.errors import ConflictError, NotFoundError, WorkflowError
from app.extensions import db, runtime
from app.models import Order, ProcessInstance, Task
from app.services.core import audit
from app.services.fulfilment.acceptance import check_earned_completion
from app.actors import SYSTEM, Actor
from app.services.core.definitions import current_definition, parsed
from app.services.core.transaction import transaction


def lock_instance(session, order_id: str) -> ProcessInstance:
    """The order's instance row, locked for this transaction (FOR UPDATE; SQLite locks at BEGIN).

    Everything the session read before is expired, so the order, appeal... reload as they are once we
    hold the lock (another transaction may have changed them while we waited)."""
    session.expire_all()
    query = (select(ProcessInstance).where(ProcessInstance.order_id == order_id)
             .execution_options(populate_existing=True))
    if db.is_postgres:
        query = query.with_for_update(of=ProcessInstance)
    found = session.scalars(query).first()
    if found is None:
        raise ConflictError("this order has no supervision process")
    return found


def open_workflow(instance: ProcessInstance) -> WorkflowInstance:
    return runtime.engine.load(parsed(instance.definition), instance.state, owner=instance.order_id)


def start_instance(session, order: Order, process_key: str, data: dict) -> ProcessInstance:
    """Start the order's process at its current version and save the first waits."""
    definition = current_definition(session, process_key)
    instance = ProcessInstance(order_id=order.id, definition_id=definition.id, definition=definition,
                               state={}, status="running", updated_at=runtime.clock.now())
    session.add(instance)
    try:
        with session.begin_nested():  # a failing start leaves the order, in `error`, for operations
            workflow = runtime.engine.start(parsed(definition), data)
            save_workflow(session, order, instance, workflow, SYSTEM)
    except WorkflowError as error:
        _mark_failed(session, order, instance, error)
    return instance


def save_workflow(session, order: Order, instance: ProcessInstance, workflow: WorkflowInstance,
                  actor: Actor) -> None:
    """Write state, next timer and the inbox projection; close the order when the process ended."""
    now = runtime.clock.now()
    instance.state = workflow.dump()
    instance.next_timer_at = workflow.next_timer_at()
    instance.updated_at = now
    sync_tasks(session, order, workflow.ready_user_tasks() + workflow.waiting_message_nodes(), actor)
    if workflow.is_completed() and instance.status == "running":
        instance.status = "completed"
        if order.status == "processing":  # operations' outcomes finish the order themselves
            check_earned_completion(session, order, workflow.ended_at())
            finish_order(session, order, "completed", actor)


def finish_order(session, order: Order, status: str, actor: Actor) -> None:
    """End supervision: the order leaves `processing` and the finish is logged."""
    now = runtime.clock.now()
    order.status = status
    order.completed_at = now
    if status == "completed" and order.accepted_at is None:
        order.accepted_at = now
    audit.record(session, order.id, actor, f"order_{status}", node="service_completed")


def sync_tasks(session, order: Order, ready: list[UserTask], actor: Actor) -> None:
    """Make the task rows say exactly what the engine says is ready."""
    now = runtime.clock.now()
    ready_by_id = {t.id: t for t in ready}
    # the open rows and those of the ready tasks only: closed rows of earlier rounds stay untouched
    wanted = (Task.status == "ready") | Task.id.in_(list(ready_by_id))
    rows = {r.id: r for r in session.scalars(select(Task).where(Task.order_id == order.id, wanted))}
    for row in rows.values():
        if row.status == "ready" and row.id not in ready_by_id:
            row.status, row.closed_at, row.closed_by = "completed", now, actor.name
    for task in ready:
        row = rows.get(task.id)
        if row is None:
            row = Task(id=task.id, order_id=order.id)
            session.add(row)
        _describe_task(row, task, order)  # labels may change with a migration; the task's clock does not
        if row.status != "ready":
            _open_task(row, task, now)


def _describe_task(row: Task, task: UserTask, order: Order) -> None:
    row.node_id, row.name, row.name_zh = task.node_id, task.name, task.name_zh
    row.role = "system" if task.waits_outside else task.lane  # nobody's inbox holds a waiting event
    row.review_role = task.review_role
    row.actions, row.forms = list(task.actions), dict(task.forms)
    row.assignee = {"buyer": order.buyer, "seller": order.seller}.get(task.lane)


def _open_task(row: Task, task: UserTask, now: datetime) -> None:
    row.status, row.created_at, row.closed_at, row.closed_by = "ready", now, None, None
    row.due_at = now + isodate.parse_duration(task.sla) if task.sla else None


def records_engine_failures(use_case):
    """Decorates a use case: when the engine fails, its transaction has rolled back; then the failing
    order is marked `error` in a transaction of its own, and the error goes on to the caller."""

    @wraps(use_case)
    def wrapper(*args, **kwargs):
        try:
            return use_case(*args, **kwargs)
        except WorkflowError as err:
            if err.owner is not None:
                record_engine_failure(err.owner, err)
            raise

    return wrapper


def record_engine_failure(order_id: str, error: WorkflowError) -> None:
    """Keep the last good state, mark the instance `error` with the engine's details (own transaction)."""
    with transaction() as session:
        instance = lock_instance(session, order_id)
        _mark_failed(session, session.get(Order, order_id), instance, error)


def _mark_failed(session, order: Order, instance: ProcessInstance, error: WorkflowError) -> None:
    instance.status, instance.error = "error", error.as_dict()
    order.status = "error"
    audit.record(session, order.id, SYSTEM, "engine_error", node=error.element_id, data=error.as_dict())


def get_order(session, order_id: str) -> Order:
    found = session.get(Order, order_id)
    if found is None:
        raise NotFoundError("no such order")
    return found
