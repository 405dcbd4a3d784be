"""Loading, advancing and saving process instances; helpers that take the caller's session.

Everything here works per instance: an order may run several processes (one per kind). An instance belongs to
a *subject*: an Order, or a PurchaseApplication (kind `purchase`); a subject says which columns bind an
instance and its tasks to it (`instance_binding()`) and who in a lane owns a task (`assignee_for(lane)`)."""
from collections.abc import Callable
from datetime import datetime
from functools import wraps

import isodate
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from app.engine import UserTask, WorkflowInstance
from app.errors import ConflictError, NotFoundError, WorkflowError
from app.extensions import runtime
from app.models import Order, ProcessDefinition, ProcessInstance, PurchaseApplication, Task
from app.models.process import SUPERVISION
from app.services.core.rows import any_of, held
from app.services.core import audit, batch_reads, events
from app.actors import SYSTEM, Actor
from app.services.core.definitions import current_definition, parsed
from app.services.core.transaction import transaction

# kind -> what the end of an instance of that kind does to its subject (fulfilment registers supervision's)
Subject = Order | PurchaseApplication
CompletionHook = Callable[..., None]
COMPLETION_HOOKS: dict[str, CompletionHook] = {}
PROGRESS_HOOKS: dict[str, CompletionHook] = {}  # kind -> what every save of such an instance updates


def register_completion(kind: str, hook: CompletionHook) -> None:
    """`hook(session, subject, instance, workflow, actor)` runs when an instance of `kind` completes."""
    COMPLETION_HOOKS[kind] = hook


def register_progress(kind: str, hook: CompletionHook) -> None:
    """`hook(session, subject, instance, workflow, actor)` runs after every save of an instance of `kind`
    (actions, timers, its start), e.g. to keep a refund's status in step with where its process stands."""
    PROGRESS_HOOKS[kind] = hook


def lock_instance(session, order_id: str, kind: str = SUPERVISION) -> ProcessInstance:
    """The order's instance of `kind`, locked for this transaction (FOR UPDATE; SQLite locks at BEGIN).

    Everything the session read before is expired, so the order, appeal... reload as they are once we
    hold the lock (another transaction may have changed them while we waited)."""
    found = lock_instance_if_any(session, order_id, kind)
    if found is None:
        raise ConflictError(f"this order has no {kind} process")
    return found


def lock_instance_if_any(session, order_id: str, kind: str = SUPERVISION) -> ProcessInstance | None:
    """lock_instance, None when the order has no instance of `kind` (or no such order): a use case that locks
    first reads the order once, after the lock, and decides its own errors."""
    return _locked(session, LOCK_BY_ORDER, {"order_id": order_id, "kind": kind})


def locking_by_order(*columns):
    """The statement of lock_instance_if_any reading `columns` (subqueries over the order) in the same round
    trip; build it once, run it with lock_row."""
    return LOCK_BY_ORDER.add_columns(*columns)


def lock_row(session, statement, order_id: str, kind: str = SUPERVISION):
    """Run a locking_by_order statement: the row (instance, *columns), or None as lock_instance_if_any."""
    return _locked_row(session, statement, {"order_id": order_id, "kind": kind})


def lock_instance_by_id(session, instance_id: int) -> ProcessInstance:
    """One instance by its id, locked like lock_instance."""
    found = _locked(session, LOCK_BY_ID, {"id": instance_id})
    if found is None:
        raise NotFoundError("no such process instance")
    return found


def _locked(session, query, params: dict) -> ProcessInstance | None:
    row = _locked_row(session, query, params)
    return row[0] if row is not None else None


def _locked_row(session, query, params: dict):
    session.expire_all()  # what the session read before reloads as it is once the lock is held
    return session.execute(query, params).first()


# The hot path's statements, built once (building one cost about as much as running it). FOR UPDATE is
# PostgreSQL's row lock; SQLite renders none (its writer lock, taken at BEGIN IMMEDIATE, serializes writers).
_LOCKING = select(ProcessInstance).with_for_update(of=ProcessInstance).execution_options(populate_existing=True)
# the order comes in the same statement (not locked: the instance's lock serializes the use cases)
LOCK_BY_ORDER = (_LOCKING.join(ProcessInstance.order).options(contains_eager(ProcessInstance.order))
                 .where(ProcessInstance.order_id == bindparam("order_id"), ProcessInstance.kind == bindparam("kind")))
