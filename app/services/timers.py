"""Firing due BPMN timers: claim a batch of due, unfrozen instances (SKIP LOCKED on PostgreSQL, so several
scheduler processes split the work), advance them all, commit the batch once.

A batch takes the timers that fell due in the last FRESH seconds first, then the backlog, oldest first: while
a backlog drains (after an outage, say), a timer falling due meanwhile fires in the next batch instead of
after the whole backlog; with no backlog every due timer is fresh and the order is simply oldest first.

A batch first runs whole: every instance's writes go out in the commit's one flush. If anything in it fails
(the engine, a refused completion, a statement), that transaction rolls back and the batch runs again with a
savepoint per instance: the failing instance is marked `error` (or, for a bug, logged and retried next tick)
and the others commit. So one failing instance never rolls back the others of its batch, and a batch
without failures pays no savepoints and no flush per instance."""
import logging
from datetime import timedelta

from sqlalchemy import select

from app.actors import SYSTEM
from app.errors import WorkflowError
from app.extensions import db, runtime
from app.models import ProcessInstance
from app.services.core.batch_reads import batch_reads
from app.services.core.rows import orders_by_id
from app.services.core import audit, metrics
from app.services.core.claims import claim
from app.services.core.runtime import mark_failed, open_workflow, save_workflow, subject_of
from app.services.core.transaction import transaction
from app.services.core.versioned import save_instances

log = logging.getLogger(__name__)
# instances per transaction: SQLite has one writer, so its batches stay short for the API's sake
BATCH = {"postgresql": 100, "sqlite": 20}
FRESH = timedelta(seconds=5)
TICK = 1000  # instances per tick at most: an instance fires at most once a tick (`seen` stays a short list)


def _due(now):
    return (select(ProcessInstance)
            .where(ProcessInstance.next_timer_at <= now, ProcessInstance.frozen_at.is_(None),
                   ProcessInstance.status == "running")
            .order_by(ProcessInstance.next_timer_at))


def _claim_due(session, now, seen: set[int], limit: int) -> list[ProcessInstance]:
    """Up to `limit` due instances not in `seen`: those due since `now - FRESH` first, then the oldest."""
    fresh = claim(session, _due(now).where(ProcessInstance.next_timer_at > now - FRESH), ProcessInstance, seen, limit)
    if len(fresh) == limit:
        return fresh
    return fresh + claim(session, _due(now), ProcessInstance, seen | {i.id for i in fresh}, limit - len(fresh))


def fire_due_timers(max_instances: int = TICK) -> int:
    """One tick: fire the timers due now, each instance at most once; returns how many instances advanced.
    Safe with many workers."""
    return _tick(max_instances)[1]


def drain_due_timers(max_ticks: int = 60) -> int:
    """The scheduler's job: ticks back to back while each one reaches its TICK instances (a backlog), so a
    drain does not wait a second between ticks; returns how many instances advanced."""
    fired = 0
    for _ in range(max_ticks):
        claimed, advanced = _tick(TICK)
        fired += advanced
        if claimed < TICK:
            break
    return fired


def _tick(max_instances: int) -> tuple[int, int]:
    """(instances claimed, instances advanced) of one tick."""
    seen: set[int] = set()
    fired = 0
    while len(seen) < max_instances:
        batch = _fire_batch(seen, min(BATCH[db.engine.dialect.name], max_instances - len(seen)))
        if not batch:
            break
        seen.update(batch)
        fired += sum(1 for count in batch.values() if count)
    return len(seen), fired


def _fire_batch(seen: set[int], limit: int) -> dict[int, int]:
    """Claim up to `limit` due instances not seen in this tick and advance them: {instance id: timers fired}."""
    try:
        fired, lags = _run_batch(seen, limit, _advance)
    except Exception as error:  # noqa: BLE001 - one instance failed: the batch again, each in its savepoint
        log.info("a batch of due timers failed as a whole (%s); firing each instance apart", error)
        fired, lags = _run_batch(seen, limit, _fire_apart)
    for lag in lags:  # observed once the batch committed (a batch run twice counts once)
        metrics.TIMER_LAG_SECONDS.observe(lag)
    return fired


def _run_batch(seen: set[int], limit: int, fire_one) -> tuple[dict[int, int], list[float]]:
    with transaction() as session:
        now = runtime.clock.now()
        instances = _claim_due(session, now, seen, limit)
        orders = orders_by_id(session, (i.order_id for i in instances))  # held while the batch runs
        lags = [max(0.0, (now - i.next_timer_at).total_seconds()) for i in instances]
        with batch_reads(session, instances):  # one read of their tasks and histories (ends at a savepoint)
            fired = {i.id: fire_one(session, i, now, orders.get(i.order_id) or subject_of(session, i))
                     for i in instances}
        save_instances(session, instances)  # one statement for the batch (fired apart, each flushed already)
        return fired, lags


def _fire_apart(session, instance: ProcessInstance, now, subject) -> int:
    """Advance one instance in its own savepoint: a failure rolls back only its writes."""
    try:
        with session.begin_nested():
            return _advance(session, instance, now, subject)
    except WorkflowError as error:  # its savepoint is rolled back: the last good state stays
        mark_failed(session, subject, instance, error)
        return 0
    except Exception:  # noqa: BLE001 - a bug on one instance: logged, retried next tick, the batch commits
        log.exception("firing the timers of instance %s failed", instance.id)
        return 0


def _advance(session, instance: ProcessInstance, now, subject) -> int:
    """Fire the instance's due timers, log them in its order's history and save it; how many fired.
    `subject`: its order, loaded with the batch's, or a purchase application (no history to log in)."""
    due = instance.next_timer_at
    workflow = open_workflow(instance)
    fired = workflow.fire_due_timers(now)
    for timer in fired if instance.order_id is not None else ():
        audit.record(session, instance.order_id, SYSTEM, "timer_fired", node=timer["node"],
                     data={"due_at": due.isoformat(), "attached_to": timer["attached_to"]})
    save_workflow(session, subject, instance, workflow, SYSTEM)
    return len(fired)
