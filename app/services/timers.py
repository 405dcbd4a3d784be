"""Firing due BPMN timers: claim a batch of due, unfrozen instances (SKIP LOCKED on PostgreSQL, so several
scheduler processes split the work), advance each in its own savepoint, commit the batch once. An instance
the engine fails on is marked `error` in the same batch; it never rolls back the others."""
import logging

from sqlalchemy import select

from app.actors import SYSTEM
from app.errors import WorkflowError
from app.extensions import db, runtime
from app.models import Order, ProcessInstance
from app.services.core.rows import orders_by_id
from app.services.core import audit, metrics
from app.services.core.claims import claim
from app.services.core.runtime import mark_failed, open_workflow, save_workflow, subject_of
from app.services.core.transaction import transaction

log = logging.getLogger(__name__)
# instances per transaction: SQLite has one writer, so its batches stay short for the API's sake
BATCH = {"postgresql": 100, "sqlite": 20}


def _due(now):
    return (select(ProcessInstance)
            .where(ProcessInstance.next_timer_at <= now, ProcessInstance.frozen_at.is_(None),
                   ProcessInstance.status == "running")
            .order_by(ProcessInstance.next_timer_at))


def fire_due_timers(max_instances: int = 1000) -> int:
    """Fire every due timer now; returns how many instances advanced. Safe with many workers."""
    seen: set[int] = set()
    fired = 0
    while len(seen) < max_instances:
        batch = _fire_batch(seen, min(BATCH[db.engine.dialect.name], max_instances - len(seen)))
        if not batch:
            break
        seen.update(batch)
        fired += sum(1 for count in batch.values() if count)
    return fired


def _fire_batch(seen: set[int], limit: int) -> dict[int, int]:
    """Claim up to `limit` due instances not seen in this tick and advance them: {instance id: timers fired}."""
    with transaction() as session:
        now = runtime.clock.now()
        instances = claim(session, _due(now), ProcessInstance, seen, limit)
        orders = orders_by_id(session, (i.order_id for i in instances))  # held while the batch runs
        return {instance.id: _fire_one(session, instance, now, orders.get(instance.order_id)) for instance in instances}


def _fire_one(session, instance: ProcessInstance, now, order: Order | None) -> int:
    """Advance one instance; `order`: its order, loaded with the batch's (one query for all of them)."""
    subject = order or subject_of(session, instance)  # or a purchase application (no history to log in)
    try:
        with session.begin_nested():
            due = instance.next_timer_at
            metrics.TIMER_LAG_SECONDS.observe(max(0.0, (now - due).total_seconds()))
            workflow = open_workflow(instance)
            fired = workflow.fire_due_timers(now)
            for timer in fired if instance.order_id is not None else ():
                audit.record(session, instance.order_id, SYSTEM, "timer_fired", node=timer["node"],
                             data={"due_at": due.isoformat(), "attached_to": timer["attached_to"]})
            save_workflow(session, subject, instance, workflow, SYSTEM)
            return len(fired)
    except WorkflowError as error:  # its savepoint is rolled back: the last good state stays
        mark_failed(session, subject, instance, error)
        return 0
    except Exception:  # noqa: BLE001 - a bug on one instance: logged, retried next tick, the batch commits
        log.exception("firing the timers of instance %s failed", instance.id)
        return 0
