"""A diagram that deploys is one that runs: sequence flows, reachability, element types and call activities are
checked at upload (POST /api/v1/process-definitions), each problem pinned to an element of the document.
Every diagram here is deployed under a process id of its own.
"""

import pytest

from tests.api.test_definitions import deploy, pinned_to, problems_of
from tests.bpmn_variants import manual, unique_key
from tests.lint_variants import PROCESS_END, between, calling, helper_process, shipped, without_flow_ids


@pytest.fixture
def key():
    return unique_key("lint")


# -- sequence flows -----------------------------------------------------------------------------------------
def test_a_data_file_diagram_whose_flows_have_no_ids_is_refused(api, cast, problem, key):
    # SpiffWorkflow drops flows without an id: this deployed, and its orders completed at creation.
    response = deploy(api, cast.analyst, without_flow_ids(shipped("data_file", key)).encode())
    assert any("has no id" in m for m in pinned_to(problem, response, "start"))


def test_each_flow_without_an_id_is_pinned_to_its_source(api, cast, problem, key):
    response = deploy(api, cast.analyst, without_flow_ids(shipped("data_file", key)).encode())
    pinned = {p["element_id"] for p in problems_of(problem, response) if "has no id" in p["message"]}
    assert pinned == {"start", "submit_requirement", "deliver", "gw_delivered", "confirm_acceptance", "gw_accept"}


def test_a_flow_to_no_element_is_refused_by_name_not_as_a_form_with_the_same_id(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, ('targetRef="confirm_acceptance"', 'targetRef="nowhere"')))
    assert pinned_to(problem, response, "flow_delivered") == ["sequence flow targetRef 'nowhere' names no element "
                                                              "of the diagram"]


def test_a_flow_from_no_element_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, ('sourceRef="confirm_acceptance"', 'sourceRef="nowhere"')))
    assert any("sourceRef 'nowhere'" in m for m in pinned_to(problem, response, "flow_confirm_gw_accept"))


def test_a_flow_to_a_lane_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, ('targetRef="confirm_acceptance"', 'targetRef="lane_buyer"')))
    assert any("is a lane, not a task" in m for m in pinned_to(problem, response, "flow_delivered"))


def test_a_task_with_two_outgoing_flows_is_refused_with_a_sentence(api, cast, problem, key):
    extra = '<bpmn:sequenceFlow id="flow_extra" sourceRef="deliver" targetRef="gw_delivered" />'
    response = deploy(api, cast.analyst, manual(key, (PROCESS_END, extra + PROCESS_END)))
    assert any("put a gateway after it" in m for m in pinned_to(problem, response, "deliver"))


# -- reachability -------------------------------------------------------------------------------------------
ORPHAN = '<bpmn:scriptTask id="orphan" scriptFormat="python"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'


def test_a_node_no_flow_reaches_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, (PROCESS_END, ORPHAN + PROCESS_END)))
    assert "orphan is not reachable from the start event" in pinned_to(problem, response, "orphan")


def test_a_node_no_flow_leaves_is_refused(api, cast, problem, key):
    limbo = ('<bpmn:scriptTask id="limbo" scriptFormat="python"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'
             '<bpmn:sequenceFlow id="flow_limbo" sourceRef="gw_delivered" targetRef="limbo">'
             '<bpmn:conditionExpression>decision == "stall"</bpmn:conditionExpression></bpmn:sequenceFlow>')
    response = deploy(api, cast.analyst, manual(key, (PROCESS_END, limbo + PROCESS_END)))
    assert pinned_to(problem, response, "limbo") == ["limbo cannot reach an end event"]


def test_a_boundary_event_is_reachable_through_its_task(api, cast, key):
    reminder = ('<bpmn:boundaryEvent id="remind" attachedToRef="deliver" cancelActivity="false">'
                '<bpmn:timerEventDefinition><bpmn:timeDuration>"P2D"</bpmn:timeDuration></bpmn:timerEventDefinition>'
                '</bpmn:boundaryEvent><bpmn:scriptTask id="note" scriptFormat="python"><bpmn:script>reminded = True'
                '</bpmn:script></bpmn:scriptTask>'
                '<bpmn:sequenceFlow id="f_remind" sourceRef="remind" targetRef="note" />')
    xml = manual(key, (PROCESS_END, reminder + '<bpmn:sequenceFlow id="f_note" sourceRef="note" '
                                              'targetRef="gw_delivered" />' + PROCESS_END))
    assert deploy(api, cast.analyst, xml).status_code == 201


