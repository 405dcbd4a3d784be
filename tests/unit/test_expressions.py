"""The restricted evaluator: what diagrams may compute, and what they may not. No Flask, no database."""
import pytest

from app.engine import BpmnParseError, RestrictedScriptEngine, WorkflowInstance, parse_definition, problems
from app.errors import WorkflowError

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="defs" targetNamespace="http://bpmn.io/schema/bpmn">"""


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def gateway_bpmn(condition: str) -> bytes:
    """start -> gateway -> `yes` when `condition` holds, else `no` (the default flow)."""
    return f"""{HEAD}
  <bpmn:process id="gateway_check" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="gw" default="f_no">
      <bpmn:incoming>f_start</bpmn:incoming><bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="yes"><bpmn:incoming>f_yes</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="no"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="gw" />
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="yes">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(condition)}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="no" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def script_bpmn(script: str, check: str) -> bytes:
    """start -> script task running `script` -> gateway: `yes` when `check` holds, else `no`."""
    return f"""{HEAD}
  <bpmn:process id="script_check" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="calc">
      <bpmn:incoming>f_start</bpmn:incoming><bpmn:outgoing>f_calc</bpmn:outgoing>
      <bpmn:script>{escape(script)}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="f_no">
      <bpmn:incoming>f_calc</bpmn:incoming><bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="yes"><bpmn:incoming>f_yes</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="no"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="calc" />
    <bpmn:sequenceFlow id="f_calc" sourceRef="calc" targetRef="gw" />
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="yes">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(check)}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="no" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def correlation_bpmn(retrieval_expression: str) -> bytes:
    """start -> message throw event whose correlation property is computed by `retrieval_expression` -> end."""
    return f"""{HEAD}
  <bpmn:collaboration id="collab">
    <bpmn:participant id="participant" processRef="correlation_check" />
    <bpmn:correlationKey name="order_key"><bpmn:correlationPropertyRef>order_ref</bpmn:correlationPropertyRef></bpmn:correlationKey>
  </bpmn:collaboration>
  <bpmn:message id="notice" name="notice" />
  <bpmn:correlationProperty id="order_ref" name="order_ref">
    <bpmn:correlationPropertyRetrievalExpression messageRef="notice">
      <bpmn:messagePath>{escape(retrieval_expression)}</bpmn:messagePath>
    </bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>
  <bpmn:process id="correlation_check" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateThrowEvent id="send_notice">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:messageEventDefinition id="notice_def" messageRef="notice">
        <bpmn:extensionElements><spiffworkflow:messagePayload>{{"order": 1}}</spiffworkflow:messagePayload></bpmn:extensionElements>
      </bpmn:messageEventDefinition>
    </bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="send_notice" />
    <bpmn:sequenceFlow id="f2" sourceRef="send_notice" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def run(xml: bytes, data: dict | None = None) -> WorkflowInstance:
    definition = parse_definition(xml, "expression_check@1")
    return WorkflowInstance.start(definition, data or {}, RestrictedScriptEngine())


# -- refused at run time ----------------------------------------------------------------------------
def test_a_gateway_condition_calling_import_fails_with_a_workflow_error():
    with pytest.raises(WorkflowError, match="refused"):
        run(gateway_bpmn("__import__('os').getpid() == 1"))


def test_a_refused_gateway_condition_names_the_gateway():
    with pytest.raises(WorkflowError) as failure:
        run(gateway_bpmn("__import__('os').getpid() == 1"))
    assert failure.value.element_id == "gw"


def test_a_script_task_with_an_import_statement_fails_with_a_workflow_error():
    with pytest.raises(WorkflowError, match="refused"):
        run(script_bpmn("import os\ncount = 1", "count == 1"))


def test_a_dunder_escape_in_a_message_correlation_expression_is_refused():
    # Correlation retrieval expressions are evaluated by SpiffWorkflow through the script engine's
    # environment directly, not through evaluate(); they must not escape the allow-list either.
    with pytest.raises((BpmnParseError, WorkflowError), match="refused|not allowed"):
        run(correlation_bpmn("().__class__.__base__.__subclasses__().__len__()"))


# -- refused by the checker -------------------------------------------------------------------------
def test_dunder_attribute_access_is_refused():
    assert problems("().__class__.__base__")


def test_dunder_attribute_access_is_refused_with_the_attribute_named():
    assert any("__class__" in p for p in problems("().__class__.__base__"))


def test_a_dunder_name_is_refused():
    assert problems("__builtins__")


def test_calling_open_is_refused():
    assert problems("open('/etc/passwd')")


def test_calling_eval_is_refused():
    assert problems("eval('1')")


def test_calling_exec_in_a_script_is_refused():
    assert problems("exec('x = 1')", "exec")


def test_a_lambda_is_refused():
    assert problems("(lambda: 1)()")


def test_an_import_statement_in_a_script_is_refused():
    assert problems("import os", "exec")


def test_a_from_import_statement_in_a_script_is_refused():
    assert problems("from os import path", "exec")


def test_a_function_definition_in_a_script_is_refused():
    assert problems("def f():\n    return 1", "exec")


def test_an_attribute_outside_the_allow_list_is_refused():
    assert problems("order.system('id')")


def test_reading_an_attribute_outside_the_allow_list_is_refused():
    assert problems("order.amount")


def test_calling_a_name_that_is_not_an_allowed_builtin_is_refused():
    assert problems("getattr(order, 'x')")


def test_a_syntax_error_is_reported_as_a_problem():
    assert any("syntax error" in p for p in problems("decision ==="))


# -- allowed ----------------------------------------------------------------------------------------
def test_comparisons_are_allowed():
    assert problems("1 < amount <= 10 and status != 'done'") == ()


def test_a_decision_comparison_is_allowed():
    assert problems('decision == "accept"') == ()


def test_len_of_a_variable_is_allowed():
    assert problems("len(x) > 0") == ()


def test_get_on_a_dict_is_allowed():
    assert problems("x.get('a')") == ()


def test_an_assignment_script_is_allowed():
    assert problems("count = count + 1", "exec") == ()


def test_helpers_given_to_the_checker_may_be_called():
    assert problems("fee_for(amount) > 0", "eval", frozenset({"fee_for"})) == ()


# -- allowed expressions run ------------------------------------------------------------------------
def test_a_decision_condition_routes_the_gateway_when_it_holds():
    assert "yes" in run(gateway_bpmn('decision == "accept"'), {"decision": "accept"}).completed_node_ids()


def test_a_decision_condition_takes_the_default_flow_when_it_does_not_hold():
    assert "no" in run(gateway_bpmn('decision == "accept"'), {"decision": "reject"}).completed_node_ids()


def test_a_len_condition_runs():
    assert "yes" in run(gateway_bpmn("len(items) > 0"), {"items": ["a"]}).completed_node_ids()


def test_a_get_condition_runs():
    assert "yes" in run(gateway_bpmn("x.get('a') == 1"), {"x": {"a": 1}}).completed_node_ids()


def test_a_script_task_incrementing_a_counter_runs():
    assert "yes" in run(script_bpmn("count = count + 1", "count == 2"), {"count": 1}).completed_node_ids()


def test_a_condition_naming_an_undefined_variable_fails_with_a_workflow_error_at_the_gateway():
    with pytest.raises(WorkflowError) as failure:
        run(gateway_bpmn('undefined_variable == "accept"'))
    assert failure.value.element_id == "gw"
