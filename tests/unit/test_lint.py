"""The lint's building blocks without Flask or a database: encodings, wrapped parser errors, refusals in words."""
import ast

from app.engine.ast_words import refused
from app.engine.lint import Vocabulary, lint_document
from app.engine.specs import as_utf8, plain, read_xml

DOCUMENT = ('<?xml version="1.0" encoding="{encoding}"?>\n'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" '
            'targetNamespace="x"><bpmn:process id="p" name="服务完成" isExecutable="{executable}">'
            '<bpmn:startEvent id="start" /><bpmn:endEvent id="end" /><bpmn:task id="idle" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" /></bpmn:process></bpmn:definitions>')
VOCABULARY = Vocabulary(review_roles=(), forms={}, seed_names=set())


def document(encoding="UTF-8", executable="true") -> str:
    return DOCUMENT.format(encoding=encoding, executable=executable)


def test_a_utf8_document_is_kept_byte_for_byte():
    xml = document().encode("utf-8")
    assert as_utf8(xml, read_xml(xml)) is xml


def test_a_utf16_document_is_re_serialized_in_utf8():
    xml = document("UTF-16").encode("utf-16")
    stored = as_utf8(xml, read_xml(xml))
    assert stored.startswith(b"<?xml version='1.0' encoding='UTF-8'?>") and "服务完成" in stored.decode("utf-8")


def test_a_parser_error_wrapped_as_a_repr_keeps_only_its_sentence():
    assert plain("TypeError('unsupported thing').") == "unsupported thing"


def test_a_parser_sentence_is_kept_as_it_is():
    assert plain("No start event found") == "No start event found"


def test_refused_syntax_is_named_in_words():
    assert refused(ast.parse("[x for x in y]", mode="eval").body) == "list comprehensions are not allowed"


def test_refused_syntax_without_a_word_of_its_own_still_reads_as_words():
    assert refused(ast.Global(names=["x"])) == "global statements are not allowed"


def test_a_document_without_an_executable_process_is_linted_all_the_same():
    found = lint_document(read_xml(document(executable="false").encode()), VOCABULARY)
    assert {p["element_id"] for p in found} >= {None, "idle"}
