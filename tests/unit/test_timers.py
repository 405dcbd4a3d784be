"""BPMN timers against the injectable clock: due times, firing, shifting. No Flask, no database."""
from datetime import datetime, timedelta, timezone

import pytest

from app import clock as clock_module
from app.clock import Clock
from app.engine import RestrictedScriptEngine, WorkflowInstance, install_clock, parse_definition
from app.errors import WorkflowError

START = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
TEN_DAYS = timedelta(days=10)
SECOND = timedelta(seconds=1)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def boundary_timer_bpmn(duration: str) -> bytes:
    """The buyer confirms; after `duration` an interrupting boundary timer auto-accepts instead."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="timed_acceptance" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_buyer" name="buyer"><bpmn:flowNodeRef>confirm_acceptance</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="confirm_acceptance" name="User confirms acceptance">
      <bpmn:extensionElements>
        <spiffworkflow:properties><spiffworkflow:property name="actions" value="accept" /></spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f_start</bpmn:incoming><bpmn:outgoing>f_accepted</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="auto_accept_timer" attachedToRef="confirm_acceptance">
      <bpmn:outgoing>f_auto</bpmn:outgoing>
      <bpmn:timerEventDefinition id="auto_accept_def">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{escape(duration)}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="accepted"><bpmn:incoming>f_accepted</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="auto_accepted"><bpmn:incoming>f_auto</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="confirm_acceptance" />
    <bpmn:sequenceFlow id="f_accepted" sourceRef="confirm_acceptance" targetRef="accepted" />
    <bpmn:sequenceFlow id="f_auto" sourceRef="auto_accept_timer" targetRef="auto_accepted" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def intermediate_timer_bpmn(duration: str) -> bytes:
    """start -> wait `duration` -> done."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="timed_wait" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="wait_def">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{escape(duration)}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>""".encode()


@pytest.fixture
def clock():
    """A frozen clock at START, installed for SpiffWorkflow's timers; the process-wide clock is put back after."""
    fixed = Clock()
    fixed.set(START)
    install_clock(fixed.now)
    yield fixed
    install_clock(clock_module.clock.now)


def start(xml: bytes, data: dict | None = None) -> WorkflowInstance:
    return WorkflowInstance.start(parse_definition(xml, "timed@1"), data or {}, RestrictedScriptEngine())


@pytest.fixture
def boundary(clock):
    return start(boundary_timer_bpmn('"P10D"'))


@pytest.fixture
def intermediate(clock):
    return start(intermediate_timer_bpmn('"P10D"'))


# -- due times --------------------------------------------------------------------------------------
def test_a_boundary_timer_is_due_ten_days_after_the_start(boundary):
    assert boundary.next_timer_at() == START + TEN_DAYS


def test_an_intermediate_timer_is_due_ten_days_after_the_start(intermediate):
    assert intermediate.next_timer_at() == START + TEN_DAYS


def test_a_timer_duration_can_come_from_task_data(clock):
    instance = start(boundary_timer_bpmn("accept_timeout"), {"accept_timeout": "P3D"})
    assert instance.next_timer_at() == START + timedelta(days=3)


def test_the_due_time_survives_a_dump_and_load(boundary):
    loaded = WorkflowInstance.load(boundary.definition, boundary.dump(), RestrictedScriptEngine())
    assert loaded.next_timer_at() == START + TEN_DAYS


def test_a_workflow_without_waiting_timers_has_no_next_timer(boundary):
    boundary.complete(boundary.ready_user_tasks()[0].id, "accept", "buyer", {})
    assert boundary.next_timer_at() is None


# -- firing -----------------------------------------------------------------------------------------
def test_firing_before_the_due_time_does_nothing(clock, boundary):
    clock.advance(TEN_DAYS - SECOND)
    boundary.fire_due_timers()
    assert [t.node_id for t in boundary.ready_user_tasks()] == ["confirm_acceptance"]


def test_firing_before_the_due_time_keeps_the_due_time(clock, boundary):
    clock.advance(TEN_DAYS - SECOND)
    boundary.fire_due_timers()
    assert boundary.next_timer_at() == START + TEN_DAYS


def test_a_boundary_timer_fires_once_the_clock_reaches_its_due_time(clock, boundary):
    # next_timer_at() is what the scheduler compares with `<= now`: at that moment the timer is due.
    clock.advance(TEN_DAYS)
    boundary.fire_due_timers()
    assert "auto_accepted" in boundary.completed_node_ids()


def test_an_intermediate_timer_fires_once_the_clock_reaches_its_due_time(clock, intermediate):
    clock.advance(TEN_DAYS)
    intermediate.fire_due_timers()
    assert intermediate.is_completed()


def test_a_boundary_timer_fires_after_its_due_time_has_passed(clock, boundary):
    clock.advance(TEN_DAYS + SECOND)
    boundary.fire_due_timers()
    assert "auto_accepted" in boundary.completed_node_ids()


def test_a_fired_interrupting_timer_cancels_the_user_task(clock, boundary):
    clock.advance(TEN_DAYS + SECOND)
    boundary.fire_due_timers()
    assert boundary.ready_user_tasks() == [] and boundary.is_completed()


def test_a_user_completing_before_the_due_time_cancels_the_timer(clock, boundary):
    clock.advance(TEN_DAYS - SECOND)
    boundary.complete(boundary.ready_user_tasks()[0].id, "accept", "buyer", {})
    assert "accepted" in boundary.completed_node_ids() and "auto_accepted" not in boundary.completed_node_ids()


# -- shifting ---------------------------------------------------------------------------------------
def test_shifting_timers_moves_the_due_time_by_the_delta(boundary):
    boundary.shift_timers(timedelta(days=3))
    assert boundary.next_timer_at() == START + TEN_DAYS + timedelta(days=3)


def test_a_shifted_timer_does_not_fire_at_its_old_due_time(clock, boundary):
    boundary.shift_timers(timedelta(days=3))
    clock.advance(TEN_DAYS + SECOND)
    boundary.fire_due_timers()
    assert "auto_accepted" not in boundary.completed_node_ids()


def test_a_shifted_timer_fires_after_its_new_due_time(clock, boundary):
    boundary.shift_timers(timedelta(days=3))
    clock.advance(TEN_DAYS + timedelta(days=3) + SECOND)
    boundary.fire_due_timers()
    assert "auto_accepted" in boundary.completed_node_ids()


# -- bad timer expressions --------------------------------------------------------------------------
def test_an_invalid_iso_duration_raises_a_workflow_error(clock):
    with pytest.raises(WorkflowError):
        start(boundary_timer_bpmn('"PT10D"'))


def test_a_timer_expression_naming_an_undefined_variable_raises_a_workflow_error(clock):
    with pytest.raises(WorkflowError):
        start(boundary_timer_bpmn("accept_timeout"))


def test_a_timer_expression_calling_import_is_refused(clock):
    with pytest.raises(WorkflowError, match="refused"):
        start(boundary_timer_bpmn("__import__('os').getenv('HOME')"))


def test_an_invalid_iso_duration_names_the_timer_element(clock):
    with pytest.raises(WorkflowError) as failure:
        start(boundary_timer_bpmn('"PT10D"'))
    assert failure.value.element_id == "auto_accept_timer"
