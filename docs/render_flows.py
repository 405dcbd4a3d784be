"""Render every bpmn/*.bpmn as a Mermaid flowchart into docs/flows.md (run: python docs/render_flows.py)."""
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
SHAPES = {"startEvent": "(({}))", "endEvent": "((({})))", "exclusiveGateway": "{{{{{}}}}}",
          "intermediateCatchEvent": ">{}]", "boundaryEvent": ">{}]", "scriptTask": "[/{}/]"}


def _label(node) -> str:
    zh = node.xpath("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
                    "[@name='status_zh']/@value", namespaces=NS)
    lane = node.xpath("//bpmn:lane[bpmn:flowNodeRef/text()=$id]/@name", namespaces=NS, id=node.get("id"))
    text = node.get("name") or node.get("id")
    parts = [f"{node.get('id')}", text] + zh + ([f"lane: {lane[0]}"] if lane else [])
    return "<br/>".join(p.replace('"', "'") for p in parts)


def render(path: Path) -> str:
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    process = root.find("bpmn:process", NS)
    lines = ["flowchart LR"]
    for node in process.iter():
        kind = etree.QName(node).localname
        if kind in ("lane", "laneSet", "sequenceFlow", "extensionElements") or node.get("id") is None:
            continue
        if kind in SHAPES or kind.endswith("Task"):
            shape = SHAPES.get(kind, "[{}]")
            lines.append(f'    {node.get("id")}{shape.format(chr(34) + _label(node) + chr(34))}')
        if kind == "boundaryEvent":
            lines.append(f'    {node.get("attachedToRef")} -.- {node.get("id")}')
    for flow in process.findall("bpmn:sequenceFlow", NS):
        condition = flow.findtext("bpmn:conditionExpression", namespaces=NS)
        label = '|"{}"|'.format(condition.strip().replace('"', "#quot;")) if condition else ""
        lines.append(f'    {flow.get("sourceRef")} -->{label} {flow.get("targetRef")}')
    return "\n".join(lines)


def main() -> None:
    out = ["# Process diagrams", "",
           "Generated from `bpmn/*.bpmn` by `python docs/render_flows.py`; the BPMN files are the source.", ""]
    for path in sorted((ROOT / "bpmn").glob("*.bpmn")):
        out += [f"## `{path.stem}`", "", "```mermaid", render(path), "```", ""]
    (ROOT / "docs" / "flows.md").write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