LOCK_BY_ID = _LOCKING.where(ProcessInstance.id == bindparam("id"))
_READY_OF = select(Task).where(Task.process_instance_id == bindparam("instance_id"), Task.status == "ready")
READY_TASKS = _READY_OF.order_by(Task.created_at)
READY_TASK = _READY_OF.where(Task.id == bindparam("task_id"))
# the open rows and those of the ready tasks only: closed rows of earlier rounds stay untouched
TASKS_TO_SYNC = select(Task).where(Task.process_instance_id == bindparam("instance_id"),
                                   (Task.status == "ready") | any_of(Task.id, "ready_ids"))


def find_instance(session, order_id: str, kind: str = SUPERVISION) -> ProcessInstance | None:
    """The order's instance of `kind`, unlocked (for reading), or None."""
    return session.scalars(select(ProcessInstance).where(ProcessInstance.order_id == order_id,
                                                         ProcessInstance.kind == kind)).first()


def ready_task_offering(session, instance: ProcessInstance, action: str, task_id: str | None = None) -> Task | None:
    """The instance's oldest ready task offering `action` (that task only, when `task_id` names one), or None."""
    return next((t for t in _ready_rows(session, instance, task_id) if action in t.actions), None)


def _ready_rows(session, instance: ProcessInstance, task_id: str | None) -> list[Task]:
    """The instance's ready rows, oldest first (the one named `task_id`, when given): from the rows the action
    holds for its save (batch_reads.action_rows), else by their own query."""
    rows = batch_reads.action_rows(session, instance)
    if rows is not None:
        ready = sorted((t for t in rows if t.status == "ready"), key=lambda t: t.created_at)
        return [t for t in ready if task_id is None or t.id == task_id]
    if task_id is None:
        return session.scalars(READY_TASKS, {"instance_id": instance.id}).all()
    return session.scalars(READY_TASK, {"instance_id": instance.id, "task_id": task_id}).all()


def open_workflow(instance: ProcessInstance) -> WorkflowInstance:
    """The instance's engine state; its WorkflowErrors name the instance id as `owner`."""
    return runtime.engine.load(parsed(instance.definition), instance.state, owner=instance.id)


def start_instance(session, order: Subject, process_key: str, data: dict, kind: str = SUPERVISION,
                   definition: ProcessDefinition | None = None) -> tuple[ProcessInstance, list[Task]]:
    """Start a process of `kind` on the subject (an order, an application) at its current version (the
    caller's `definition`, when it read it already) and save the first waits. Returns the instance and the
    task rows the start made ready (none when it failed)."""
    definition = definition or current_definition(session, process_key)
    instance = ProcessInstance(kind=kind, definition_id=definition.id, definition=definition, state={},
                               status="running", updated_at=runtime.clock.now(), **order.instance_binding())
    session.add(instance)
    session.flush()  # the task rows name the instance
    try:
        with session.begin_nested():  # a failing start leaves the order, in `error`, for operations
            workflow = runtime.engine.start(parsed(definition), data)
            ready = save_workflow(session, order, instance, workflow, SYSTEM, new=True)
    except WorkflowError as error:
        mark_failed(session, order, instance, error)
        ready = []
    return instance, ready


def save_workflow(session, order: Subject, instance: ProcessInstance, workflow: WorkflowInstance,
                  actor: Actor, new: bool = False) -> list[Task]:
    """Write state, next timer and the instance's inbox rows; run its kind's completion hook when it ended.
    Returns the instance's task rows made ready by this save (a hook may close some: check `status`).
    `new`: the instance was created in this transaction, so it has no task rows to read."""
    now = runtime.clock.now()
    instance.state = workflow.dump()
    instance.next_timer_at = workflow.next_timer_at()
    instance.updated_at = now
    ready = sync_tasks(session, order, instance, workflow.ready_user_tasks() + workflow.waiting_message_nodes(), actor,
                       new)
    if workflow.is_completed() and instance.status == "running":
        instance.status = "completed"
        hook = COMPLETION_HOOKS.get(instance.kind)  # a kind without a hook leaves the order as it is
        if hook is not None:
            hook(session, order, instance, workflow, actor)
    progress = PROGRESS_HOOKS.get(instance.kind)
    if progress is not None:
        progress(session, order, instance, workflow, actor)
    return ready


def finish_order(session, order: Order, status: str, actor: Actor) -> None:
    """End supervision: the order leaves `processing` and the finish is logged."""
    now = runtime.clock.now()
    order.status = status
    order.completed_at = now
    if status == "completed" and order.accepted_at is None:
        order.accepted_at = now
    audit.record(session, order.id, actor, f"order_{status}", node="service_completed")
    events.record_event(session, order, f"order.{status}", {
        "status": status, "completed_at": now.isoformat(),
        "refund_amount": str(order.refund_amount) if order.refund_amount is not None else None})


