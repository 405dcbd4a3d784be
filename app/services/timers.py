"""Firing due BPMN timers: claim due, unfrozen instances one at a time, each in its own transaction."""
from sqlalchemy import select

from app.errors import WorkflowError
from app.extensions import db, runtime
from app.models import Order, ProcessInstance
from app.services import audit
from app.services.audit import SYSTEM
from app.services.unit import transaction
from app.services.workflow import open_workflow, record_engine_failure, save_workflow


def _due(now):
    return (select(ProcessInstance)
            .where(ProcessInstance.next_timer_at <= now, ProcessInstance.frozen_at.is_(None),
                   ProcessInstance.status == "running")
            .order_by(ProcessInstance.next_timer_at).limit(1))


def fire_due_timers(max_instances: int = 1000) -> int:
    """Fire every due timer now; returns how many instances advanced. Safe with many workers."""
    seen: set[str] = set()
    while len(seen) < max_instances:
        order_id = _fire_one()
        if order_id is None or order_id in seen:  # nothing due, or a timer that would not fire
            break
        seen.add(order_id)
    return len(seen)


def _fire_one() -> str | None:
    order_id = None
    try:
        with transaction() as session:
            query = _due(runtime.clock.now()).execution_options(populate_existing=True)
            if db.is_postgres:
                query = query.with_for_update(skip_locked=True)
            instance = session.scalars(query).first()
            if instance is None:
                return None
            order_id = instance.order_id
            order = session.get(Order, order_id)
            due = instance.next_timer_at
            workflow = open_workflow(instance)
            workflow.fire_due_timers()
            audit.record(session, order_id, SYSTEM, "timer_fired", data={"due_at": due.isoformat()})
            save_workflow(session, order, instance, workflow, SYSTEM)
            return order_id
    except WorkflowError as err:
        record_engine_failure(order_id, err)
        return order_id
