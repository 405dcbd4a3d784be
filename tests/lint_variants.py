"""Diagram variants of the deploy-lint tests (tests/api/test_lint_*.py): shipped diagrams under keys of
their own, elements inserted into the manual-service flow, call activities."""
import re

from tests.bpmn_variants import BPMN_DIR, DELIVER_INCOMING, SUBMIT_TO_DELIVER, manual, replaced

PROCESS_END = "</bpmn:process>"


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