def test_a_boundary_event_of_an_unreachable_task_is_unreachable(api, cast, problem, key):
    boundary = ('<bpmn:boundaryEvent id="orphan_timer" attachedToRef="orphan"><bpmn:timerEventDefinition>'
                '<bpmn:timeDuration>"P2D"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                '<bpmn:sequenceFlow id="f_orphan" sourceRef="orphan_timer" targetRef="deliver" />')
    response = deploy(api, cast.analyst, manual(key, (PROCESS_END, ORPHAN + boundary + PROCESS_END)))
    assert "orphan_timer is not reachable from the start event" in pinned_to(problem, response, "orphan_timer")


def test_a_boundary_event_attached_to_nothing_is_refused(api, cast, problem, key):
    boundary = ('<bpmn:boundaryEvent id="stray" attachedToRef="nowhere"><bpmn:timerEventDefinition>'
                '<bpmn:timeDuration>"P2D"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>')
    response = deploy(api, cast.analyst, manual(key, (PROCESS_END, boundary + PROCESS_END)))
    assert any("attached to 'nowhere'" in m for m in pinned_to(problem, response, "stray"))


def test_a_boundary_event_without_an_event_definition_is_refused_without_an_xml_dump(api, cast, problem, key):
    boundary = ('<bpmn:boundaryEvent id="blank" attachedToRef="deliver" />'
                '<bpmn:sequenceFlow id="f_blank" sourceRef="blank" targetRef="gw_delivered" />')
    response = deploy(api, cast.analyst, manual(key, (PROCESS_END, boundary + PROCESS_END)))
    assert any("no event definition" in m for m in pinned_to(problem, response, "blank"))


def test_a_subprocess_without_a_start_event_is_refused(api, cast, problem, key):
    sub = '<bpmn:subProcess id="inserted">{flows}<bpmn:endEvent id="inner_end" /></bpmn:subProcess>'
    response = deploy(api, cast.analyst, manual(key, *between(sub)))
    assert "subprocess has no start event" in pinned_to(problem, response, "inserted")


def test_an_embedded_subprocess_is_entered_at_its_start_and_left_from_its_end(api, cast, key):
    sub = ('<bpmn:subProcess id="inserted">{flows}<bpmn:startEvent id="inner_start" /><bpmn:endEvent id="inner_end" />'
           '<bpmn:sequenceFlow id="inner_flow" sourceRef="inner_start" targetRef="inner_end" /></bpmn:subProcess>')
    assert deploy(api, cast.analyst, manual(key, *between(sub))).status_code == 201


EVENT_SUBPROCESS = (
    '<bpmn:subProcess id="note_sub" triggeredByEvent="true">'
    '<bpmn:startEvent id="note_start" isInterrupting="{interrupting}"><bpmn:messageEventDefinition '
    'messageRef="Message_note" /></bpmn:startEvent>'
    '<bpmn:scriptTask id="note_it" scriptFormat="python"><bpmn:script>noted = True</bpmn:script></bpmn:scriptTask>'
    '<bpmn:endEvent id="note_end" />'
    '<bpmn:sequenceFlow id="n1" sourceRef="note_start" targetRef="note_it" />'
    '<bpmn:sequenceFlow id="n2" sourceRef="note_it" targetRef="note_end" /></bpmn:subProcess>')


def with_event_subprocess(key: str, interrupting: str = "false", *pairs) -> bytes:
    return manual(key, (PROCESS_END, EVENT_SUBPROCESS.format(interrupting=interrupting) + PROCESS_END),
                  ('<bpmn:collaboration', '<bpmn:message id="Message_note" name="note" /><bpmn:collaboration'),
                  *pairs)


def test_a_non_interrupting_event_subprocess_is_reachable_through_its_trigger(api, cast, key):
    assert deploy(api, cast.analyst, with_event_subprocess(key)).status_code == 201


def test_a_dead_end_inside_an_event_subprocess_is_refused(api, cast, problem, key):
    xml = with_event_subprocess(key, "false", ('<bpmn:sequenceFlow id="n2" sourceRef="note_it" targetRef="note_end" />',
                                               ""))
    assert "note_it cannot reach an end event of subprocess note_sub" in pinned_to(problem, deploy(
        api, cast.analyst, xml), "note_it")


def test_an_interrupting_event_subprocess_of_a_supervision_process_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, with_event_subprocess(key, "true"))
    assert any("make it non-interrupting" in m for m in pinned_to(problem, response, "note_sub"))


