"""Parsing uploaded BPMN safely: hostile XML, broken XML, invalid BPMN. No Flask, no database."""
import pytest
from lxml import etree

from app.engine import BpmnParseError, parse_definition, read_xml
from app.engine.specs import safe_xml_parser

PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n'
DEFINITIONS = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" '
               'targetNamespace="http://bpmn.io/schema/bpmn">')
FLOW = ('<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
        '<bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />')

XXE_DOCTYPE = '<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
LAUGHS_DOCTYPE = (
    '<!DOCTYPE bpmn:definitions [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
              for i in range(1, 10))
    + ']>\n'
)
EXTERNAL_DTD_DOCTYPE = '<!DOCTYPE bpmn:definitions SYSTEM "http://127.0.0.1:9/evil.dtd">\n'


def document(process_body: str = FLOW, executable: str = "true", doctype: str = "", documentation: str = "") -> bytes:
    docs = f"<bpmn:documentation>{documentation}</bpmn:documentation>" if documentation else ""
    return (f'{PROLOG}{doctype}{DEFINITIONS}<bpmn:process id="p" isExecutable="{executable}">'
            f'{docs}{process_body}</bpmn:process></bpmn:definitions>').encode()


def parse_error(xml: bytes) -> BpmnParseError:
    with pytest.raises(BpmnParseError) as failure:
        parse_definition(xml, "p@1")
    return failure.value


def test_a_minimal_valid_document_parses():
    assert parse_definition(document(), "p@1").process_id == "p"


# -- hostile XML ------------------------------------------------------------------------------------
def test_an_external_entity_reading_etc_passwd_is_refused():
    parse_error(document(doctype=XXE_DOCTYPE, documentation="&xxe;"))


def test_a_refused_external_entity_never_reaches_the_error_message():
    error = parse_error(document(doctype=XXE_DOCTYPE, documentation="&xxe;"))
    assert "root:" not in str(error)


def test_the_safe_parser_never_expands_an_external_entity():
    root = etree.fromstring(document(doctype=XXE_DOCTYPE, documentation="&xxe;"), parser=safe_xml_parser())
    assert "root:" not in etree.tostring(root, encoding="unicode")


def test_an_external_entity_in_an_attribute_is_refused():
    parse_error(document(FLOW.replace('id="start"', 'id="start" name="&xxe;"'), doctype=XXE_DOCTYPE))


def test_a_billion_laughs_document_is_refused():
    parse_error(document(doctype=LAUGHS_DOCTYPE, documentation="&lol9;"))


def test_a_refused_billion_laughs_document_never_expands_into_the_error_message():
    assert "lollol" not in str(parse_error(document(doctype=LAUGHS_DOCTYPE, documentation="&lol9;")))


def test_the_safe_parser_leaves_internal_entities_unexpanded():
    # A small laugh (1,000 lols) stays under libxml2's amplification limit, so this shows that the
    # parser itself does not substitute entities; the full billion laughs is refused outright above.
    root = etree.fromstring(document(doctype=LAUGHS_DOCTYPE, documentation="&lol3;"), parser=safe_xml_parser())
    assert "lollol" not in etree.tostring(root, encoding="unicode")


def test_a_billion_laughs_entity_in_an_attribute_is_refused():
    parse_error(document(FLOW.replace('id="start"', 'id="start" name="&lol9;"'), doctype=LAUGHS_DOCTYPE))


def test_a_doctype_pointing_at_an_external_dtd_is_refused():
    parse_error(document(doctype=EXTERNAL_DTD_DOCTYPE))


def test_any_doctype_is_refused_by_read_xml():
    with pytest.raises(BpmnParseError, match="DOCTYPE"):
        read_xml(document(doctype='<!DOCTYPE bpmn:definitions [<!ENTITY harmless "x">]>\n'))


# -- broken XML -------------------------------------------------------------------------------------
def test_xml_that_is_not_well_formed_is_a_parse_error():
    parse_error(document()[:-30])


def test_xml_that_is_not_well_formed_is_reported_with_a_message():
    assert "not well-formed" in str(parse_error(document()[:-30]))


def test_xml_that_is_not_well_formed_has_one_problem_with_a_message():
    (problem,) = parse_error(b"<bpmn:definitions").problems
    assert problem["message"]


def test_empty_input_is_a_parse_error():
    parse_error(b"")


# -- invalid BPMN -----------------------------------------------------------------------------------
def test_an_unknown_bpmn_element_violates_the_schema():
    parse_error(document(FLOW + '<bpmn:bogusTask id="bogus" />'))


def test_a_schema_violation_is_reported_with_a_message():
    assert "bogusTask" in str(parse_error(document(FLOW + '<bpmn:bogusTask id="bogus" />')))


def test_a_missing_required_attribute_violates_the_schema():
    parse_error(document(FLOW.replace(' sourceRef="start"', "")))


def test_a_document_whose_process_is_not_executable_is_refused():
    parse_error(document(executable="false"))


def test_a_document_without_an_executable_process_says_so():
    assert "executable process" in str(parse_error(document(executable="false")))


def test_a_document_without_any_process_is_refused():
    parse_error(f"{PROLOG}{DEFINITIONS}</bpmn:definitions>".encode())


def test_a_process_without_a_start_event_is_refused():
    parse_error(document('<bpmn:endEvent id="end" />'))
