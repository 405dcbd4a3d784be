"""Due timers are fired in batches (app/services/timers.py): one transaction per batch, run whole first and,
when something in it fails, again with a savepoint per instance, so an instance the engine cannot advance
never rolls back the others of its batch."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.bpmn_variants import TIMER_DUE
from tests.helpers import recorded_statements

STARTED, FIRING = datetime(2019, 6, 1, tzinfo=timezone.utc), datetime(2020, 2, 1, tzinfo=timezone.utc)


def _start(count: int) -> list[int]:
    """`count` orders on timer_due (its timer is due 2020-01-01), started in 2019: their instance ids."""
    from app.extensions import runtime
    from app.services.core.runtime import start_instance
    from app.services.core.transaction import transaction
    from app.services.processes.deploy import deploy
    runtime.clock.set(STARTED)
    with transaction() as session:
        definition, _ = deploy(session, TIMER_DUE.read_bytes(), filename=TIMER_DUE.name)
    ids = []
    for _ in range(count):
        with transaction() as session:
            order = _order(session)
            ids.append(start_instance(session, order, definition.key, {"order_id": order.id})[0].id)
    return ids


def _order(session):
    import uuid
    from app.models import Order
    order = Order(order_no=f"TB{uuid.uuid4().hex[:12]}", request_hash="0" * 64, buyer="b", seller="s",
                  product={"name": "Timer batch", "delivery_type": "data_file", "supervised": True},
                  delivery_type="data_file", supervised=True, billing={"mode": "one_off"}, amount_paid=1,
                  paid_at=STARTED, status="processing", rejection_count=0, created_at=STARTED)
    session.add(order)
    session.flush()
    return order


def _statuses(ids: list[int]) -> dict[int, str]:
    from app.models import ProcessInstance
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        return dict(session.execute(select(ProcessInstance.id, ProcessInstance.status)
                                    .where(ProcessInstance.id.in_(ids))).all())


@pytest.fixture
def due(app):
    with app.app_context():
        yield _start(5)


def _break(instance_id: int, state) -> None:
    from app.models import ProcessInstance
    from app.services.core.transaction import transaction
    with transaction() as session:
        session.get(ProcessInstance, instance_id).state = state


def _fire(at_most: int = 1000) -> int:
    from app.extensions import runtime
    from app.services.timers import fire_due_timers
    runtime.clock.set(FIRING)
    return fire_due_timers(max_instances=at_most)


def test_every_due_instance_of_a_batch_advances(due):
    assert _fire() == 5
    assert set(_statuses(due).values()) == {"completed"}


def test_an_instance_whose_state_does_not_load_leaves_the_rest_of_its_batch_advancing(due):
    _break(due[2], {"not": "a workflow"})
    assert _fire() == 4
    statuses = _statuses(due)
    assert statuses.pop(due[2]) == "error"  # the engine refused its state: operations see it
    assert set(statuses.values()) == {"completed"}


def _refuse_completion(instance_id: int) -> None:
    """The instance's waiting task no longer offers `accept`: its timer then accepts nothing, and the
    completion it leads to is refused after the timer's event was written (a failure after writes)."""
    from app.models import Task
    from app.services.core.transaction import transaction
    with transaction() as session:
        for task in session.scalars(select(Task).where(Task.process_instance_id == instance_id)):
            task.actions = []


def _history_types(ids: list[int]) -> dict[int, list[str]]:
    from app.models import AuditEvent, ProcessInstance
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        rows = session.execute(select(ProcessInstance.id, AuditEvent.type)
                               .join(AuditEvent, AuditEvent.order_id == ProcessInstance.order_id)
                               .where(ProcessInstance.id.in_(ids)).order_by(AuditEvent.seq)).all()
    types = {instance_id: [] for instance_id in ids}
    for instance_id, type_ in rows:
        types[instance_id].append(type_)
    return types


def test_a_batch_without_failures_takes_no_savepoint_per_instance(due):
    with recorded_statements() as seen:
        assert _fire() == 5
    statements = [statement.split()[0].upper() for statement in seen]
    # two transactions (the batch of 5, then the empty claim that ends the tick), each opened in the test's
    # savepoint by the per-test rollback: no savepoint of its own for any instance
    assert statements.count("SAVEPOINT") == 2


