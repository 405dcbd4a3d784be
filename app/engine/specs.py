"""Parsing BPMN (safely, XSD-validated) into cached specs, one parse per definition version."""
import re
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from app.engine.serializer import REGISTRY

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
# Constructs that make SpiffWorkflow change the spec at runtime (spiffworkflow-notes §4.3).
_SPEC_MUTATING = ".//bpmn:subProcess[@triggeredByEvent='true'] | .//bpmn:adHocSubProcess"


class BpmnParseError(Exception):
    """The XML could not be turned into an executable process; `problems` are {element_id, message}."""

    def __init__(self, problems: list[dict]):
        super().__init__("; ".join(p["message"] for p in problems))
        self.problems = problems


_WRAPPED = re.compile(r"^\s*[A-Za-z_]\w*(?:Error|Exception)\((['\"])(.*?)\1.*\)\.?\s*$", re.S)


def plain(message: str) -> str:
    """SpiffWorkflow wraps unexpected parse errors as `TypeError('...')` reprs: keep the sentence only."""
    found = _WRAPPED.match(message)
    return found.group(2) if found else message


def safe_xml_parser() -> etree.XMLParser:
    """lxml parser with entities, DTDs and network access off (no XXE, no billion laughs)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=False)


def read_xml(xml: bytes) -> etree._Element:
    try:
        root = etree.fromstring(xml, parser=safe_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise BpmnParseError([{"element_id": None, "message": f"not well-formed XML: {exc}"}]) from None
    if root.getroottree().docinfo.internalDTD is not None or root.getroottree().docinfo.doctype:
        raise BpmnParseError([{"element_id": None, "message": "DOCTYPE declarations are not allowed"}])
    return root


def as_utf8(xml: bytes, root: etree._Element) -> bytes:
    """The document in UTF-8: `xml` itself when it is, else re-serialized with a UTF-8 declaration."""
    if (root.getroottree().docinfo.encoding or "UTF-8").upper() in ("UTF-8", "UTF8"):
        try:
            xml.decode("utf-8")
            return xml
        except UnicodeDecodeError:
            pass
    return etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=True)


def executable_process_ids(root: etree._Element) -> list[str]:
    return root.xpath("//bpmn:process[@isExecutable='true']/@id", namespaces=_NS)


def main_process_ids(root: etree._Element) -> list[str]:
    """The executable processes no call activity calls (the others run only when called)."""
    called = set(root.xpath("//bpmn:callActivity/@calledElement", namespaces=_NS))
    return [p for p in executable_process_ids(root) if p not in called]


@dataclass
class Definition:
    """One parsed definition version: the spec as a dict, restored per load (or shared when safe)."""

    spec_key: str
    process_id: str
    spec_dict: dict
    subprocess_dicts: dict
    shareable: bool
    labels: dict = field(default_factory=dict)  # element id -> (name, status_zh)
    properties: dict = field(default_factory=dict)  # process-level spiffworkflow:properties
    _shared: tuple | None = None

    def specs(self):
        """(spec, subprocess_specs) for one workflow: a fresh copy unless sharing is safe."""
        if self.shareable:
            if self._shared is None:
                self._shared = self._restore()
            return self._shared
        return self._restore()

    def _restore(self):
        spec = REGISTRY.restore(self.spec_dict)
        subs = {name: REGISTRY.restore(d) for name, d in self.subprocess_dicts.items()}
        return spec, subs


def parse_definition(xml: bytes, spec_key: str, filename: str = "diagram.bpmn") -> Definition:
    """Parse and XSD-validate one BPMN document holding one executable process."""
    root = read_xml(xml)
    process_ids = main_process_ids(root)
    if len(process_ids) != 1:
        raise BpmnParseError([{"element_id": None,
                               "message": f"expected exactly one executable process, found {len(process_ids)}"}])
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(root, filename=filename)
        spec = parser.get_spec(process_ids[0])
        subs = parser.get_subprocess_specs(process_ids[0])
    except ValidationException as exc:
        line = f" (line {exc.line_number})" if getattr(exc, "line_number", None) else ""
        raise BpmnParseError([{"element_id": getattr(exc, "id", None) or None,
                               "message": f"{plain(str(exc))}{line}".strip()}]) from None
    return Definition(
        spec_key=spec_key, process_id=process_ids[0],
        spec_dict=REGISTRY.convert(spec), subprocess_dicts={k: REGISTRY.convert(v) for k, v in subs.items()},
        shareable=not root.xpath(_SPEC_MUTATING, namespaces=_NS), labels=_labels(spec),
        properties=process_properties(root, process_ids[0]),
    )


def process_properties(root: etree._Element, process_id: str) -> dict:
    """spiffworkflow:properties on the process element itself (SpiffWorkflow's parser ignores them)."""
    found = root.xpath(f"//bpmn:process[@id='{process_id}']/bpmn:extensionElements"
                       "/spiffworkflow:properties/spiffworkflow:property", namespaces=_NS)
    return {p.get("name"): p.get("value") for p in found}


def _labels(spec) -> dict:
    labels = {}
    for task_spec in spec.task_specs.values():
        bpmn_id = getattr(task_spec, "bpmn_id", None)
        if bpmn_id:
            props = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
            labels[bpmn_id] = (task_spec.bpmn_name or bpmn_id, props.get("status_zh"))
    return labels


class DefinitionCache:
    """Parsed definitions by spec key, each parsed once per process."""

    def __init__(self) -> None:
        self._items: dict[str, Definition] = {}

    def get(self, spec_key: str, load_xml) -> Definition:
        """The cached definition, parsing `load_xml()` the first time this key is seen."""
        found = self._items.get(spec_key)
        if found is None:
            found = self._items[spec_key] = parse_definition(load_xml(), spec_key, filename=spec_key)
        return found
