"""One workflow instance behind intent-named methods; the only place that drives SpiffWorkflow tasks."""
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import UUID

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import IntermediateCatchEvent
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition as SpiffMessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from app.engine import serializer, timers
from app.engine.limits import Limits
from app.engine.loops import MAX_FOLDS, fold_reentries, hidden_task_count
from app.engine.serializer import REGISTRY
from app.engine.specs import Definition
from app.engine.workflow import Workflow
from app.errors import ActionNotAvailableError, ForbiddenError, WorkflowError


@dataclass(frozen=True)
class UserTask:
    """A READY manual task as the platform sees it (lane = role, actions from the properties)."""

    id: str
    node_id: str
    name: str
    name_zh: str | None
    lane: str | None
    review_role: str | None
    actions: tuple[str, ...]
    forms: dict
    sla: str | None
    since: datetime
    waits_outside: bool = False  # a message event waiting for someone outside, not a user task


def _split_pairs(value: str | None) -> dict:
    pairs = (item.split("=", 1) for item in (value or "").split(",") if "=" in item)
    return {k.strip(): v.strip() for k, v in pairs}


def _properties(spec) -> dict:
    return (getattr(spec, "extensions", None) or {}).get("properties", {})


def _user_task(task) -> UserTask:
    spec = task.task_spec
    props = _properties(spec)
    return UserTask(
        id=str(task.id), node_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
        name_zh=props.get("status_zh"), lane=spec.lane, review_role=props.get("review_role"),
        actions=tuple(a.strip() for a in props.get("actions", "").split(",") if a.strip()),
        forms=_split_pairs(props.get("form")), sla=props.get("sla"),
        since=datetime.fromtimestamp(task.last_state_change, timezone.utc),
    )


