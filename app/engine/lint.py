"""Checking a diagram before it may run: every problem at once, each pinned to an element id."""
import ast
import re
from collections import ChainMap
from dataclasses import dataclass, field
from datetime import datetime

import isodate
from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from app.engine import bounded
from app.engine.expressions import ALLOWED_METHODS, SAFE_BUILTINS, problems
from app.engine.limits import Limits, timer_value_problem
from app.engine.lint_accept import acceptance_problems
from app.engine.lint_bounds import loop_problems
from app.engine.lint_graph import (call_problems, called_process_ids, element_ids, reach_problems,
                                   reference_problems, type_problems)
from app.engine.specs import _NS, BPMN_NS, executable_process_ids, main_process_ids

USER_LANES = ("buyer", "seller", "reviewer", "business", "ops")  # business, ops: the Weaver store's staff


@dataclass
class Vocabulary:
    """What the platform knows: review roles, form schemas (name -> field names), seeded data names."""

    review_roles: tuple
    forms: dict
    seed_names: set
    extra_names: set = field(default_factory=set)
    limits: Limits = field(default_factory=Limits)
    supervised_keys: frozenset = frozenset()  # process keys orders are routed to


def lint_document(root: etree._Element, vocabulary: Vocabulary) -> list[dict]:
    """Every problem of the document: XSD, references, and the lint of its main process and what it calls
    (of every executable process, or every process, when there is not exactly one main process)."""
    found = xsd_problems(root) + reference_problems(root)
    mains = main_process_ids(root)
    if len(mains) != 1:
        found.append({"element_id": None, "message": "expected exactly one executable process that no call "
                                                     f"activity calls, found {len(mains)}"})
    targets = mains if len(mains) == 1 else (executable_process_ids(root)
                                             or root.xpath("//bpmn:process/@id", namespaces=_NS))
    for process_id in targets:
        found += lint_process(root, process_id, vocabulary)
    for process_id in sorted(called_process_ids(root) - set(targets)):
        if root.xpath("//bpmn:process[@id=$id]", namespaces=_NS, id=process_id):
            found += lint_process(root, process_id, vocabulary, main=False)
    return _tidy(found, root)


def _tidy(found: list[dict], root) -> list[dict]:
    """Each problem once, pinned to an element of the document or to none."""
    ids = element_ids(root)
    tidy = ({"element_id": p["element_id"] if p["element_id"] in ids else None, "message": p["message"]}
            for p in found)
    return list({(p["element_id"], p["message"]): p for p in tidy}.values())


def xsd_problems(root: etree._Element) -> list[dict]:
    """Every XSD violation, pinned to the nearest element with an id."""
    schema = VALIDATOR.validator
    if schema.validate(root.getroottree()):
        return []
    by_line = sorted((el.sourceline or 0, el.get("id")) for el in root.iter() if el.get("id"))
    found = []
    for error in schema.error_log:
        owner = next((i for line, i in reversed(by_line) if line <= error.line), None)
        message = error.message.replace(f"{{{BPMN_NS}}}", "bpmn:")
        found.append({"element_id": owner, "message": f"line {error.line}: {message}"})
    return found


def lint_process(root: etree._Element, process_id: str, vocabulary: Vocabulary, main: bool = True) -> list[dict]:
    """Graph, element types, lanes, properties, forms, expressions, scripts and timers of one process
    (the acceptance paths of the main one)."""
    process = root.xpath("//bpmn:process[@id=$id]", namespaces=_NS, id=process_id)[0]
    found = type_problems(process) + reach_problems(process) + call_problems(root, process_id)
    if main:
        found += acceptance_problems(root, process, vocabulary.supervised_keys)
    lanes = {ref.text.strip(): lane.get("name") for lane in process.iterfind(".//bpmn:lane", _NS)
             for ref in lane.iterfind("bpmn:flowNodeRef", _NS) if ref.text}
    names = _known_names(process, vocabulary)
    for task in process.iterfind(".//bpmn:userTask", _NS):
        found += _user_task_problems(task, lanes.get(task.get("id")), vocabulary)
    for flow in process.iterfind(".//bpmn:sequenceFlow", _NS):
        condition = flow.findtext("bpmn:conditionExpression", namespaces=_NS)
        if condition and condition.strip():
            found += _expression_problems(flow.get("id"), condition.strip(), "eval", names, "condition")
    for element, script, what in _scripts(process):
        found += _expression_problems(element.get("id"), script, "exec", None, what)
    for element_id, expression, what in _other_expressions(root, process):
        found += _expression_problems(element_id, expression, "eval", None, what)
    for condition in process.iterfind(".//bpmn:conditionalEventDefinition/bpmn:condition", _NS):
        if condition.text and condition.text.strip():
            event_id = condition.getparent().getparent().get("id")
            found += _expression_problems(event_id, condition.text.strip(), "eval", names, "event condition")
    for element, kind, expression in _timers(process):
        found += _timer_problems(element.get("id"), kind, expression, names, vocabulary.limits)
    return found + _size_problems(process) + loop_problems(process, vocabulary.limits)


