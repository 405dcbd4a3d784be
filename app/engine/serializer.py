"""Serializing workflows without their spec (the spec is cached per definition version)."""
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from app.engine.workflow import Workflow

SPECS_KEY = "__specs__"


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the spec out on save; on load the caller injects (spec, subprocess_specs) under SPECS_KEY.
    It restores our Workflow, and stores it under SpiffWorkflow's name for it, as states always were."""

    def __init__(self, target_class, registry, typename=None):
        super().__init__(target_class, registry, typename or BpmnWorkflow.__name__)

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec, subprocess_specs = dct.pop(SPECS_KEY)
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


REGISTRY = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
# both classes dump under one name, which loads as our Workflow (registered last, it owns the name)
_SPECLESS = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(
    {**SPIFF_CONFIG, BpmnWorkflow: SpeclessWorkflowConverter, Workflow: SpeclessWorkflowConverter}))


def dump(workflow) -> dict:
    """JSON-ready state of `workflow`, without its spec."""
    return _SPECLESS.to_dict(workflow)


def load(state: dict, spec, subprocess_specs):
    """Rebuild a workflow from `dump()` output and the spec objects of its definition version. The state is left
    as it was (SpiffWorkflow pops what it restores: it gets copies of the dicts it pops from)."""
    copy = {**state, SPECS_KEY: (spec, subprocess_specs)}
    if isinstance(state.get("subprocesses"), dict):
        copy["subprocesses"] = {key: dict(sub) if isinstance(sub, dict) else sub
                                for key, sub in state["subprocesses"].items()}
    return _SPECLESS.from_dict(copy)


def stored_task_ids(state) -> list[str]:
    """The ids of every task a `dump()` output holds, its subprocesses' included (read off the JSON, no load;
    a state that is no such output holds none: loading it is what refuses it)."""
    if not isinstance(state, dict):
        return []
    subprocesses = state.get("subprocesses")
    parts = [state, *(subprocesses.values() if isinstance(subprocesses, dict) else ())]
    mappings = [p.get("tasks") for p in parts if isinstance(p, dict)]
    return [task_id for tasks in mappings if isinstance(tasks, dict) for task_id in tasks if isinstance(task_id, str)]
