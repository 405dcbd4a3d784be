"""Reads shared by a batch of instances advanced in one transaction (a timer batch): the instances' task rows and
their orders' task rows and histories, read in one statement per table for the whole batch instead of one per
instance in each save and completion check.

What it holds is what the database held when it read (the tasks as the batch begins, the histories when a
completion first asks) plus every row this session added since (a `transient_to_pending` listener), in the
session's current state: exactly what a reader would get from its own query joined with `held`. It lasts until
the session flushes or a (nested) transaction ends, after which the rows in the database are no longer those it
read; the readers then get None and query as always.

A task action holds a narrower set the same way (`action_rows`): one instance's open rows and the rows of the tasks
its stored state holds, the only rows an engine step on it can make ready again (a task it creates is new, and the
tree stays flat), so the action's task lookup and its save read the task table once."""
from collections import defaultdict
from contextlib import contextmanager

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from app.engine import stored_task_ids
from app.models import AuditEvent, ProcessInstance, Task
from app.services.core.rows import any_of

KEY = "fulfilment.batch_reads"  # in session.info while a batch's reads are valid

TASKS = select(Task).where(any_of(Task.process_instance_id, "instances") | any_of(Task.order_id, "orders"))
# an action's instance: its open rows and those of the tasks in its stored state
ACTION_ROWS = select(Task).where(Task.process_instance_id == bindparam("instance_id"),
                                 (Task.status == "ready") | any_of(Task.id, "stored_ids"))
MAX_STORED_IDS = 500  # a state holding more tasks (an unfolded loop in a subprocess): its readers query as before
HISTORIES = select(AuditEvent).where(any_of(AuditEvent.order_id, "orders")).order_by(AuditEvent.order_id,
                                                                                      AuditEvent.seq)


class BatchReads:
    def __init__(self, orders: list[str], only_instance: int | None = None):
        self.tasks_by_instance: dict[int, list[Task]] = defaultdict(list)
        self.tasks_by_order: dict[str, list[Task]] = defaultdict(list)
        self.orders = orders  # every task row of these orders is held, and their histories when asked
        self.only_instance = only_instance  # an action's: the rows of no other instance are held
        self._stored_history: dict[str, list[AuditEvent]] | None = None  # read when first asked for
        self._added_events: dict[str, list[AuditEvent]] = defaultdict(list)

    @classmethod
    def of_batch(cls, session, instances) -> "BatchReads":
        reads = cls(sorted({i.order_id for i in instances if i.order_id is not None}))
        if instances:
            reads._take(session, TASKS, {"instances": [i.id for i in instances], "orders": reads.orders})
        return reads

    @classmethod
    def of_action(cls, session, instance: ProcessInstance, stored_ids: list[str]) -> "BatchReads":
        reads = cls([], only_instance=instance.id)
        reads._take(session, ACTION_ROWS, {"instance_id": instance.id, "stored_ids": stored_ids})
        return reads

    def _take(self, session, statement, params: dict) -> None:
        with session.no_autoflush:
            for task in session.scalars(statement, params):
                self._index_task(task)

    def holds_instance(self, instance_id: int) -> bool:
        return self.only_instance in (None, instance_id)

    def history(self, session, order_id: str) -> list[AuditEvent]:
        """The order's stored events, read for every order of the batch when one first needs them (only a
        completion does: a reminder's batch reads none), then the ones added since, which the chain head
        numbers after every stored one."""
        if self._stored_history is None:
            self._stored_history = defaultdict(list)
            with session.no_autoflush:
                for row in session.scalars(HISTORIES, {"orders": self.orders}):
                    self._stored_history[row.order_id].append(row)
        return [*self._stored_history.get(order_id, ()), *self._added_events.get(order_id, ())]

    def _index_task(self, task: Task) -> None:
        self.tasks_by_instance[task.process_instance_id].append(task)
        if task.order_id is not None:
            self.tasks_by_order[task.order_id].append(task)

    def added(self, row) -> bool:
        """Index a row the session just took in; False when it cannot be placed (its keys are not set yet)."""
        if isinstance(row, Task):
            if row.process_instance_id is None:
                return False
            self._index_task(row)
        elif isinstance(row, AuditEvent):
            if row.order_id is None or row.seq is None:
                return False
            self._added_events[row.order_id].append(row)
        return True


@contextmanager
def batch_reads(session, instances):
    """While the block runs (and the session does not flush), readers find the batch's rows here."""
    session.info[KEY] = BatchReads.of_batch(session, instances)
    try:
        yield
    finally:
        session.info.pop(KEY, None)


def _current(session) -> BatchReads | None:
    return session.info.get(KEY)


def action_rows(session, instance: ProcessInstance) -> list[Task] | None:
    """The task rows of the instance an action is about to advance that its engine step can touch (its open
    rows and those of the tasks its stored state holds), read once and held for the action's save as a batch's
    are; the rows a batch holds already when one runs; None when its state holds too many tasks (query)."""
    held_rows = tasks_of_instance(session, instance.id)
    if held_rows is not None:
        return held_rows
    stored_ids = stored_task_ids(instance.state)
    if _current(session) is not None or len(stored_ids) > MAX_STORED_IDS:
        return None
    session.info[KEY] = reads = BatchReads.of_action(session, instance, stored_ids)
    return reads.tasks_by_instance.get(instance.id, [])


def tasks_of_instance(session, instance_id: int) -> list[Task] | None:
    """The instance's task rows held (every one, in a batch; an action's, for its instance), stored or added
    since they were read; None: query them yourself."""
    reads = _current(session)
    if reads is None or not reads.holds_instance(instance_id):
        return None
    return reads.tasks_by_instance.get(instance_id, [])


def tasks_of_order(session, order_id: str) -> list[Task] | None:
    """Every task row of the order's instances, as tasks_of_instance (a batch's orders only)."""
    reads = _current(session)
    return None if reads is None or order_id not in reads.orders else reads.tasks_by_order.get(order_id, [])


def history(session, order_id: str) -> list[AuditEvent] | None:
    """The order's events oldest first, stored or added since the batch began; None: query them yourself."""
    reads = _current(session)
    return None if reads is None or order_id not in reads.orders else reads.history(session, order_id)


@event.listens_for(Session, "transient_to_pending")
def _take_in(session, row) -> None:
    reads = _current(session)
    if reads is not None and not reads.added(row):
        _end(session)


@event.listens_for(Session, "after_flush")
def _flushed(session, flush_context) -> None:
    _end(session)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session, transaction) -> None:
    _end(session)


def _end(session) -> None:
    session.info.pop(KEY, None)
