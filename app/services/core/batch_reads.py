"""Reads shared by a batch of instances advanced in one transaction (a timer batch): the instances' task rows and
their orders' task rows and histories, read in one statement per table for the whole batch instead of one per
instance in each save and completion check.

What it holds is what the database held when it read (the tasks as the batch begins, the histories when a
completion first asks) plus every row this session added since (a `transient_to_pending` listener), in the
session's current state: exactly what a reader would get from its own query joined with `held`. It lasts until
the session flushes or a (nested) transaction ends, after which the rows in the database are no longer those it
read; the readers then get None and query as always."""
from collections import defaultdict
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.models import AuditEvent, Task
from app.services.core.rows import any_of

KEY = "fulfilment.batch_reads"  # in session.info while a batch's reads are valid

TASKS = select(Task).where(any_of(Task.process_instance_id, "instances") | any_of(Task.order_id, "orders"))
HISTORIES = select(AuditEvent).where(any_of(AuditEvent.order_id, "orders")).order_by(AuditEvent.order_id,
                                                                                      AuditEvent.seq)


class BatchReads:
    def __init__(self, session, instances):
        self.tasks_by_instance: dict[int, list[Task]] = defaultdict(list)
        self.tasks_by_order: dict[str, list[Task]] = defaultdict(list)
        self.orders = sorted({i.order_id for i in instances if i.order_id is not None})
        self._stored_history: dict[str, list[AuditEvent]] | None = None  # read when first asked for
        self._added_events: dict[str, list[AuditEvent]] = defaultdict(list)
        if instances:
            with session.no_autoflush:
                for task in session.scalars(TASKS, {"instances": [i.id for i in instances], "orders": self.orders}):
                    self._index_task(task)

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
    session.info[KEY] = BatchReads(session, instances)
    try:
        yield
    finally:
        session.info.pop(KEY, None)


def _current(session) -> BatchReads | None:
    return session.info.get(KEY)


def tasks_of_instance(session, instance_id: int) -> list[Task] | None:
    """Every task row of the instance, stored or added since the batch began; None: query them yourself."""
    reads = _current(session)
    return None if reads is None else reads.tasks_by_instance.get(instance_id, [])


def tasks_of_order(session, order_id: str) -> list[Task] | None:
    """Every task row of the order's instances, as tasks_of_instance."""
    reads = _current(session)
    return None if reads is None else reads.tasks_by_order.get(order_id, [])


def history(session, order_id: str) -> list[AuditEvent] | None:
    """The order's events oldest first, stored or added since the batch began; None: query them yourself."""
    reads = _current(session)
    return None if reads is None else reads.history(session, order_id)


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