def test_a_completion_refused_after_the_timer_was_logged_fails_only_its_instance(due):
    _refuse_completion(due[1])
    assert _fire() == 4
    statuses, history = _statuses(due), _history_types(due)
    assert (statuses.pop(due[1]), history.pop(due[1])) == ("error", ["engine_error"])  # its timer_fired undone
    assert set(statuses.values()) == {"completed"}
    assert {tuple(h) for h in history.values()} == {("timer_fired", "order_completed")}  # each once


def _due_at(instance_id: int, at: datetime) -> None:
    """Move the instance's waiting timer to fall due at `at` (as a freeze's resolution moves timers)."""
    from app.actors import SYSTEM
    from app.models import ProcessInstance
    from app.services.core.runtime import open_workflow, save_workflow, subject_of
    from app.services.core.transaction import transaction
    with transaction() as session:
        instance = session.get(ProcessInstance, instance_id)
        workflow = open_workflow(instance)
        workflow.shift_timers(at - instance.next_timer_at)
        save_workflow(session, subject_of(session, instance), instance, workflow, SYSTEM)


def test_a_timer_falling_due_while_a_backlog_drains_goes_before_the_backlog(due, monkeypatch):
    """Four timers overdue for a month and one due a second ago, batches of two: the first batch takes the
    fresh one and one of the backlog."""
    from app.extensions import db
    from app.services import timers
    fresh = due[-1]
    _due_at(fresh, FIRING - timedelta(seconds=1))
    monkeypatch.setitem(timers.BATCH, db.engine.dialect.name, 2)
    assert _fire(at_most=2) == 2
    statuses = _statuses(due)
    assert statuses.pop(fresh) == "completed"
    assert sorted(statuses.values()) == ["completed", "running", "running", "running"]


def test_the_schedulers_job_runs_ticks_back_to_back_while_a_backlog_lasts(due, monkeypatch):
    """Ticks of two instances: one tick leaves three of the five due, the job fires those three in one run
    (a tick of two, then one of one, which ends it)."""
    from app.services import timers
    monkeypatch.setattr(timers, "TICK", 2)
    assert _fire(at_most=2) == 2
    assert timers.drain_due_timers() == 3
    assert set(_statuses(due).values()) == {"completed"}


def test_a_batch_reads_its_instances_tasks_and_histories_once_not_per_instance(due):
    with recorded_statements() as seen:
        assert _fire() == 5
    tables = [m.group(1) for m in (re.search(r"\bFROM (task|audit_event)\b", s) for s in seen
                                   if s.lstrip().upper().startswith("SELECT")) if m]
    assert sorted(tables) == ["audit_event", "task"]  # was three reads per instance: 15


class _Rollback(Exception):
    pass


def _in_batch(instance_ids: list[int], body) -> None:
    """Run body(session, instances) inside batch_reads over those instances, in a transaction rolled back."""
    from app.models import ProcessInstance
    from app.services.core.batch_reads import batch_reads
    from app.services.core.transaction import transaction
    with pytest.raises(_Rollback), transaction() as session:
        instances = [session.get(ProcessInstance, i) for i in instance_ids]
        with batch_reads(session, instances):
            body(session, instances)
        raise _Rollback


def test_batch_reads_hold_the_stored_rows_and_every_row_the_session_adds(due):
    from app.actors import SYSTEM
    from app.models import Order, Task
    from app.services.core import audit, batch_reads

    def body(session, instances):
        first = instances[0]
        order = session.get(Order, first.order_id)  # held, as a batch holds its orders: record() reads none
        stored = list(batch_reads.tasks_of_instance(session, first.id))
        assert [t.node_id for t in stored] == ["confirm_acceptance"]
        assert batch_reads.tasks_of_order(session, order.id) == stored
        row = Task(id="added", process_instance_id=first.id, order_id=first.order_id, node_id="extra", name="x",
                   role="buyer", actions=[], forms={}, status="ready", created_at=FIRING)
        session.add(row)
        event = audit.record(session, order.id, SYSTEM, "note")
        assert batch_reads.tasks_of_instance(session, first.id) == [*stored, row]
        assert batch_reads.history(session, order.id)[-1] is event
        assert batch_reads.tasks_of_instance(session, instances[1].id) != [*stored, row]

    _in_batch(due[:2], body)