def sync_tasks(session, order: Subject, instance: ProcessInstance, ready: list[UserTask], actor: Actor,
               new: bool = False) -> list[Task]:
    """Make the instance's task rows say exactly what the engine says is ready (other instances' rows
    are not touched); returns the ready rows, in the engine's order. `new`: the instance has no rows yet."""
    now = runtime.clock.now()
    ready_by_id = {t.id: t for t in ready}
    rows = {} if new else _rows_to_sync(session, instance, ready_by_id)
    for row in rows.values():
        if row.status == "ready" and row.id not in ready_by_id:
            row.status, row.closed_at, row.closed_by = "completed", now, actor.name
    for task in ready:
        row = rows.get(task.id)
        if row is None:
            row = Task(id=task.id, process_instance_id=instance.id, **order.instance_binding())
            session.add(row)
        _describe_task(row, task, order)  # labels may change with a migration; the task's clock does not
        if row.status != "ready":
            _open_task(row, task, now)
        rows[task.id] = row
    return [rows[task.id] for task in ready]


def _rows_to_sync(session, instance: ProcessInstance, ready_by_id: dict) -> dict[str, Task]:
    """The instance's open rows and those of the engine's ready tasks, stored or still unflushed."""
    batch = batch_reads.tasks_of_instance(session, instance.id)
    if batch is not None:
        return {t.id: t for t in batch if t.status == "ready" or t.id in ready_by_id}
    with session.no_autoflush:  # the caller's pending changes go out in one flush, later
        rows = {r.id: r for r in session.scalars(TASKS_TO_SYNC, {"instance_id": instance.id,
                                                                  "ready_ids": list(ready_by_id)})}
    return rows | _unflushed_rows(session, instance, ready_by_id)


def _unflushed_rows(session, instance: ProcessInstance, ready_by_id: dict) -> dict[str, Task]:
    """The instance's task rows this session holds whose pending state the database does not know yet (added,
    or changed, in this transaction: a second save of the same instance) that sync_tasks must see."""
    return {t.id: t for t in held(session, Task, process_instance_id=instance.id)
            if t.status == "ready" or t.id in ready_by_id}


def _describe_task(row: Task, task: UserTask, order: Subject) -> None:
    row.node_id, row.name, row.name_zh = task.node_id, task.name, task.name_zh
    row.role = "system" if task.waits_outside else task.lane  # nobody's inbox holds a waiting event
    row.review_role = task.review_role
    row.actions, row.forms = list(task.actions), dict(task.forms)
    row.assignee = order.assignee_for(task.lane)


def _open_task(row: Task, task: UserTask, now: datetime) -> None:
    row.status, row.created_at, row.closed_at, row.closed_by = "ready", now, None, None
    row.due_at = now + isodate.parse_duration(task.sla) if task.sla else None


def records_engine_failures(use_case):
    """Decorates a use case: when the engine fails, its transaction has rolled back; then the failing
    instance is marked `error` in a transaction of its own, and the error goes on to the caller."""

    @wraps(use_case)
    def wrapper(*args, **kwargs):
        try:
            return use_case(*args, **kwargs)
        except WorkflowError as err:
            if err.owner is not None:
                record_engine_failure(err.owner, err)
            raise

    return wrapper


def record_engine_failure(instance_id: int, error: WorkflowError) -> None:
    """Keep the last good state, mark the instance `error` with the engine's details (own transaction)."""
    with transaction() as session:
        instance = lock_instance_by_id(session, instance_id)
        mark_failed(session, subject_of(session, instance), instance, error)


def subject_of(session, instance: ProcessInstance) -> Subject:
    """The order, or the purchase application, the instance runs for."""
    if instance.order_id is None:
        return session.get(PurchaseApplication, instance.application_id)
    return session.get(Order, instance.order_id)


def mark_failed(session, order: Subject, instance: ProcessInstance, error: WorkflowError) -> None:
    """The instance goes to `error`; the order too when it is its supervision that failed. An order's
    history logs it; an application's instance keeps it in its `error`."""
    instance.status, instance.error = "error", error.as_dict()
    if instance.kind == SUPERVISION:
        order.status = "error"
    if instance.order_id is not None:
        audit.record(session, order.id, SYSTEM, "engine_error", node=error.element_id, data=error.as_dict())


def get_order(session, order_id: str) -> Order:
    found = session.get(Order, order_id)
    if found is None:
        raise NotFoundError("no such order")
    return found
