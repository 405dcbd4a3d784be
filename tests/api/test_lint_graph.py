"""A diagram that deploys is one that runs: graph, element-type, call, acceptance and encoding checks at
upload (POST /api/v1/process-definitions), each problem pinned to an element of the document.

Every diagram here is deployed under a process id of its own (see tests/api/test_definitions.py), except the
refused ones that reuse a routed key: a refused deploy changes nothing, and `keep_current_versions` restores
the key's current version should one be accepted by mistake.
"""
import re

import pytest
from lxml import etree

from tests.api.test_definitions import DEFINITIONS, deploy, pinned_to, problems_of
from tests.bpmn_variants import (BPMN_DIR, DELIVER_INCOMING, SUBMIT_TO_DELIVER, TIMER_DUE, diagram, manual, replaced,
                                 unique_key)
from tests.helpers import ok

PROCESS_END = "</bpmn:process>"
INTERNALS = re.compile(r"0x[0-9a-f]+|Traceback|\b[A-Z]\w*(Error|Exception)\(|<Element|\{http|"
                       r"\b(ListComp|Import|Lambda|While|Attribute|Call)\b is not allowed")


@pytest.fixture
def key():
    return unique_key("lint")


def shipped(name: str, key: str, *pairs: tuple[str, str]) -> str:
    """bpmn/<name>.bpmn as process `key` (text), then `pairs` replaced."""
    text = (BPMN_DIR / f"{name}.bpmn").read_text(encoding="utf-8")
    text = replaced(text, (f'processRef="{name}"', f'processRef="{key}"'), (f'process id="{name}"', f'process id="{key}"'))
    return replaced(text, *pairs)


def between(element: str) -> tuple[tuple[str, str], ...]:
    """`element`, a flow node with id `inserted`, between submit_requirement and deliver of the manual flow."""
    node = element.format(flows='<bpmn:incoming>flow_submit_deliver</bpmn:incoming>'
                                '<bpmn:outgoing>flow_inserted_deliver</bpmn:outgoing>')
    return ((SUBMIT_TO_DELIVER, SUBMIT_TO_DELIVER.replace('targetRef="deliver"', 'targetRef="inserted"') + node
             + '<bpmn:sequenceFlow id="flow_inserted_deliver" sourceRef="inserted" targetRef="deliver" />'),
            (DELIVER_INCOMING, DELIVER_INCOMING.replace("flow_submit_deliver", "flow_inserted_deliver")))


def without_flow_ids(text: str) -> str:
    return re.sub(r'<bpmn:sequenceFlow id="[^"]+"', "<bpmn:sequenceFlow", text)


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
def helper_process(process_id: str, body: str = "", executable: str = "true") -> str:
    return (f'<bpmn:process id="{process_id}" isExecutable="{executable}"><bpmn:startEvent id="{process_id}_s" />'
            f'{body or f"<bpmn:endEvent id={chr(34)}{process_id}_e{chr(34)} />"}'
            f'<bpmn:sequenceFlow id="{process_id}_f" sourceRef="{process_id}_s" '
            f'targetRef="{process_id}_{"c" if body else "e"}" />'
            + (f'<bpmn:endEvent id="{process_id}_e" /><bpmn:sequenceFlow id="{process_id}_g" sourceRef="{process_id}_c" '
               f'targetRef="{process_id}_e" />' if body else "") + "</bpmn:process>")


def calling(key: str, called: str, *processes: str) -> bytes:
    call = f'<bpmn:callActivity id="inserted" calledElement="{called}">{{flows}}</bpmn:callActivity>'
    return manual(key, *between(call), ("</bpmn:process>", "</bpmn:process>" + "".join(processes), ))


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


# -- acceptance before service_completed --------------------------------------------------------------------
def test_deliver_leading_straight_to_the_end_is_refused_with_the_path(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, (
        'sourceRef="gw_delivered" targetRef="confirm_acceptance"', 'sourceRef="gw_delivered" '
                                                                     'targetRef="service_completed"')))
    assert ("service_completed is reachable without an acceptance: path start → submit_requirement → deliver → "
            "gw_delivered → service_completed") in pinned_to(problem, response, "service_completed")


def test_an_acceptance_task_in_the_seller_lane_is_no_acceptance(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, ("<bpmn:flowNodeRef>confirm_acceptance</bpmn:flowNodeRef>", ""),
                                                ("<bpmn:flowNodeRef>deliver</bpmn:flowNodeRef>",
                                                 "<bpmn:flowNodeRef>deliver</bpmn:flowNodeRef>"
                                                 "<bpmn:flowNodeRef>confirm_acceptance</bpmn:flowNodeRef>")))
    assert any("without an acceptance" in m for m in pinned_to(problem, response, "service_completed"))