class WorkflowInstance:
    """A BPMN workflow with the restricted script engine attached."""

    def __init__(self, workflow: BpmnWorkflow, definition: Definition, script_engine, owner: str | None = None):
        self._wf = workflow
        self.definition = definition
        self.owner = owner  # given back on every WorkflowError, so callers know whose instance failed
        self._wf.script_engine = script_engine  # not serialized: re-attached after every load

    @classmethod
    def start(cls, definition: Definition, data: dict, script_engine) -> "WorkflowInstance":
        """Create the workflow, seed its data and run it to the first wait."""
        spec, subs = definition.specs()
        instance = cls(Workflow(spec, subs, script_engine=script_engine), definition, script_engine)
        instance._wf.task_tree.data.update(data)
        instance._advance(None)
        return instance

    @classmethod
    def load(cls, definition: Definition, state: dict, script_engine, owner: str | None = None) -> "WorkflowInstance":
        spec, subs = definition.specs()
        try:
            workflow = serializer.load(state, spec, subs)
            if not isinstance(workflow, BpmnWorkflow):
                raise TypeError(f"it holds a {type(workflow).__name__}, not a workflow")
        except (KeyError, TypeError, ValueError, AttributeError, SpiffWorkflowException) as error:
            # a state the serializer cannot read (edited by hand, cut short): an engine error, not a crash
            failure = WorkflowError(f"the saved process state cannot be loaded: {type(error).__name__}: {error}")
            failure.owner = owner
            raise failure from error
        instance = cls(workflow, definition, script_engine, owner)
        instance._check_visible()  # e.g. a state saved before loops were folded
        return instance

    def dump(self) -> dict:
        return serializer.dump(self._wf)

    # -- reading -------------------------------------------------------------------------------
    def ready_user_tasks(self) -> list[UserTask]:
        return [_user_task(t) for t in self._wf.get_tasks(state=TaskState.READY, manual=True)]

    def waiting_message_nodes(self) -> list[UserTask]:
        """Intermediate message events the process waits at for someone outside (e.g. an activation call)."""
        waiting = [t for t in self._wf.get_tasks(state=TaskState.WAITING)
                   if isinstance(t.task_spec, IntermediateCatchEvent)
                   and isinstance(t.task_spec.event_definition, MessageEventDefinition)]
        return [UserTask(id=str(t.id), node_id=t.task_spec.bpmn_id, name=t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                         name_zh=_properties(t.task_spec).get("status_zh"), lane=t.task_spec.lane, review_role=None,
                         actions=(), forms={}, sla=None, waits_outside=True,
                         since=datetime.fromtimestamp(t.last_state_change, timezone.utc)) for t in waiting]

    def is_waiting_for(self, message: str) -> bool:
        return any(e.name == message for e in self._wf.waiting_events())

    def is_completed(self) -> bool:
        return self._wf.is_completed()

    def ended_at(self) -> list[str]:
        """Element ids of the end events the process has completed."""
        return [t.task_spec.bpmn_id for t in self._wf.get_tasks(state=TaskState.COMPLETED)
                if isinstance(t.task_spec, EndEvent)]

    def completed_node_ids(self) -> list[str]:
        seen = (t.task_spec.bpmn_id for t in self._wf.get_tasks(state=TaskState.COMPLETED))
        return list(dict.fromkeys(n for n in seen if n))

    def data_value(self, name: str):
        """A task-data value where the process stands now (its ready or waiting tasks, else its end), or None."""
        for task in self._wf.get_tasks(state=TaskState.READY | TaskState.WAITING):
            if name in task.data:
                return task.data[name]
        last = self._wf.last_task
        return self._wf.data.get(name, last.data.get(name) if last is not None else None)

    def seed_missing(self, values: dict) -> None:
        """Give the active tasks the data names they lack (data a newer version expects from the start)."""
        for task in self._wf.get_tasks(state=TaskState.READY | TaskState.WAITING):
            for name, value in values.items():
                task.data.setdefault(name, value)

    def next_timer_at(self) -> datetime | None:
        return timers.next_due(self._wf)

    # -- acting --------------------------------------------------------------------------------
    def complete(self, task_id: str, action: str, lane: str, data: dict) -> UserTask:
        """Complete a READY manual task of `lane` offering `action`; writes `decision`, runs the engine."""
        task = self._find_ready(task_id)
        view = _user_task(task)
        if action not in view.actions:
            raise ActionNotAvailableError(f"task {view.node_id} does not offer {action!r}")
        if view.lane != lane:
            raise ForbiddenError(f"{view.node_id} is done by the {view.lane}, not the {lane}")
        task.data.update(data)
        task.data["decision"] = action
        self._advance(task)
        return view

    def send_message(self, message: str, payload: dict) -> bool:
        """Deliver a BPMN message and run the engine; False when no event of the process waits for it."""
        if self._wf.is_completed() or not self.is_waiting_for(message):
            return False
        self._wf.catch(BpmnEvent(SpiffMessageEventDefinition(message), payload=payload))
        self._advance(None)
        return True

    def fire_due_timers(self, now: datetime | None = None) -> list[dict]:
        """Run the timers due at `now` (default: the installed clock); returns them as {node, attached_to}."""
        due = timers.mark_due(self._wf, now or timers.current_time())
        try:
            self._wf.refresh_timers()
        except Exception as exc:  # a bad timer expression raises a bare Exception
            raise self._timer_error(exc) from exc
        self._advance(None)
        return due

    def shift_timers(self, delta: timedelta) -> None:
        timers.shift(self._wf, delta)

    def rewind_to_lane(self, lane: str) -> bool:
        """Make the latest completed manual task of `lane` READY again (later work is dropped)."""
        done = self._wf.get_tasks(state=TaskState.COMPLETED, manual=True, lane=lane)
        if not done:
            return False
        latest = max(done, key=lambda t: t.last_state_change)
        kept = deepcopy(latest.data)
        self._wf.reset_from_task_id(latest.id)
        self._forget_dropped_events()
        self._advance(None)
        # the task re-inherits its parent's data, which after a folded loop predates the loop (a stage
        # count, for one): it goes on with the data it had
        rewound = self._wf.get_task_from_id(latest.id)
        if rewound.state == TaskState.READY:
            rewound.data.update(kept)
        return True

    def active_node_ids(self) -> set[str]:
        """Element ids of the READY and WAITING tasks: where the instance stands now."""
        active = self._wf.get_tasks(state=TaskState.READY | TaskState.WAITING)
        return {t.task_spec.bpmn_id for t in active if t.task_spec.bpmn_id}

    def migrate_to(self, definition: Definition) -> None:
        """Move onto another version of the process, keeping data and the remaining time of timers."""
        dues = timers.due_by_node(self._wf)
        # migrate_workflow re-seeds active tasks from their parent; after a folded loop that parent
        # predates the loop, so the active tasks keep the data they had
        active_data = {t.id: t.data for t in self._wf.get_tasks(state=TaskState.READY | TaskState.WAITING)}
        spec, subs = definition.specs()
        top_diff, _ = diff_workflow(REGISTRY, self._wf, spec, subs)
        migrate_workflow(top_diff, self._wf, spec)
        for task_id, data in active_data.items():
            if task_id in self._wf.tasks:
                self._wf.tasks[task_id].data = data
        self._wf.subprocess_specs = subs
        self.definition = definition
        self._forget_dropped_events()
        self._advance(None)
        timers.restore_dues(self._wf, dues)

    def cancel(self) -> None:
        self._wf.cancel()

    # -- internals -----------------------------------------------------------------------------
    def _forget_dropped_events(self) -> None:
        # SpiffWorkflow 3.2 drops rewound/reset tasks from the tree but not from its event manager;
        # left there, a waiting event of a dropped task crashes the next engine step.
        events = self._wf.event_manager.tasks
        for stale in [task_id for task_id in events if task_id not in self._wf.tasks]:
            events.pop(stale)

    def _find_ready(self, task_id: str):
        try:
            task = self._wf.get_task_from_id(UUID(task_id))
        except (ValueError, KeyError, SpiffWorkflowException):
            task = None
        # run() does not check the state itself (spiffworkflow-notes §1)
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise ActionNotAvailableError("the task is not ready")
        return task

    def _advance(self, task) -> None:
        try:
            if task is not None:
                task.run()
            self._wf.do_engine_steps(will_complete_task=self._step_meter())
            for _ in range(MAX_FOLDS):  # a loop back puts its node's new run in place of the last: a flat tree
                if not fold_reentries(self._wf):
                    break
                self._forget_dropped_events()
                self._wf.do_engine_steps(will_complete_task=self._step_meter())
        except SpiffWorkflowException as exc:
            raise self._owned(_engine_error(exc)) from exc
        except Exception as exc:  # e.g. a bad timer value: a bare Exception('Invalid duration')
            raise self._timer_error(exc) from exc
        self._check_visible()

    def _check_visible(self) -> None:
        hidden = hidden_task_count(self._wf)
        if hidden:
            raise self._owned(WorkflowError(
                f"{hidden} task(s) lie deeper than the engine can see; the process cannot go on safely"))

    def _step_meter(self):
        """A callback refusing the task after the limit: a loop without a wait state cannot spin forever."""
        limit = getattr(self._wf.script_engine.environment, "limits", Limits()).engine_steps
        ran = iter(range(limit))

        def count(task):
            if next(ran, None) is None:
                raise WorkflowTaskException(f"the engine ran {limit} tasks without reaching a wait state", task=task)
        return count

    def _timer_error(self, exc: Exception) -> WorkflowError:
        unarmed = timers.unarmed_timer_ids(self._wf)
        return self._owned(WorkflowError(f"{type(exc).__name__}: {exc}", element_id=unarmed[0] if unarmed else None))

    def _owned(self, error: WorkflowError) -> WorkflowError:
        error.owner = self.owner
        return error


def _engine_error(exc: SpiffWorkflowException) -> WorkflowError:
    failed = getattr(exc, "task", None)
    element = failed.task_spec.bpmn_id if failed is not None else getattr(getattr(exc, "task_spec", None), "bpmn_id", None)
    line = getattr(exc, "line_number", None) or None
    cause = exc.__cause__ or exc.__context__
    message = str(exc).strip() + (f" ({type(cause).__name__}: {cause})" if cause else "")
    return WorkflowError(message, element_id=element, line=line)
