"""The engine's task query (app/engine/workflow.py) answers as SpiffWorkflow's own iterator does: the same tasks
in the same order, for every filter the platform uses, on every diagram as it runs, in subprocesses and on a
tree deeper than that iterator descends."""
from datetime import datetime, timezone
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from app import clock as clock_module
from app.engine import RestrictedScriptEngine, WorkflowInstance, install_clock, parse_definition
from app.engine.loops import hidden_task_count
from app.engine.workflow import MAX_DEPTH
from app.errors import DomainError, WorkflowError
from tests.unit.test_instance import EMBEDDED_SUBPROCESS_BPMN, EVENT_SUBPROCESS_BPMN, NO_MILESTONES

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = sorted((ROOT / "bpmn").glob("*.bpmn")) + sorted((ROOT / "tests" / "fixtures").glob("*.bpmn"))
STATES = [TaskState.MAYBE, TaskState.LIKELY, TaskState.FUTURE, TaskState.WAITING, TaskState.READY,
          TaskState.STARTED, TaskState.COMPLETED, TaskState.ERROR, TaskState.CANCELLED,
          TaskState.READY | TaskState.WAITING, TaskState.FINISHED_MASK, TaskState.DEFINITE_MASK,
          TaskState.PREDICTED_MASK, TaskState.NOT_FINISHED_MASK, TaskState.ANY_MASK]
STEPS = 12
START = {**NO_MILESTONES, "contact_seller_at": None}  # what the shipped flows read at their start
CLOCK = [datetime(2019, 6, 1, tzinfo=timezone.utc)]


@pytest.fixture(autouse=True)
def _clock():
    """SpiffWorkflow's timers read CLOCK while a test runs; the process-wide clock is put back after."""
    CLOCK[0] = datetime(2019, 6, 1, tzinfo=timezone.utc)
    install_clock(lambda: CLOCK[0])
    yield
    install_clock(clock_module.clock.now)


def queries(workflow) -> list[dict]:
    lanes = {t.task_spec.lane for t in workflow.get_tasks()} | {None, "nobody"}
    return ([{}] + [{"state": s} for s in STATES] + [{"state": TaskState.READY, "manual": m} for m in (True, False)]
            + [{"state": TaskState.READY, "manual": True, "lane": lane} for lane in lanes])


def assert_same_answers(workflow) -> int:
    for query in queries(workflow):
        ours = [t.id for t in workflow.get_tasks(**query)]
        assert ours == [t.id for t in BpmnWorkflow.get_tasks(workflow, **query)], query
    return len(queries(workflow))


def drive(xml: bytes, key: str) -> int:
    """Start the diagram and act on it step by step (the actions in turn, timers falling due every third
    step), comparing the answers of both queries at each state; how many queries were compared."""
    engine = RestrictedScriptEngine()
    instance = WorkflowInstance.start(parse_definition(xml, key), dict(START), engine)
    compared = assert_same_answers(instance._wf)
    for step in range(STEPS):
        ready = instance.ready_user_tasks()
        try:
            if step % 3 == 2 or not ready:
                CLOCK[0] = datetime(2019 + step, 6, 1, tzinfo=timezone.utc)
                instance.fire_due_timers()
            else:
                task = ready[step % len(ready)]
                instance.complete(task.id, task.actions[step % len(task.actions)] if task.actions else "done",
                                  task.lane, {})
        except (WorkflowError, DomainError):  # a gateway wanting form data, a task offering nothing: done
            break
        compared += assert_same_answers(instance._wf)
        if instance.is_completed():
            break
    return compared


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_both_queries_give_the_same_tasks_in_the_same_order_as_each_diagram_runs(path):
    assert drive(path.read_bytes(), path.stem) > 0


@pytest.mark.parametrize("xml", [EMBEDDED_SUBPROCESS_BPMN, EVENT_SUBPROCESS_BPMN], ids=["embedded", "event"])
def test_both_queries_give_the_same_tasks_with_a_subprocess(xml):
    assert drive(xml, "subprocess@1") > 0


def test_both_queries_stop_at_the_same_depth_on_a_tree_deeper_than_the_iterator_goes():
    engine = RestrictedScriptEngine()
    instance = WorkflowInstance.start(parse_definition(EMBEDDED_SUBPROCESS_BPMN, "deep@1"), {}, engine)
    workflow = instance._wf
    parent = workflow.task_tree
    for depth in range(MAX_DEPTH + 50):  # a chain below the root, deeper than the limit, a READY task at its end
        parent = Task(workflow, parent.task_spec, parent=parent,
                      state=TaskState.READY if depth == MAX_DEPTH + 49 else TaskState.COMPLETED)
    assert_same_answers(workflow)
    assert parent not in workflow.get_tasks(state=TaskState.READY)  # out of sight for both
    assert hidden_task_count(workflow) == 50  # what loops.py reports is what SpiffWorkflow cannot see


def test_the_shipped_diagrams_are_all_compared():
    assert len(DIAGRAMS) >= 20


def test_a_state_keeps_spiffworkflows_name_and_loads_as_the_workflow_with_the_faster_query():
    from app.engine.workflow import Workflow
    definition = parse_definition(EMBEDDED_SUBPROCESS_BPMN, "named@1")
    state = WorkflowInstance.start(definition, {}, RestrictedScriptEngine()).dump()
    assert state["typename"] == "BpmnWorkflow"  # states stored before load as they did, and after as before
    assert type(WorkflowInstance.load(definition, state, RestrictedScriptEngine())._wf) is Workflow
