"""Diagram variants of the deploy-lint tests (tests/api/test_lint_*.py): shipped diagrams under keys of
their own, elements inserted into the manual-service flow, call activities."""
import re

from tests.bpmn_variants import BPMN_DIR, DELIVER_INCOMING, SUBMIT_TO_DELIVER, manual, replaced

PROCESS_END = "</bpmn:process>"


def shipped(name: str, key: str, *pairs: tuple[str, str]) -> str:
    """bpmn/<name>.bpmn as process `key` (text), then `pairs` replaced."""
    text = (BPMN_DIR / f"{name}.bpmn").read_text(encoding="utf-8")
    text = replaced(text, (f'processRef="{name}"', f'processRef="{key}"'),
                    (f'process id="{name}"', f'process id="{key}"'))
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
    """Process `process_id`: its start, then `body` (an element with id <process_id>_c) if given, then its end."""
    nodes = [f"{process_id}_s", *([f"{process_id}_c"] if body else []), f"{process_id}_e"]
    flows = "".join(f'<bpmn:sequenceFlow id="{a}_{b}" sourceRef="{a}" targetRef="{b}" />' for a, b in zip(nodes, nodes[1:]))
    return (f'<bpmn:process id="{process_id}" isExecutable="{executable}"><bpmn:startEvent id="{process_id}_s" />'
            f'{body}<bpmn:endEvent id="{process_id}_e" />{flows}</bpmn:process>')


def calling(key: str, called: str, *processes: str) -> bytes:
    call = f'<bpmn:callActivity id="inserted" calledElement="{called}">{{flows}}</bpmn:callActivity>'
    return manual(key, *between(call), (PROCESS_END, PROCESS_END + "".join(processes)))
