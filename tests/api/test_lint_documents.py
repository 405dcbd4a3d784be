"""Whole documents at upload: any declared encoding deploys (stored as UTF-8) or is a 422, never a 500; every
problem is pinned to an element of its document or to none and reads without Python internals.
"""
import re

import pytest
from lxml import etree

from tests.api.test_definitions import DEFINITIONS, deploy, pinned_to, problems_of
from tests.bpmn_variants import manual, replaced, unique_key
from tests.helpers import ok
from tests.lint_variants import PROCESS_END, between, calling, shipped, without_flow_ids

INTERNALS = re.compile(r"0x[0-9a-f]+|Traceback|\b[A-Z]\w*(Error|Exception)\(|<Element|\{http|"
                       r"\b(ListComp|Import|Lambda|While|Attribute|Call)\b is not allowed")


@pytest.fixture
def key():
    return unique_key("document")


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
