"""WorkflowInstance on the general manual-service diagram: no Flask, no database."""
import json
from pathlib import Path

import pytest

from app.engine import RestrictedScriptEngine, WorkflowInstance, parse_definition
from app.errors import ActionNotAvailableError, ForbiddenError

BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "manual_service_general.bpmn"
NO_MILESTONES = {"milestone_count": 0, "milestones_accepted": 0}  # start data the shipped flows count stages with
FUTURE = 4  # SpiffWorkflow's TaskState.FUTURE as it appears in the dumped state

EVENT_SUBPROCESS_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
                  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="appeal_msg" name="appeal" />
  <bpmn:process id="with_event_subprocess" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:subProcess id="appeal_sub" triggeredByEvent="true">
      <bpmn:startEvent id="appeal_start">
        <bpmn:outgoing>s1</bpmn:outgoing>
        <bpmn:messageEventDefinition id="appeal_def" messageRef="appeal_msg" />
      </bpmn:startEvent>
      <bpmn:endEvent id="appeal_end"><bpmn:incoming>s1</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="s1" sourceRef="appeal_start" targetRef="appeal_end" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(scope="module")
def definition():
    return parse_definition(BPMN.read_bytes(), "manual_service_general@1", filename=BPMN.name)


@pytest.fixture
def engine():
    return RestrictedScriptEngine()


@pytest.fixture
def started(definition, engine):
    return WorkflowInstance.start(definition, {"order_id": "o-1", **NO_MILESTONES}, engine)


def only_ready(instance):
    (task,) = instance.ready_user_tasks()
    return task


def ready_nodes(instance):
    return [(t.node_id, t.lane) for t in instance.ready_user_tasks()]


def do(instance, action, lane, data=None):
    """Complete the one ready task with `action` as `lane`; returns the completed task's view."""
    return instance.complete(only_ready(instance).id, action, lane, data or {})


def at_confirm_acceptance(instance):
    do(instance, "submit_requirement", "buyer", {"description": "Migrate 2 TB"})
    do(instance, "deliver", "seller", {"note": "done"})
    assert ready_nodes(instance) == [("confirm_acceptance", "buyer")]
    return instance


def task_updates(state, task_id):
    """What completing `task_id` wrote to its data (SpiffWorkflow stores task data as a delta)."""
    return state["tasks"][task_id]["delta"]["updates"]


# -- starting ---------------------------------------------------------------------------------------
def test_a_started_workflow_waits_at_submit_requirement_in_the_buyer_lane(started):
    task = only_ready(started)
    assert (task.node_id, task.lane) == ("submit_requirement", "buyer")


def test_the_ready_task_offers_the_actions_from_its_properties(started):
    assert only_ready(started).actions == ("submit_requirement",)


def test_the_ready_task_names_the_form_of_each_action(started):
    assert only_ready(started).forms == {"submit_requirement": "requirement"}


def test_the_ready_task_carries_its_chinese_status_label(started):
    assert only_ready(started).name_zh == "用户提交需求"


def test_a_started_workflow_is_not_completed(started):
    assert not started.is_completed()


# -- refusals ---------------------------------------------------------------------------------------
def test_completing_a_future_task_is_refused_as_not_available(started):
    state = started.dump()
    future = next(tid for tid, t in state["tasks"].items() if t["task_spec"] == "deliver" and t["state"] == FUTURE)
    with pytest.raises(ActionNotAvailableError):
        started.complete(future, "deliver", "seller", {"note": "too early"})


def test_a_refused_future_task_leaves_the_state_unchanged(started):
    before = started.dump()
    future = next(tid for tid, t in before["tasks"].items() if t["task_spec"] == "deliver" and t["state"] == FUTURE)
    with pytest.raises(ActionNotAvailableError):
        started.complete(future, "deliver", "seller", {"note": "too early"})
    assert started.dump() == before


def test_completing_an_unknown_task_id_is_refused_as_not_available(started):
    with pytest.raises(ActionNotAvailableError):
        started.complete("not-a-uuid", "submit_requirement", "buyer", {})


def test_an_action_the_task_does_not_offer_is_refused(started):
    with pytest.raises(ActionNotAvailableError, match="accept"):
        started.complete(only_ready(started).id, "accept", "buyer", {})


def test_a_refused_action_leaves_the_state_unchanged(started):
    before = started.dump()
    with pytest.raises(ActionNotAvailableError):
        started.complete(only_ready(started).id, "accept", "buyer", {})
    assert started.dump() == before


def test_completing_a_task_of_another_lane_is_forbidden(started):
    with pytest.raises(ForbiddenError):
        started.complete(only_ready(started).id, "submit_requirement", "seller", {"description": "x"})


def test_a_forbidden_completion_leaves_the_state_unchanged(started):
    before = started.dump()
    with pytest.raises(ForbiddenError):
        started.complete(only_ready(started).id, "submit_requirement", "seller", {"description": "x"})
    assert started.dump() == before


# -- acting -----------------------------------------------------------------------------------------
def test_completing_a_task_writes_the_action_as_decision_into_its_data(started):
    task = do(started, "submit_requirement", "buyer", {"description": "Migrate 2 TB"})
    assert task_updates(started.dump(), task.id)["decision"] == "submit_requirement"


def test_completing_a_task_writes_the_form_data_into_its_data(started):
    task = do(started, "submit_requirement", "buyer", {"description": "Migrate 2 TB"})
    assert task_updates(started.dump(), task.id)["description"] == "Migrate 2 TB"


def test_submitting_the_requirement_makes_deliver_ready_for_the_seller(started):
    do(started, "submit_requirement", "buyer", {"description": "Migrate 2 TB"})
    assert ready_nodes(started) == [("deliver", "seller")]


