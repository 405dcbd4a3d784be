"""Bounds on what the engine does with values computed at run time, and the value checks themselves.
No Flask, no database."""
from datetime import datetime, timezone

import pytest

from app.engine import Limits, RestrictedScriptEngine, WorkflowInstance, parse_definition
from app.engine.limits import cardinality_problem, timer_value_problem
from app.errors import WorkflowError

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="bounds_check" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>"""
TAIL = """    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="step" />
    <bpmn:sequenceFlow id="f2" sourceRef="step" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
NOW = datetime(2026, 1, 5, tzinfo=timezone.utc)


def timer_step(kind: str, expression: str) -> bytes:
    return (f'{HEAD}<bpmn:intermediateCatchEvent id="step"><bpmn:incoming>f1</bpmn:incoming>'
            f'<bpmn:outgoing>f2</bpmn:outgoing><bpmn:timerEventDefinition id="t">'
            f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>'
            f"</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>{TAIL}").encode()


def loop_step(cardinality: str) -> bytes:
    return (f'{HEAD}<bpmn:scriptTask id="step"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
            f'<bpmn:multiInstanceLoopCharacteristics isSequential="false"><bpmn:loopCardinality>{cardinality}'
            f"</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics><bpmn:script>x = 1</bpmn:script>"
            f"</bpmn:scriptTask>{TAIL}").encode()


SPIN = f"""{HEAD.replace('<bpmn:outgoing>f1</bpmn:outgoing>', '<bpmn:outgoing>f0</bpmn:outgoing>')}
    <bpmn:scriptTask id="step"><bpmn:incoming>f0</bpmn:incoming><bpmn:incoming>f_back</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="f2"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f_back</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="step" />
    <bpmn:sequenceFlow id="f1" sourceRef="step" targetRef="gw" />
    <bpmn:sequenceFlow id="f_back" sourceRef="gw" targetRef="step">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">True</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def run(xml: bytes, data: dict | None = None, limits: Limits = Limits()) -> WorkflowInstance:
    return WorkflowInstance.start(parse_definition(xml, "bounds_check@1"), data or {},
                                  RestrictedScriptEngine(limits=limits))


@pytest.mark.parametrize("kind, value", [("timeDuration", "P99999999Y"), ("timeCycle", "R/PT0S"),
                                         ("timeCycle", "R5/PT0.1S"), ("timeCycle", "R1000/PT1H"),
                                         ("timeDate", "2999-01-01T00:00:00+00:00")])
def test_a_timer_value_computed_from_task_data_beyond_the_bounds_fails_at_its_element(kind, value):
    with pytest.raises(WorkflowError) as failure:
        run(timer_step(kind, "due"), {"due": value})
    assert failure.value.element_id == "step"


def test_a_loop_cardinality_computed_from_task_data_beyond_the_bound_fails_at_its_element():
    with pytest.raises(WorkflowError, match="exceeds the maximum of 100") as failure:
        run(loop_step("n"), {"n": 3_000_000})
    assert failure.value.element_id == "step"


def test_a_loop_cardinality_within_the_bound_runs():
    assert run(loop_step("n"), {"n": 3}).is_completed()


def test_a_loop_through_a_gateway_without_a_wait_state_fails_instead_of_ending_silently():
    # Left alone, SpiffWorkflow 3.2 stops such a loop after ~1000 tasks and reports the workflow
    # completed although no end event was reached; the step limit turns it into an engine error.
    with pytest.raises(WorkflowError, match="500 tasks without reaching a wait state") as failure:
        run(SPIN)
    assert failure.value.element_id in {"step", "gw"}


@pytest.mark.parametrize("kind, value", [("timeDuration", "P10D"), ("timeDuration", "PT30S"), ("timeDuration", "P10Y"),
                                         ("timeDate", "2020-01-01T00:00:00+00:00"),
                                         ("timeDate", "9999-12-31T00:00:00+00:00"), ("timeCycle", "R3/PT1H"),
                                         ("timeCycle", "R100/2026-01-01T00:00:00+00:00/P1D")])
def test_a_timer_value_within_the_bounds_passes(kind, value):
    assert timer_value_problem(kind, value, Limits(), NOW) is None


@pytest.mark.parametrize("kind, value", [("timeDuration", "P11Y"), ("timeDuration", "P4000D"),
                                         ("timeDuration", "2026-01-01"), ("timeDate", "P1D"),
                                         ("timeDate", "1900-01-01T00:00:00+00:00"), ("timeCycle", "R/PT1H"),
                                         ("timeCycle", "R-1/PT1H"), ("timeCycle", "R101/PT1H"),
                                         ("timeCycle", "R3/PT0S"), ("timeCycle", "R3/P20Y"), ("timeDuration", 10)])
def test_a_timer_value_beyond_the_bounds_is_a_problem(kind, value):
    assert timer_value_problem(kind, value, Limits(), NOW)


@pytest.mark.parametrize("value", [101, -1, 2.5, "3", None])
def test_a_cardinality_that_is_not_a_small_whole_number_is_a_problem(value):
    assert cardinality_problem(value, Limits())
