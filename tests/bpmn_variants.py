"""Diagram variants for the process-definition, migration and order-diagram tests.

Every variant is a shipped diagram (or a test fixture) copied under a process id of its own, so what a
test deploys never becomes the version new orders of a routed key get: versions persist for the whole
test session (one database per run).
"""
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BPMN_DIR = ROOT / "bpmn"
FIXTURES = ROOT / "tests" / "fixtures"

MANUAL = BPMN_DIR / "manual_service_general.bpmn"  # process id manual_service_general
HARDWARE = BPMN_DIR / "hardware.bpmn"  # process id hardware
TIMER_DUE = FIXTURES / "timer_due.bpmn"  # process id timer_due: start -> acceptance with a timer -> end
CAMUNDA_EXPORT = FIXTURES / "camunda_manual_service.bpmn"  # process id camunda_manual_service
BPMNIO_EXPORT = FIXTURES / "bpmnio_manual_service.bpmn"  # process id bpmnio_manual_service

PROCESS_IDS = {MANUAL: "manual_service_general", HARDWARE: "hardware", TIMER_DUE: "timer_due",
               CAMUNDA_EXPORT: "camunda_manual_service", BPMNIO_EXPORT: "bpmnio_manual_service"}


def unique_key(prefix: str = "test_flow") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def replaced(text: str, *pairs: tuple[str, str]) -> str:
    """`text` with each (old, new) replaced everywhere; every `old` must occur (a silent no-op hides a typo)."""
    for old, new in pairs:
        assert old in text, f"{old!r} does not occur in the diagram"
        text = text.replace(old, new)
    return text


def diagram(source: Path, key: str, *pairs: tuple[str, str]) -> bytes:
    """The diagram at `source` with its executable process renamed to `key`, then `pairs` replaced."""
    old = PROCESS_IDS[source]
    text = source.read_text(encoding="utf-8")
    text = replaced(text, (f'processRef="{old}"', f'processRef="{key}"')) if "processRef" in text else text
    text = replaced(text, (f'process id="{old}"', f'process id="{key}"'))
    return replaced(text, *pairs).encode("utf-8")


def manual(key: str, *pairs: tuple[str, str]) -> bytes:
    """The general manual-service flow as process `key`."""
    return diagram(MANUAL, key, *pairs)


# -- pieces of the manual-service flow that variants change ------------------------------------------
DELIVER_OPEN = '<bpmn:userTask id="deliver" name="Seller processes requirement">'
DELIVER_LANE_REF = "<bpmn:flowNodeRef>deliver</bpmn:flowNodeRef>"
SELLER_LANE = '<bpmn:lane id="lane_seller" name="seller">'
CONFIRM_ACTIONS = '<spiffworkflow:property name="actions" value="accept,reject" />'
CONFIRM_FORM = '<spiffworkflow:property name="form" value="reject=rejection" />'
ACCEPT_CONDITION = 'decision == "accept"</bpmn:conditionExpression>'
DELIVER_PROPERTIES_END = ('<spiffworkflow:property name="status_zh" value="服务商处理需求" />\n'
                          '        </spiffworkflow:properties>')
GW_DELIVERED_OPEN = '<bpmn:exclusiveGateway id="gw_delivered" name="Requirement returned?" default="flow_delivered">'
SUBMIT_TO_DELIVER = '<bpmn:sequenceFlow id="flow_submit_deliver" sourceRef="submit_requirement" targetRef="deliver" />'
DELIVER_INCOMING = ('<bpmn:incoming>flow_submit_deliver</bpmn:incoming>\n'
                    '      <bpmn:incoming>flow_reject</bpmn:incoming>')


def accept_condition(expression: str) -> tuple[str, str]:
    """The condition on flow_accept (gateway gw_accept) becomes `expression`."""
    return ACCEPT_CONDITION, f"{expression}</bpmn:conditionExpression>"


def deliver_script(tag: str, script: str) -> tuple[str, str]:
    """A spiffworkflow:preScript / postScript on the user task `deliver`."""
    return DELIVER_PROPERTIES_END, (f"{DELIVER_PROPERTIES_END}\n"
                                    f"        <spiffworkflow:{tag}>{script}</spiffworkflow:{tag}>")


def script_task(script: str, task_id: str = "prepare_delivery") -> tuple[tuple[str, str], ...]:
    """A script task `task_id` between submit_requirement and deliver, running `script`."""
    return (
        (SUBMIT_TO_DELIVER,
         f'<bpmn:sequenceFlow id="flow_submit_deliver" sourceRef="submit_requirement" targetRef="{task_id}" />\n'
         f'    <bpmn:scriptTask id="{task_id}" name="Prepare the delivery" scriptFormat="python">\n'
         f'      <bpmn:incoming>flow_submit_deliver</bpmn:incoming>\n'
         f'      <bpmn:outgoing>flow_{task_id}_deliver</bpmn:outgoing>\n'
         f'      <bpmn:script>{script}</bpmn:script>\n'
         f'    </bpmn:scriptTask>\n'
         f'    <bpmn:sequenceFlow id="flow_{task_id}_deliver" sourceRef="{task_id}" targetRef="deliver" />'),
        (DELIVER_INCOMING, DELIVER_INCOMING.replace("flow_submit_deliver", f"flow_{task_id}_deliver")),
    )


def timer_flow(key: str, kind: str, expression: str, *pairs: tuple[str, str]) -> bytes:
    """tests/fixtures/timer_due.bpmn as `key`, its timer (element wait_until_due) a `kind` of `expression`."""
    return diagram(TIMER_DUE, key, (
        '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">"2020-01-01T00:00:00+00:00"</bpmn:timeDate>',
        f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>'), *pairs)