def test_returning_the_requirement_sends_it_back_to_the_buyer(started):
    do(started, "submit_requirement", "buyer", {"description": "Migrate 2 TB"})
    do(started, "return_requirement", "seller", {"reason": "unclear"})
    assert ready_nodes(started) == [("submit_requirement", "buyer")]


def test_rejecting_the_delivery_sends_it_back_to_the_seller(started):
    at_confirm_acceptance(started)
    do(started, "reject", "buyer", {"reason": "incomplete"})
    assert ready_nodes(started) == [("deliver", "seller")]


def test_the_reject_loop_can_go_round_and_then_be_accepted(started):
    at_confirm_acceptance(started)
    do(started, "reject", "buyer", {"reason": "incomplete"})
    do(started, "deliver", "seller", {"note": "fixed"})
    do(started, "accept", "buyer")
    assert started.is_completed()


def test_accepting_completes_the_workflow_at_service_completed(started):
    at_confirm_acceptance(started)
    do(started, "accept", "buyer")
    assert started.is_completed() and "service_completed" in started.completed_node_ids()


def test_rewinding_to_the_seller_from_confirm_acceptance_makes_deliver_ready_again(started):
    at_confirm_acceptance(started)
    assert started.rewind_to_lane("seller") is True
    assert ready_nodes(started) == [("deliver", "seller")]


def test_rewinding_to_a_lane_that_has_done_nothing_changes_nothing(started):
    before = started.dump()
    assert started.rewind_to_lane("seller") is False
    assert started.dump() == before


# -- persistence ------------------------------------------------------------------------------------
def test_the_dumped_state_has_no_spec(started):
    assert "spec" not in started.dump()


def test_the_dumped_state_is_plain_json(started):
    state = started.dump()
    assert json.loads(json.dumps(state)) == state


def test_a_dump_and_load_round_trip_keeps_the_ready_tasks_and_their_ids(definition, engine, started):
    at_confirm_acceptance(started)
    loaded = WorkflowInstance.load(definition, json.loads(json.dumps(started.dump())), engine)
    assert loaded.ready_user_tasks() == started.ready_user_tasks()


def test_a_loaded_workflow_goes_on_from_where_it_was_dumped(definition, engine, started):
    at_confirm_acceptance(started)
    loaded = WorkflowInstance.load(definition, started.dump(), engine)
    do(loaded, "accept", "buyer")
    assert loaded.is_completed()


def test_two_loads_of_one_state_are_independent_workflows(definition, engine, started):
    state = started.dump()
    first = WorkflowInstance.load(definition, state, engine)
    second = WorkflowInstance.load(definition, state, engine)
    do(first, "submit_requirement", "buyer", {"description": "Migrate 2 TB"})
    assert ready_nodes(second) == [("submit_requirement", "buyer")]


def test_two_started_workflows_of_one_definition_are_independent(definition, engine):
    first = WorkflowInstance.start(definition, {"order_id": "o-1", **NO_MILESTONES}, engine)
    second = WorkflowInstance.start(definition, {"order_id": "o-2", **NO_MILESTONES}, engine)
    do(first, "submit_requirement", "buyer", {"description": "Migrate 2 TB"})
    assert ready_nodes(second) == [("submit_requirement", "buyer")]


# -- spec sharing -----------------------------------------------------------------------------------
def test_the_general_manual_service_diagram_is_safe_to_share(definition):
    assert definition.shareable is True


def test_a_shareable_definition_hands_out_one_spec_object(definition):
    assert definition.specs()[0] is definition.specs()[0]


def test_a_diagram_with_an_event_subprocess_is_not_shareable():
    definition = parse_definition(EVENT_SUBPROCESS_BPMN, "with_event_subprocess@1")
    assert definition.shareable is False


def test_a_definition_that_is_not_shareable_hands_out_a_fresh_spec_per_load():
    definition = parse_definition(EVENT_SUBPROCESS_BPMN, "with_event_subprocess@1")
    assert definition.specs()[0] is not definition.specs()[0]


EMBEDDED_SUBPROCESS_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
                  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="with_subprocess" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="stage"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:startEvent id="stage_start"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="inner"><bpmn:incoming>s1</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="stage_end"><bpmn:incoming>s2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="s1" sourceRef="stage_start" targetRef="inner" />
      <bpmn:sequenceFlow id="s2" sourceRef="inner" targetRef="stage_end" />
    </bpmn:subProcess>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="stage" />
    <bpmn:sequenceFlow id="f2" sourceRef="stage" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_the_stored_task_ids_are_every_task_of_the_state_its_subprocesses_included():
    from app.engine import stored_task_ids
    definition = parse_definition(EMBEDDED_SUBPROCESS_BPMN, "with_subprocess@1")
    state = WorkflowInstance.start(definition, {}, RestrictedScriptEngine()).dump()
    ids, before = stored_task_ids(state), json.dumps(state, sort_keys=True)
    inner = [t.id for t in WorkflowInstance.load(definition, state, RestrictedScriptEngine()).ready_user_tasks()]
    assert json.dumps(state, sort_keys=True) == before  # loading leaves the stored state as it was
    assert len(inner) == 1 and inner[0] in ids and inner[0] not in state["tasks"]  # the subprocess's own task
    assert len(ids) == len(set(ids)) == len(state["tasks"]) + sum(len(s["tasks"]) for s in state["subprocesses"].values())


@pytest.mark.parametrize("state", [None, [], {"tasks": ["a"]}, {"tasks": {1: {}}, "subprocesses": {"x": "y"}}])
def test_a_state_that_is_no_dump_holds_no_stored_task_ids(state):
    from app.engine import stored_task_ids
    assert stored_task_ids(state) == []