def _props(element) -> dict:
    found = element.xpath("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=_NS)
    return {p.get("name"): p.get("value") or "" for p in found}


def _user_task_problems(task, lane: str | None, vocabulary: Vocabulary) -> list[dict]:
    task_id, props, found = task.get("id"), _props(task), []

    def problem(message):
        found.append({"element_id": task_id, "message": message})

    if lane is None:
        problem("user task is in no lane")
    elif lane not in USER_LANES:
        problem(f"lane {lane!r} is not a role that completes tasks ({', '.join(USER_LANES)})")
    if lane == "reviewer" and props.get("review_role") not in vocabulary.review_roles:
        problem(f"reviewer task needs review_role, one of {', '.join(vocabulary.review_roles)}")
    actions = [a.strip() for a in props.get("actions", "").split(",") if a.strip()]
    if not actions:
        problem("user task declares no actions (property 'actions')")
    for pair in filter(None, (p.strip() for p in props.get("form", "").split(","))):
        action, _, schema = pair.partition("=")
        if schema.strip() not in vocabulary.forms:
            problem(f"form {schema.strip()!r} is not a known form schema")
        if action.strip() not in actions:
            problem(f"form given for {action.strip()!r}, which is not among the actions")
    if props.get("sla"):
        try:
            TimerEventDefinition.parse_iso_duration(props["sla"])
        except Exception:
            problem(f"sla {props['sla']!r} is not an ISO 8601 duration such as P5D")
    return found


def _known_names(process, vocabulary: Vocabulary) -> set:
    names = set(vocabulary.seed_names) | set(vocabulary.extra_names) | {"decision", "attachments"}
    for task in process.iterfind(".//bpmn:userTask", _NS):
        for pair in _props(task).get("form", "").split(","):
            names |= set(vocabulary.forms.get(pair.partition("=")[2].strip(), ()))
    names |= set(process.xpath(".//spiffworkflow:messageVariable/text()", namespaces=_NS))
    for _, script, _ in _scripts(process):
        try:
            names |= {n.id for n in ast.walk(ast.parse(script)) if isinstance(n, ast.Name)
                      and isinstance(n.ctx, ast.Store)}
        except SyntaxError:
            pass
    return names


def _scripts(process):
    for element in process.iterfind(".//bpmn:scriptTask", _NS):
        yield element, element.findtext("bpmn:script", default="", namespaces=_NS), "script"
    for tag in ("preScript", "postScript"):
        for node in process.iterfind(f".//spiffworkflow:{tag}", _NS):
            yield node.getparent().getparent(), node.text or "", tag


_OTHER_EXPRESSIONS = {
    ".//bpmn:correlationPropertyRetrievalExpression/bpmn:formalExpression": "correlation expression",
    ".//bpmn:correlationPropertyRetrievalExpression/bpmn:messagePath": "correlation expression",
    ".//spiffworkflow:messagePayload": "message payload",
    ".//bpmn:completionCondition": "completion condition",
    ".//bpmn:multiInstanceLoopCharacteristics/bpmn:loopCardinality": "loop cardinality",
    ".//bpmn:standardLoopCharacteristics/bpmn:loopCondition": "loop condition",
    ".//spiffworkflow:payloadExpression": "payload expression",
    ".//spiffworkflow:processVariableCorrelation/spiffworkflow:expression": "correlation expression",
}


def _other_expressions(root, process):
    """Expressions SpiffWorkflow evaluates outside gateways, timers and scripts (also outside the process)."""
    for path, what in _OTHER_EXPRESSIONS.items():
        for node in root.iterfind(path, _NS):
            owner = next((a.get("id") for a in node.iterancestors() if a.get("id")), None)
            if node.text and node.text.strip():
                yield owner, node.text.strip(), what


def _expression_problems(element_id, source, mode, names, what) -> list[dict]:
    found = [{"element_id": element_id, "message": f"{what}: {p}"} for p in problems(source, mode)]
    if not found and names is not None:
        tree = ast.parse(source, mode=mode)
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        for unknown in sorted(used - bound - names - set(SAFE_BUILTINS) - {"True", "False", "None"}):
            found.append({"element_id": element_id,
                          "message": f"{what} uses {unknown!r}, which no task or start data provides"})
    return found


def _timers(process):
    for element in process.iterfind(".//bpmn:timerEventDefinition", _NS):
        for kind in ("timeDuration", "timeDate", "timeCycle"):
            expression = element.findtext(f"bpmn:{kind}", namespaces=_NS)
            if expression is not None:
                yield element.getparent(), kind, expression.strip()


# What an analyst types into a timer field without quotes: an ISO 8601 duration, cycle or date.
_BARE_ISO = re.compile(r"(R\d*/)?P[\dYMWDTHS.,]*(/.*)?|R\d*/.*|\d{4}-\d\d-\d\d.*", re.IGNORECASE)


def _timer_problems(element_id, kind, expression, names, limits: Limits) -> list[dict]:
    if expression not in names and _BARE_ISO.fullmatch(expression):
        return [{"element_id": element_id, "message": f'timer {kind} {expression!r}: a timer expression must be '
                                                      f'a quoted string such as "{expression}"'}]
    found = _expression_problems(element_id, expression, "eval", names, f"timer {kind}")
    if found:
        return found
    try:  # with every data name None, as before any task ran; in the same bounded interpreter as at run time
        value = bounded.evaluate(expression, ChainMap(dict.fromkeys(names), dict(SAFE_BUILTINS)), limits,
                                 ALLOWED_METHODS)
    except bounded.BudgetExceeded as exc:
        return [{"element_id": element_id, "message": f"timer expression {exc}"}]
    except Exception as exc:
        return [{"element_id": element_id, "message": f"timer {kind} {expression!r} failed to evaluate: {exc}"}]
    problem = timer_value_problem(kind, value, limits)
    return [{"element_id": element_id, "message": f"{problem} (from {expression!r})"}] if problem else []


# What the task, audit and definition columns hold (app/models), and the longest task SLA.
MAX_ID, MAX_NAME, MAX_ACTION = 100, 255, 60
SLA_FROM, SLA_UNTIL = datetime(2000, 1, 1), datetime(2010, 1, 1)


def _size_problems(process) -> list[dict]:
    """Ids, names, labels, actions and SLAs that would not fit the database or the calendar."""
    found = []
    for element in (e for e in process.iter() if e.get("id")):
        props = _props(element)
        too_long = [f"{what} is longer than {limit} characters" for what, value, limit in (
            ("id", element.get("id"), MAX_ID), ("name", element.get("name"), MAX_NAME),
            ("status_zh", props.get("status_zh"), MAX_NAME)) if value and len(value) > limit]
        too_long += [f"an action is longer than {MAX_ACTION} characters"
                     for a in props.get("actions", "").split(",") if len(a.strip()) > MAX_ACTION]
        if props.get("sla") and _too_long(props["sla"]):
            too_long.append(f"sla {props['sla'][:40]!r} is longer than ten years")
        found += [{"element_id": element.get("id")[:MAX_ID], "message": message} for message in too_long]
    return found


def _too_long(duration: str) -> bool:
    try:
        length = isodate.parse_duration(duration)
    except ValueError:  # an unparsable SLA is reported by the user-task check
        return False
    try:
        return SLA_FROM + length > SLA_UNTIL
    except (ValueError, OverflowError):  # past the year 9999
        return True
