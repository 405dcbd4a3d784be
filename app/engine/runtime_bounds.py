"""Run-time bounds: a timer value or a loop cardinality computed from task data is checked after the
script engine evaluates it and before SpiffWorkflow acts on it (walks a duration, creates instances)."""
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition, DurationTimerEventDefinition, TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask

from app.engine.limits import Limits, cardinality_problem, timer_value_problem
from app.engine.timers import current_time

_TIMER_KINDS = ((DurationTimerEventDefinition, "timeDuration"), (TimeDateEventDefinition, "timeDate"),
                (CycleTimerEventDefinition, "timeCycle"))


def _event_definitions(task_spec) -> list:
    found = getattr(task_spec, "event_definition", None)
    return [found, *getattr(found, "event_definitions", ())] if found is not None else []


def value_problem(task_spec, expression: str, value, limits: Limits) -> str | None:
    """Why `value`, the result of `expression` evaluated for `task_spec`, may not be used (None if it may)."""
    if isinstance(task_spec, MultiInstanceTask) and expression == task_spec.cardinality:
        return cardinality_problem(value, limits)
    for definition in _event_definitions(task_spec):
        for timer_type, kind in _TIMER_KINDS:
            if isinstance(definition, timer_type) and expression == definition.expression:
                return timer_value_problem(kind, value, limits, current_time())
    return None
