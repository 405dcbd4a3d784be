"""Reject loops keep the task tree flat, and a tree too deep for the engine's iterator is an error."""
import json
from uuid import UUID
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from app.engine import RestrictedScriptEngine, WorkflowInstance, parse_definition, serializer
from app.engine.loops import hidden_task_count
from app.errors import WorkflowError

NO_MILESTONES = {"milestone_count": 0, "milestones_accepted": 0}  # start data the shipped flows count stages with

ROOT = Path(__file__).resolve().parents[2] / "bpmn"
ROUNDS = 300


def definition(name: str):
    return parse_definition((ROOT / f"{name}.bpmn").read_bytes(), f"{name}@1")


@pytest.fixture(scope="module")
def manual():
    return definition("manual_service_general")


def act(instance, action, lane, data=None, reload=True):
    (task,) = [t for t in instance.ready_user_tasks() if action in t.actions]
    instance.complete(task.id, action, lane, data or {})
    if not reload:
        return instance
    return WorkflowInstance.load(instance.definition, instance.dump(), RestrictedScriptEngine())


def looped(manual, rounds: int):
    """The manual-service flow after `rounds` deliver/reject rounds, waiting at the next deliver."""
    instance = WorkflowInstance.start(manual, {"order_id": "o-1", **NO_MILESTONES}, RestrictedScriptEngine())
    instance = act(instance, "submit_requirement", "buyer", {"description": "Migrate 2 TB"})
    for n in range(rounds):
        instance = act(instance, "deliver", "seller", {"note": f"round {n}"})
        instance = act(instance, "reject", "buyer", {"reason": f"not yet {n}"})
    return instance


def size(instance) -> int:
    return len(json.dumps(instance.dump()))


def test_the_state_after_300_rejections_is_no_larger_than_after_one(manual):
    assert size(looped(manual, ROUNDS)) <= size(looped(manual, 1)) + 64


def test_after_300_rejections_the_seller_delivers_again(manual):
    assert [t.node_id for t in looped(manual, ROUNDS).ready_user_tasks()] == ["deliver"]


def test_after_300_rejections_the_delivery_reaches_the_buyer_not_the_end(manual):
    instance = act(looped(manual, ROUNDS), "deliver", "seller", {"note": "final"})
    assert ([t.node_id for t in instance.ready_user_tasks()], instance.is_completed()) == (["confirm_acceptance"], False)


def test_after_300_rejections_the_buyers_acceptance_ends_the_process(manual):
    instance = act(act(looped(manual, ROUNDS), "deliver", "seller", {"note": "final"}), "accept", "buyer")
    assert instance.is_completed() and instance.ended_at() == ["service_completed"]


def test_a_folded_round_keeps_the_latest_rejection_in_the_task_data(manual):
    instance = looped(manual, 3)
    (task,) = instance.ready_user_tasks()
    assert instance._wf.get_task_from_id(UUID(task.id)).data["reason"] == "not yet 2"


def test_each_round_gives_the_seller_a_new_task_id(manual):
    first, second = looped(manual, 1).ready_user_tasks(), looped(manual, 2).ready_user_tasks()
    assert first[0].id != second[0].id


def test_hardware_rejections_keep_the_tree_flat_with_the_acceptance_timer():
    hardware = definition("hardware")
    instance = WorkflowInstance.start(hardware, {"order_id": "o-2", "auto_accept_at": None}, RestrictedScriptEngine())
    sizes = []
    for n in range(30):
        instance = act(instance, "ship", "seller", {"carrier": "SF", "tracking_no": f"T{n}"})
        instance = act(instance, "reject", "buyer", {"reason": "broken"})
        sizes.append(len(instance._wf.tasks))
    assert len(set(sizes[1:])) == 1


def unfolded_deep_state(manual) -> dict:
    """What the platform stored before loops were folded: plain SpiffWorkflow, a few levels deeper a
    round, driven until the next task sinks out of the iterator's sight (about 250 rounds)."""
    spec, subs = manual.specs()
    workflow = BpmnWorkflow(spec, subs, script_engine=RestrictedScriptEngine())
    workflow.task_tree.data.update(order_id="o-3")
    workflow.do_engine_steps()
    decisions = {"submit_requirement": "submit_requirement", "deliver": "deliver", "confirm_acceptance": "reject"}
    for _ in range(1000):
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            return serializer.dump(workflow)
        ready[0].data["decision"] = decisions[ready[0].task_spec.bpmn_id]
        ready[0].run()
        workflow.do_engine_steps()
    raise AssertionError("the tree never became too deep")


def test_an_unfolded_tree_of_300_rounds_hides_tasks_from_the_engine(manual):
    spec, subs = manual.specs()
    assert hidden_task_count(serializer.load(unfolded_deep_state(manual), spec, subs)) > 0


def test_loading_a_tree_the_engine_cannot_see_whole_is_an_engine_error(manual):
    with pytest.raises(WorkflowError, match="deeper than the engine can see"):
        WorkflowInstance.load(manual, unfolded_deep_state(manual), RestrictedScriptEngine(), owner="o-3")