# -- element types and languages ----------------------------------------------------------------------------
@pytest.mark.parametrize("tag, words", [
    ("task", "an untyped task"), ("manualTask", "manual tasks are not executed"),
    ("serviceTask", "service tasks are not executed"), ("businessRuleTask", "business rule tasks"),
    ("sendTask", "send tasks"), ("receiveTask", "receive tasks"),
])
def test_an_element_type_the_platform_does_not_execute_is_refused(api, cast, problem, key, tag, words):
    response = deploy(api, cast.analyst, manual(key, *between(f'<bpmn:{tag} id="inserted">{{flows}}</bpmn:{tag}>')))
    assert any(m.startswith(words) for m in pinned_to(problem, response, "inserted"))


@pytest.mark.parametrize("language", ["groovy", "javascript", "juel", "feel"])
def test_a_script_in_another_language_than_python_is_refused_by_name(api, cast, problem, key, language):
    task = f'<bpmn:scriptTask id="inserted" scriptFormat="{language}">{{flows}}<bpmn:script>x = 1</bpmn:script>' \
           '</bpmn:scriptTask>'
    response = deploy(api, cast.analyst, manual(key, *between(task)))
    assert pinned_to(problem, response, "inserted") == [f"script language {language!r} is not supported; only python"]


def test_a_condition_in_another_expression_language_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, (
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == "accept"',
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="feel">decision == "accept"')))
    assert "expression language 'feel' is not supported; only python" in pinned_to(problem, response, "flow_accept")


def test_a_script_task_without_a_script_is_refused(api, cast, problem, key):
    task = '<bpmn:scriptTask id="inserted" scriptFormat="python">{flows}</bpmn:scriptTask>'
    assert pinned_to(problem, deploy(api, cast.analyst, manual(key, *between(task))), "inserted") == [
        "script task has no script"]


def test_a_refused_construct_in_a_script_reads_as_words(api, cast, problem, key):
    task = '<bpmn:scriptTask id="inserted">{flows}<bpmn:script>while True:\n  pass</bpmn:script></bpmn:scriptTask>'
    messages = pinned_to(problem, deploy(api, cast.analyst, manual(key, *between(task))), "inserted")
    assert "script: while loops are not allowed" in messages


# -- call activities ----------------------------------------------------------------------------------------




def test_a_call_activity_to_an_executable_process_of_the_same_diagram_deploys(api, cast, key):
    assert deploy(api, cast.analyst, calling(key, f"{key}_helper", helper_process(f"{key}_helper"))).status_code == 201


def test_a_call_activity_to_a_process_not_in_the_diagram_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, calling(key, "somewhere_else"))
    assert any("'somewhere_else', which is not in this diagram" in m for m in pinned_to(problem, response, "inserted"))


def test_a_call_activity_to_a_process_that_is_not_executable_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, calling(key, f"{key}_helper", helper_process(f"{key}_helper",
                                                                                        executable="false")))
    assert any("not executable" in m for m in pinned_to(problem, response, "inserted"))


def test_a_call_activity_calling_its_own_process_is_refused(api, cast, problem, key):
    # this deployed, and the first order to reach it hung the server at 100% CPU
    response = deploy(api, cast.analyst, calling(key, key))
    assert f"call activity calls its own process again: {key} → {key}" in pinned_to(problem, response, "inserted")


def test_a_chain_of_call_activities_back_to_a_caller_is_refused(api, cast, problem, key):
    first, second = f"{key}_a", f"{key}_b"
    call_back = lambda own, other: f'<bpmn:callActivity id="{own}_c" calledElement="{other}" />'  # noqa: E731
    response = deploy(api, cast.analyst, calling(key, first, helper_process(first, call_back(first, second)),
                                                 helper_process(second, call_back(second, first))))
    assert f"call activity calls its own process again: {first} → {second} → {first}" in pinned_to(
        problem, response, f"{first}_c")
