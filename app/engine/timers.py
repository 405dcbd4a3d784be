"""Timer plumbing: SpiffWorkflow's timer module reads our clock; due times can be read and shifted."""
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState
import SpiffWorkflow.bpmn.specs.event_definitions.timer as timer_module
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition, DurationTimerEventDefinition, TimeDateEventDefinition, TimerEventDefinition,
)

TIMER_TYPES = (DurationTimerEventDefinition, TimeDateEventDefinition, CycleTimerEventDefinition)
# Diagrams park a timer that must not run yet at a far-future date ("9999-12-31"); it is not a due time.
NEVER = datetime(9000, 1, 1, tzinfo=timezone.utc)


def install_clock(now) -> None:
    """Make SpiffWorkflow compute and compare timer due times with `now()` (an aware datetime)."""

    class ClockDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            value = now()
            return value if tz is None else value.astimezone(tz)

    timer_module.datetime = ClockDatetime


def current_time() -> datetime:
    """Now, as SpiffWorkflow's timers see it (the installed clock)."""
    return timer_module.datetime.now(timezone.utc)


def _waiting_timer_tasks(wf):
    for task in wf.get_tasks(state=TaskState.WAITING):
        spec = task.task_spec
        definition = getattr(spec, "event_definition", None)
        if isinstance(definition, TIMER_TYPES) and "event_value" in task.internal_data:
            yield task, definition


def next_due(wf) -> datetime | None:
    """The earliest due time among the instance's waiting timers."""
    due = []
    for task, definition in _waiting_timer_tasks(wf):
        value = task.internal_data["event_value"]
        if isinstance(definition, CycleTimerEventDefinition):
            due.append(datetime.fromisoformat(value["next"]))
        elif value is not None:
            due.append(TimerEventDefinition.get_datetime(value))
    due = [d for d in due if d < NEVER]
    return min(due) if due else None


def mark_due(wf, now: datetime) -> list[dict]:
    """Mark waiting timers due at or before `now` as fired (SpiffWorkflow only fires strictly after);
    returns each as {node, attached_to} (the task a boundary timer sits on, else None)."""
    marked = []
    for task, definition in _waiting_timer_tasks(wf):
        value = task.internal_data["event_value"]
        if isinstance(definition, CycleTimerEventDefinition):
            due = datetime.fromisoformat(value["next"]) <= now
        elif value is not None and TimerEventDefinition.get_datetime(value) <= now:
            task.internal_data["event_fired"] = due = True
        else:
            due = False
        if due:
            marked.append({"node": task.task_spec.bpmn_id, "attached_to": _attached_to(task)})
    return marked


def _attached_to(task) -> str | None:
    split = task.parent
    if split is None or not isinstance(split.task_spec, BoundaryEventSplit):
        return None
    main = [c for c in split.children if not isinstance(c.task_spec, BoundaryEvent)]
    return main[0].task_spec.bpmn_id if main else None


def unarmed_timer_ids(wf) -> list[str]:
    """Element ids of waiting timers that have no due time yet (their expression failed)."""
    return [t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.WAITING)
            if isinstance(getattr(t.task_spec, "event_definition", None), TIMER_TYPES)
            and t.internal_data.get("event_value") is None]


def shift(wf, delta: timedelta) -> None:
    """Move every waiting timer forward by `delta` (pause semantics after a freeze)."""
    for task, definition in _waiting_timer_tasks(wf):
        value = task.internal_data["event_value"]
        if isinstance(definition, CycleTimerEventDefinition):
            value["next"] = (datetime.fromisoformat(value["next"]) + delta).isoformat()
        elif value is not None and TimerEventDefinition.get_datetime(value) < NEVER:
            task.internal_data["event_value"] = (TimerEventDefinition.get_datetime(value) + delta).isoformat()


def due_by_node(wf) -> dict:
    """The stored due value of each waiting timer, by element id."""
    return {task.task_spec.bpmn_id: task.internal_data["event_value"] for task, _ in _waiting_timer_tasks(wf)}


def restore_dues(wf, dues: dict) -> None:
    """Give re-armed timers the due values they had (a migration keeps their remaining time)."""
    for task, _ in _waiting_timer_tasks(wf):
        if task.task_spec.bpmn_id in dues:
            task.internal_data["event_value"] = dues[task.task_spec.bpmn_id]
