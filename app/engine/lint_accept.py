"""A supervision process completes only after an acceptance: the deploy-time half of "no order completes
unaccepted" (the run time refuses to finish an order without an acceptance in its history).

A supervision process is one whose key orders are routed to, or one with a buyer or seller lane that does not
declare another `process_kind` (property of the process, e.g. `refund`). It ends
only at the end event `service_completed`, and no path from its start reaches that end without passing
an acceptance: a buyer task offering `accept` or `confirm_deployment`, a reviewer task offering
`review_approve`, the message catch event of `authcode_activated`, or a timer boundary event on such a
buyer task (the hardware auto-acceptance). Which action the task's user then takes is the run time's concern.
"""
from app.engine.lint_graph import _problem, container_graph, containers, is_event_subprocess, local
from app.engine.specs import _NS

END = "service_completed"
PARTY_LANES = ("buyer", "seller")
ACCEPTING = {"buyer": {"accept", "confirm_deployment"}, "reviewer": {"review_approve"}}
ACCEPTING_MESSAGES = {"authcode_activated"}


def lanes_of(process) -> dict:
    return {ref.text.strip(): lane.get("name") for lane in process.iterfind(".//bpmn:lane", _NS)
            for ref in lane.iterfind("bpmn:flowNodeRef", _NS) if ref.text}


def is_supervision(process, supervised_keys) -> bool:
    if process.get("id") in supervised_keys:
        return True
    kind = process.xpath("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
                         "[@name='process_kind']/@value", namespaces=_NS)
    if kind and kind[0] != "supervision":  # a refund process ends in its own outcomes, not in an acceptance
        return False
    return any(lane.get("name") in PARTY_LANES for lane in process.iterfind(".//bpmn:lane", _NS))


def acceptance_problems(root, process, supervised_keys=frozenset()) -> list[dict]:
    """End events and acceptance paths of a supervision process (nothing for other processes)."""
    if not is_supervision(process, supervised_keys):
        return []
    found = _end_problems(process)
    path = _path_without_acceptance(root, process)
    if path:
        found.append(_problem(path[-1], f"{path[-1]} is reachable without an acceptance: path {' → '.join(path)}"))
    return found


def _end_problems(process) -> list[dict]:
    found, ends = [], [e for e in process.iterfind("bpmn:endEvent", _NS)]
    for end in ends:
        if end.get("id") != END:
            found.append(_problem(end.get("id"), f"a supervision process ends only at {END}; end event "
                                                 f"{end.get('id')} would end the order elsewhere"))
    if not any(e.get("id") == END for e in ends):
        found.append(_problem(process.get("id"), f"a supervision process needs its end event {END}"))
    for sub in process.iter(f"{{{_NS['bpmn']}}}subProcess"):
        start = sub.find("bpmn:startEvent", _NS)
        if is_event_subprocess(sub) and start is not None and start.get("isInterrupting", "true") != "false":
            found.append(_problem(sub.get("id"), f"an interrupting event subprocess would end the order "
                                                 f"elsewhere than at {END}; make it non-interrupting"))
    for end in process.iterfind(".//bpmn:subProcess//bpmn:endEvent[bpmn:terminateEventDefinition]", _NS):
        found.append(_problem(end.get("id"), f"a terminate end event inside a subprocess would end the order "
                                             f"elsewhere than at {END}"))
    return found


def _flattened(process) -> tuple[dict, dict, dict]:
    """(nodes, flows, attached) of the process with embedded subprocesses entered at their start events and left
    from their end events; event subprocesses (which cannot end the order) are left out."""
    nodes, flows, attached = {}, {}, {}
    for container in containers(process):
        if container is not process and any(is_event_subprocess(c) for c in (container, *container.iterancestors())):
            continue
        more = container_graph(container)
        nodes.update(more[0]), flows.update(more[1]), attached.update(more[2])
    for sub_id, sub in list(nodes.items()):
        if local(sub) == "subProcess" and not is_event_subprocess(sub):
            inner = {c.get("id"): local(c) for c in sub if c.get("id") in nodes}
            exits, flows[sub_id] = flows[sub_id], [i for i, kind in inner.items() if kind == "startEvent"]
            for inner_id in (i for i, kind in inner.items() if kind == "endEvent"):
                flows[inner_id] = flows[inner_id] + exits
    return nodes, flows, attached


def _accepting(root, nodes: dict, lanes: dict) -> set:
    messages = {m.get("id"): m.get("name") for m in root.iterfind("bpmn:message", _NS)}
    found = set()
    for node_id, node in nodes.items():
        if local(node) == "userTask" and ACCEPTING.get(lanes.get(node_id), set()) & _actions(node):
            found.add(node_id)
        elif local(node) == "intermediateCatchEvent" and any(
                messages.get(d.get("messageRef")) in ACCEPTING_MESSAGES
                for d in node.iterfind("bpmn:messageEventDefinition", _NS)):
            found.add(node_id)
    for node_id, node in nodes.items():
        if local(node) == "boundaryEvent" and node.get("attachedToRef") in found \
                and lanes.get(node.get("attachedToRef")) == "buyer" \
                and node.find("bpmn:timerEventDefinition", _NS) is not None:
            found.add(node_id)
    return found


def _actions(task) -> set:
    for prop in task.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", _NS):
        if prop.get("name") == "actions":
            return {a.strip() for a in (prop.get("value") or "").split(",") if a.strip()}
    return set()


def _path_without_acceptance(root, process) -> list[str] | None:
    """The ids from a start event to a top-level end event passing no acceptance, if there is such a path.
    An acceptance task is entered (its boundary events may fire) but not left along its flows."""
    nodes, flows, attached = _flattened(process)
    accepting = _accepting(root, nodes, lanes_of(process))
    ends = {e.get("id") for e in process.iterfind("bpmn:endEvent", _NS)}
    starts = [s.get("id") for s in process.iterfind("bpmn:startEvent", _NS) if s.get("id") in nodes]
    parents, todo = dict.fromkeys(starts), list(starts)
    while todo:
        current = todo.pop(0)
        if current in ends:
            path = [current]
            while parents[path[-1]] is not None:
                path.append(parents[path[-1]])
            return path[::-1]
        following = attached[current] if current in accepting else flows[current] + attached[current]
        for node_id in following:
            if node_id not in parents:
                parents[node_id] = current
                todo.append(node_id)
    return None
