"""Graph checks of a diagram: what SpiffWorkflow would drop, misreport or loop on, refused at upload.

Every problem is pinned to an element id present in the document (or None for the document itself).
"""
from lxml import etree

from app.engine.specs import _NS, BPMN_NS

EXECUTED = frozenset({
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "userTask", "scriptTask", "callActivity", "subProcess",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
})
REFUSED = {
    "task": "an untyped task is something nobody can complete; make it a userTask (with a lane and actions) "
            "or a scriptTask",
    "manualTask": "manual tasks are not executed by the platform; make it a userTask with a lane and actions",
    "serviceTask": "service tasks are not executed by the platform (SpiffWorkflow 3.2 fails every service task "
                   "operator); use a scriptTask",
    "businessRuleTask": "business rule tasks are not executed by the platform (no decision tables are deployed)",
    "sendTask": "send tasks are not executed by the platform; use an intermediate message throw event",
    "receiveTask": "receive tasks are not executed by the platform; use an intermediate message catch event",
    "adHocSubProcess": "ad-hoc subprocesses are not executed by the platform (nobody could choose their tasks)",
    "transaction": "transactions are not executed by the platform; use a subProcess",
    "complexGateway": "complex gateways are not executed by the platform; use an exclusive, parallel or "
                      "inclusive gateway",
}
FLOW_NODES = EXECUTED | frozenset(REFUSED)
SPLITTING = frozenset({"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "startEvent"})
PYTHON = frozenset({"python", "python3", "text/x-python", "text/python"})


def local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _problem(element_id, message) -> dict:
    return {"element_id": element_id, "message": message}


def element_ids(root) -> dict:
    return {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}


# -- flows and references (the whole document) ---------------------------------------------------------
def reference_problems(root) -> list[dict]:
    """Sequence flows without an id or naming no element, boundary events attached to nothing, nodes without id."""
    ids, found = element_ids(root), []
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        found += _flow_problems(flow, ids)
    for event in root.iter(f"{{{BPMN_NS}}}boundaryEvent"):
        task = ids.get(event.get("attachedToRef"))
        if task is None or task.getparent() is not event.getparent() or local(task) not in FLOW_NODES:
            found.append(_problem(event.get("id"), f"boundary event is attached to {event.get('attachedToRef')!r}, "
                                                   "which is no task or subprocess beside it"))
        if not any(local(d).endswith("EventDefinition") for d in event):
            found.append(_problem(event.get("id"), "boundary event has no event definition (timer, message, ...)"))
    for node in root.iter():
        if local(node) in FLOW_NODES and not node.get("id"):
            found.append(_problem(None, f"a {local(node)} on line {node.sourceline} has no id"))
    return found


def _flow_problems(flow, ids: dict) -> list[dict]:
    flow_id, source, target = flow.get("id"), flow.get("sourceRef"), flow.get("targetRef")
    owner = flow_id or (source if source in ids else None)
    found = []
    if not flow_id:
        found.append(_problem(owner, f"the sequence flow from {source!r} to {target!r} (line {flow.sourceline}) "
                                     "has no id; the engine would drop it"))
    for end, ref in (("sourceRef", source), ("targetRef", target)):
        element = ids.get(ref)
        if not ref:
            found.append(_problem(owner, f"sequence flow has no {end}"))
        elif element is None:
            found.append(_problem(owner, f"sequence flow {end} {ref!r} names no element of the diagram"))
        elif local(element) not in FLOW_NODES:
            found.append(_problem(owner, f"sequence flow {end} {ref!r} is a {local(element)}, not a task, "
                                         "event or gateway"))
        elif element.getparent() is not flow.getparent():
            found.append(_problem(owner, f"sequence flow {end} {ref!r} is not in the same process or subprocess "
                                         "as the flow"))
    return found


# -- element types ---------------------------------------------------------------------------------------
def type_problems(process) -> list[dict]:
    """Only the element types the platform executes, each with what it needs; Python scripts only."""
    found = []
    for element in process.iter():
        kind = local(element)
        if kind in REFUSED:
            found.append(_problem(element.get("id"), REFUSED[kind]))
        elif kind == "scriptTask":
            found += _script_task_problems(element)
        elif kind == "callActivity" and not (element.get("calledElement") or "").strip():
            found.append(_problem(element.get("id"), "call activity names no process (calledElement)"))
        elif element.get("language") and element.get("language").strip().lower() not in PYTHON:
            owner = next((a.get("id") for a in element.iterancestors() if a.get("id")), None)
            found.append(_problem(element.get("id") or owner, f"expression language {element.get('language')!r} "
                                                              "is not supported; only python"))
    return found


def _script_task_problems(task) -> list[dict]:
    language = (task.get("scriptFormat") or "python").strip()
    if language.lower() not in PYTHON:
        return [_problem(task.get("id"), f"script language {language!r} is not supported; only python")]
    if not (task.findtext("bpmn:script", default="", namespaces=_NS) or "").strip():
        return [_problem(task.get("id"), "script task has no script")]
    return []


# -- call activities -------------------------------------------------------------------------------------
def called_process_ids(root) -> set[str]:
    return {c.get("calledElement") for c in root.iter(f"{{{BPMN_NS}}}callActivity") if c.get("calledElement")}


def call_problems(root, process_id: str) -> list[dict]:
    """Call activities of `process_id` and what it calls: an executable process of this document, never itself."""
    processes = {p.get("id"): p for p in root.iterfind("bpmn:process", _NS)}
    found, seen, todo = [], set(), [process_id]
    while todo:
        caller = todo.pop()
        if caller in seen or caller not in processes:
            continue
        seen.add(caller)
        for call in processes[caller].iter(f"{{{BPMN_NS}}}callActivity"):
            called = call.get("calledElement")
            if not called:
                continue
            if called not in processes:
                found.append(_problem(call.get("id"), f"call activity calls process {called!r}, which is not in this "
                                                      "diagram (only processes of the same document can be called)"))
            elif processes[called].get("isExecutable") != "true":
                found.append(_problem(call.get("id"), f"call activity calls process {called!r}, which is not "
                                                      'executable (set isExecutable="true")'))
            else:
                chain = _call_chain(processes, called, caller)
                if chain:
                    found.append(_problem(call.get("id"), "call activity calls its own process again: "
                                                          + " → ".join([caller, *chain])))
                todo.append(called)
    return found


def _call_chain(processes: dict, start: str, goal: str) -> list[str] | None:
    """The processes from `start` to `goal` along call activities, if `start` ever calls `goal`."""
    parents, todo = {start: None}, [start]
    while todo:
        current = todo.pop(0)
        if current == goal:
            chain = [current]
            while parents[chain[-1]] is not None:
                chain.append(parents[chain[-1]])
            return chain[::-1]
        for call in processes.get(current, etree.Element("none")).iter(f"{{{BPMN_NS}}}callActivity"):
            called = call.get("calledElement")
            if called and called not in parents:
                parents[called] = current
                todo.append(called)
    return None


# -- reachability ----------------------------------------------------------------------------------------
def containers(process) -> list:
    """The process and every subprocess inside it (event subprocesses too): each has its own start and end."""
    return [process, *(s for s in process.iter(f"{{{BPMN_NS}}}subProcess") if s.get("id"))]


def container_graph(container) -> tuple[dict, dict, dict]:
    """(nodes, flows, attached) of the flow nodes directly inside `container`: `flows` follows sequence flows
    (and link events), `attached` leads from a task to its boundary events."""
    nodes = {c.get("id"): c for c in container if local(c) in FLOW_NODES and c.get("id")}
    flows, attached = {n: [] for n in nodes}, {n: [] for n in nodes}
    for flow in container.iterfind("bpmn:sequenceFlow", _NS):
        if flow.get("sourceRef") in nodes and flow.get("targetRef") in nodes:
            flows[flow.get("sourceRef")].append(flow.get("targetRef"))
    for node_id, node in nodes.items():
        if local(node) == "boundaryEvent" and node.get("attachedToRef") in nodes:
            attached[node.get("attachedToRef")].append(node_id)
    links = {}
    for node_id, node in nodes.items():
        for link in node.iterfind("bpmn:linkEventDefinition", _NS):
            links.setdefault(link.get("name"), {}).setdefault(local(node), []).append(node_id)
    for ends in links.values():
        for thrower in ends.get("intermediateThrowEvent", []):
            flows[thrower] += ends.get("intermediateCatchEvent", [])
    return nodes, flows, attached


def is_event_subprocess(node) -> bool:
    return local(node) == "subProcess" and node.get("triggeredByEvent") == "true"


def reach_problems(process) -> list[dict]:
    """Every flow node reachable from a start event of its (sub)process and able to reach one of its end events."""
    found = []
    for container in containers(process):
        found += _container_reach_problems(container, container is process)
    return found


def _container_reach_problems(container, top: bool) -> list[dict]:
    nodes, flows, attached = container_graph(container)
    where = "" if top else f" of subprocess {container.get('id')}"
    starts = [n for n, el in nodes.items() if local(el) == "startEvent"]
    ends = [n for n, el in nodes.items() if local(el) == "endEvent"]
    kind = "process" if top else "subprocess"
    found = [] if starts else [_problem(container.get("id"), f"{kind} has no start event")]
    if not ends:
        found.append(_problem(container.get("id"), f"{kind} has no end event"))
    step = {n: flows[n] + attached[n] for n in nodes}
    back = {n: [] for n in nodes}
    for source, targets in step.items():
        for target in targets:
            back[target].append(source)
    reached, finishing = _closure(starts, step), _closure(ends, back)
    for node_id, node in nodes.items():
        if is_event_subprocess(node):
            continue  # started by its trigger, ended inside
        if len(flows[node_id]) > 1 and local(node) not in SPLITTING:
            found.append(_problem(node_id, f"{node_id} has {len(flows[node_id])} outgoing flows; only gateways and "
                                           "start events may split the flow (put a gateway after it)"))
        if starts and node_id not in reached:
            found.append(_problem(node_id, f"{node_id} is not reachable from the start event{where}"))
        if ends and node_id not in finishing:
            found.append(_problem(node_id, f"{node_id} cannot reach an end event{where}"))
    return found


def _closure(seeds, step: dict) -> set:
    seen, todo = set(seeds), list(seeds)
    while todo:
        for following in step.get(todo.pop(), ()):
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return seen