def test_batch_reads_read_the_histories_only_when_a_completion_first_asks_for_one(due):
    """A batch of reminders completes nothing: it reads no history."""
    from app.services.core import batch_reads

    def body(session, instances):
        batch_reads.tasks_of_instance(session, instances[0].id)
        assert history_reads() == 0
        for instance in instances:
            batch_reads.history(session, instance.order_id)
        assert history_reads() == 1

    with recorded_statements() as seen:
        def history_reads():
            return sum(1 for statement in seen if re.search(r"\bFROM audit_event\b", statement))
        _in_batch(due, body)


@pytest.mark.parametrize("end", ["flush", "savepoint", "unplaceable row"])
def test_batch_reads_end_when_the_database_may_hold_rows_they_did_not_read(due, end):
    """After a flush or a savepoint the readers query again; so too when a row is added before its keys
    are set (it could not be placed)."""
    from app.models import Task
    from app.services.core import batch_reads

    def body(session, instances):
        assert batch_reads.tasks_of_instance(session, instances[0].id) is not None
        if end == "flush":
            instances[0].updated_at = FIRING
            session.flush()
        elif end == "savepoint":
            with session.begin_nested():
                pass
        else:
            session.add(Task(id="no-instance-yet", node_id="n", name="n"))
        assert batch_reads.tasks_of_instance(session, instances[0].id) is None
        assert batch_reads.history(session, instances[0].order_id) is None

    _in_batch(due[:1], body)


def _versions(ids: list[int]) -> dict[int, int]:
    from app.models import ProcessInstance
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        return dict(session.execute(select(ProcessInstance.id, ProcessInstance.version_id)
                                    .where(ProcessInstance.id.in_(ids))).all())


def test_a_batch_writes_its_instances_in_one_version_checked_statement(due):
    before = _versions(due)
    with recorded_statements() as seen:
        assert _fire() == 5
    updates = [s for s in seen if s.lstrip().upper().startswith("UPDATE PROCESS_INSTANCE")]
    assert len(updates) == 1 and "version_id" in updates[0].split("WHERE", 1)[1]  # was five, one per row
    assert _versions(due) == {i: v + 1 for i, v in before.items()}
    assert set(_statuses(due).values()) == {"completed"}


def test_instances_changing_different_columns_are_written_one_statement_per_set(due):
    from app.models import ProcessInstance
    from app.services.core.transaction import transaction
    from app.services.core.versioned import save_instances
    before = _versions(due)
    with transaction() as session, recorded_statements() as seen:
        instances = [session.get(ProcessInstance, i) for i in due[:3]]
        for instance in instances:
            instance.updated_at = FIRING
        instances[2].status = "error"
        save_instances(session, instances)
        session.flush()  # nothing is left for the ORM to write
    assert sum(s.lstrip().upper().startswith("UPDATE PROCESS_INSTANCE") for s in seen) == 2
    assert _statuses(due[:3]) == {due[0]: "running", due[1]: "running", due[2]: "error"}
    assert _versions(due) == {i: v + (i in due[:3]) for i, v in before.items()}


def test_a_batch_holding_an_instance_changed_since_it_was_read_writes_none_of_them(due):
    from sqlalchemy import update
    from app.errors import ConflictError
    from app.models import ProcessInstance
    from app.services.core.transaction import transaction
    from app.services.core.versioned import save_instances
    before = _versions(due)
    with pytest.raises(ConflictError, match="1 of 5 process instances changed"), transaction() as session:
        instances = [session.get(ProcessInstance, i) for i in due]
        table = ProcessInstance.__table__  # a writer that did not take the lock, behind the session's back
        session.connection().execute(update(table).where(table.c.id == due[3])
                                     .values(version_id=table.c.version_id + 1))
        for instance in instances:
            instance.status = "error"
        save_instances(session, instances)
    assert _versions(due) == before and set(_statuses(due).values()) == {"running"}
