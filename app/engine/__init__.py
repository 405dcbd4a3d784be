"""The only package that imports SpiffWorkflow. Services talk to it through `Engine`."""
from app.engine.expressions import RestrictedScriptEngine, problems
from app.engine.instance import UserTask, WorkflowInstance
from app.engine.limits import Limits
from app.engine.serializer import stored_task_ids
from app.engine.specs import BpmnParseError, Definition, DefinitionCache, parse_definition, read_xml
from app.engine.timers import install_clock


class Engine:
    """Parsed definitions plus the restricted script engine; one per application."""

    def __init__(self, helpers: dict | None = None, limits: Limits | None = None):
        self.definitions = DefinitionCache()
        self.limits = limits or Limits()
        self.script_engine = RestrictedScriptEngine(helpers, self.limits)

    def definition(self, spec_key: str, load_xml) -> Definition:
        return self.definitions.get(spec_key, load_xml)

    def start(self, definition: Definition, data: dict) -> WorkflowInstance:
        return WorkflowInstance.start(definition, data, self.script_engine)

    def load(self, definition: Definition, state: dict, owner: str | None = None) -> WorkflowInstance:
        """Rebuild a saved instance; engine errors it raises name `owner` (the process instance id)."""
        return WorkflowInstance.load(definition, state, self.script_engine, owner)


__all__ = ["BpmnParseError", "Definition", "Engine", "Limits", "UserTask", "WorkflowInstance", "install_clock",
           "parse_definition", "problems", "read_xml", "stored_task_ids"]