def test_a_supervision_process_ending_elsewhere_than_service_completed_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, ("service_completed", "all_done")))
    assert any("ends only at service_completed" in m for m in pinned_to(problem, response, "all_done"))
    assert "a supervision process needs its end event service_completed" in pinned_to(problem, response, key)


def test_a_second_end_event_of_a_supervision_process_is_refused(api, cast, problem, key):
    abandon = ('<bpmn:endEvent id="abandoned" /><bpmn:sequenceFlow id="flow_abandon" sourceRef="gw_delivered" '
               'targetRef="abandoned"><bpmn:conditionExpression>decision == "quit"</bpmn:conditionExpression>'
               '</bpmn:sequenceFlow>')
    response = deploy(api, cast.analyst, manual(key, (PROCESS_END, abandon + PROCESS_END)))
    assert any("ends only at service_completed" in m for m in pinned_to(problem, response, "abandoned"))


def test_a_routed_key_is_a_supervision_process_even_without_lanes(api, cast, problem, keep_current_versions):
    keep_current_versions("data_file")
    response = deploy(api, cast.analyst, diagram(TIMER_DUE, "data_file"))
    assert ("service_completed is reachable without an acceptance: path start → wait_until_due → service_completed"
            in pinned_to(problem, response, "service_completed"))


def test_a_parcel_signature_leading_to_the_end_is_no_acceptance(api, cast, problem, key):
    xml = shipped("hardware", key, ('sourceRef="parcel_signed" targetRef="arm_auto_accept"',
                                    'sourceRef="parcel_signed" targetRef="gw_accept"'))
    messages = pinned_to(problem, deploy(api, cast.analyst, xml.encode()), "service_completed")
    assert ("service_completed is reachable without an acceptance: path start → ship → confirm_acceptance → "
            "parcel_signed → gw_accept → service_completed") in messages


def test_an_auto_acceptance_timer_on_another_task_is_no_acceptance(api, cast, problem, key):
    timer = 'name="Auto-acceptance due" cancelActivity="true" attachedToRef='
    xml = shipped("hardware", key, (f'{timer}"confirm_acceptance"', f'{timer}"ship"'))
    messages = pinned_to(problem, deploy(api, cast.analyst, xml.encode()), "service_completed")
    assert any("path start → ship → auto_accept_timer → auto_accept" in m for m in messages)


def test_a_reviewer_approval_is_an_acceptance(api, cast, key):
    xml = shipped("license_offline_joint", key, ('sourceRef="gw_base" targetRef="confirm_acceptance"',
                                                 'sourceRef="gw_base" targetRef="service_completed"'))
    assert deploy(api, cast.analyst, xml.encode()).status_code == 201


def test_a_review_scenario_skipping_every_acceptance_is_refused(api, cast, problem, key):
    xml = shipped("license_offline_joint", key, ('sourceRef="gw_scenario" targetRef="confirm_acceptance"',
                                                 'sourceRef="gw_scenario" targetRef="service_completed"'))
    assert ("service_completed is reachable without an acceptance: path start → deliver_license → gw_scenario → "
            "service_completed") in pinned_to(problem, deploy(api, cast.analyst, xml.encode()), "service_completed")


def test_the_shipped_acceptances_deploy_under_keys_of_their_own(api, cast, key):
    for name in ("hardware", "license_authcode_v1", "license_authcode_v2", "license_package", "saas_joint"):
        assert deploy(api, cast.analyst, shipped(name, f"{key}_{name}").encode()).status_code == 201, name


# -- encodings ----------------------------------------------------------------------------------------------
ENCODINGS = {"utf-16": "UTF-16", "gb18030": "GB18030", "latin-1": "ISO-8859-1"}


def reencoded(text: str, codec: str) -> bytes:
    declared = replaced(text, ('encoding="UTF-8"', f'encoding="{ENCODINGS[codec]}"'))
    return declared.encode(codec, "xmlcharrefreplace")


