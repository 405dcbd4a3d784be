"""Firing due BPMN timers: claim due, unfrozen instances one at a time, each in its own transaction."""
from sqlalchemy import select

from app.errors import WorkflowError
from app.extensions import db, runtime
from app.models import ProcessInstance
from app.services.core import audit, metrics
from app.actors import SYSTEM
from app.services.core.transaction import transaction
from app.services.core.runtime import open_workflow, record_engine_failure, save_workflow, subject_of


def _due(now, seen: set[str]):
    query = (select(ProcessInstance)
             .where(ProcessInstance.next_timer_at <= now, ProcessInstance.frozen_at.is_(None),
                    ProcessInstance.status == "running")
             .order_by(ProcessInstance.next_timer_at).limit(1))
    return query.where(ProcessInstance.id.not_in(seen)) if seen else query


def fire_due_timers(max_instances: int = 1000) -> int:
    """Fire every due timer now; returns how many instances advanced. Safe with many workers."""
    seen: set[int] = set()
    fired = 0
    while len(seen) < max_instances:
        instance_id, count = _fire_one(seen)
        if instance_id is None:
            break
        seen.add(instance_id)
        fired += bool(count)
    return fired


def _fire_one(seen: set[int]) -> tuple[int | None, int]:
    """Advance the earliest due instance not seen in this tick; (instance id, timers fired)."""
    instance_id = None
    try:
        with transaction() as session:
            now = runtime.clock.now()
            query = _due(now, seen).execution_options(populate_existing=True)
            if db.is_postgres:
                query = query.with_for_update(skip_locked=True, of=ProcessInstance)
            instance = session.scalars(query).first()
            if instance is None:
                return None, 0
            instance_id, order_id = instance.id, instance.order_id
            order = subject_of(session, instance)  # an order, or a purchase application (no history to log in)
            due = instance.next_timer_at
            metrics.TIMER_LAG_SECONDS.observe(max(0.0, (now - due).total_seconds()))
            workflow = open_workflow(instance)
            fired = workflow.fire_due_timers(now)
            for timer in fired if order_id is not None else ():
                audit.record(session, order_id, SYSTEM, "timer_fired", node=timer["node"],
                             data={"due_at": due.isoformat(), "attached_to": timer["attached_to"]})
            save_workflow(session, order, instance, workflow, SYSTEM)
            return instance_id, len(fired)
    except WorkflowError as err:
        record_engine_failure(instance_id, err)
        return instance_id, 0