@pytest.mark.parametrize("codec", sorted(ENCODINGS))
@pytest.mark.parametrize("name", ["manual_service_general", "hardware", "license_authcode_v2"])
def test_a_reencoded_shipped_diagram_deploys_and_is_stored_in_utf8(api, cast, key, name, codec):
    body = ok(deploy(api, cast.analyst, reencoded(shipped(name, key), codec)), 201)
    stored = api.get(f"{DEFINITIONS}/{key}/versions/{body['version']}", cast.analyst.token).content
    assert stored.startswith(b"<?xml version='1.0' encoding='UTF-8'?>") and "服务完成" in stored.decode("utf-8")
    assert etree.fromstring(stored).xpath("//*[@id='service_completed']")


def test_deploying_the_stored_utf8_text_of_a_reencoded_diagram_is_the_same_version(api, cast, key):
    body = ok(deploy(api, cast.analyst, reencoded(shipped("data_file", key), "utf-16")), 201)
    stored = api.get(f"{DEFINITIONS}/{key}/versions/{body['version']}", cast.analyst.token).content
    assert ok(deploy(api, cast.analyst, stored)) == body


def test_a_document_whose_bytes_contradict_its_declaration_is_a_422(api, cast, problem, key):
    xml = shipped("data_file", key).encode("gb18030")  # still declared UTF-8
    assert any("well-formed" in m for m in pinned_to(problem, deploy(api, cast.analyst, xml), None))


# -- message quality ----------------------------------------------------------------------------------------
def broken_diagrams(key: str) -> dict[str, bytes]:
    """Diagrams with one kind of problem each (some of which SpiffWorkflow reports with a repr or an XML dump)."""
    blank_boundary = '<bpmn:boundaryEvent id="blank" attachedToRef="deliver" />'
    return {
        "no_flow_ids": without_flow_ids(shipped("data_file", f"{key}_a")).encode(),
        "dangling_target": manual(f"{key}_b", ('targetRef="confirm_acceptance"', 'targetRef="nowhere"')),
        "flow_to_lane": manual(f"{key}_c", ('targetRef="confirm_acceptance"', 'targetRef="lane_buyer"')),
        "blank_boundary": manual(f"{key}_d", (PROCESS_END, blank_boundary + PROCESS_END)),
        "two_outgoing": manual(f"{key}_e", (PROCESS_END, '<bpmn:sequenceFlow id="x" sourceRef="deliver" '
                                                         'targetRef="gw_accept" />' + PROCESS_END)),
        "not_executable": manual(f"{key}_f", ('isExecutable="true"', 'isExecutable="false"'),
                                 ("<bpmn:flowNodeRef>deliver</bpmn:flowNodeRef>", "")),
        "import": manual(f"{key}_g", *between('<bpmn:scriptTask id="inserted">{flows}<bpmn:script>import os'
                                              '</bpmn:script></bpmn:scriptTask>')),
        "lambda": manual(f"{key}_h", ('decision == "accept"</bpmn:conditionExpression>',
                                      '(lambda: 1)() == 1</bpmn:conditionExpression>')),
        "xsd": manual(f"{key}_i", ('<bpmn:userTask id="deliver"', '<bpmn:userTask bogus="1" id="deliver"')),
        "self_call": calling(f"{key}_j", f"{key}_j"),
        "groovy": manual(f"{key}_k", *between('<bpmn:scriptTask id="inserted" scriptFormat="groovy">{flows}'
                                              '<bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>')),
        "no_lane_flow": manual(f"{key}_l", ('sourceRef="gw_delivered" targetRef="confirm_acceptance"',
                                            'sourceRef="gw_delivered" targetRef="service_completed"')),
    }


def test_every_problem_is_pinned_to_an_element_of_its_document_or_to_none(api, cast, problem, key):
    for name, xml in broken_diagrams(key).items():
        ids = {el.get("id") for el in etree.fromstring(xml).iter() if isinstance(el.tag, str) and el.get("id")}
        for found in problems_of(problem, deploy(api, cast.analyst, xml)):
            assert found["element_id"] is None or found["element_id"] in ids, (name, found)


def test_no_problem_message_shows_python_internals(api, cast, problem, key):
    for name, xml in broken_diagrams(key).items():
        for found in problems_of(problem, deploy(api, cast.analyst, xml)):
            assert not INTERNALS.search(found["message"]), (name, found)


def test_a_diagram_without_an_executable_process_still_reports_its_other_problems(api, cast, problem, key):
    response = deploy(api, cast.analyst, broken_diagrams(key)["not_executable"])
    assert any("executable" in m for m in pinned_to(problem, response, None))
    assert any("lane" in m for m in pinned_to(problem, response, "deliver"))
