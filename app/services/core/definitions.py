"""Finding stored process definitions and their parsed, cached form (deployment is processes/deploy.py)."""
from sqlalchemy import select

from app.engine import Definition
from app.errors import NotFoundError
from app.extensions import runtime
from app.models import ProcessDefinition


def version_of(session, key: str, version: int) -> ProcessDefinition:
    found = session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                            ProcessDefinition.version == version)).first()
    if found is None:
        raise NotFoundError(f"no version {version} of {key!r}")
    return found


def current_definition(session, key: str) -> ProcessDefinition:
    found = session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                            ProcessDefinition.status == "current")).first()
    if found is None:
        raise NotFoundError(f"no deployed process {key!r}")
    return found


def parsed(definition: ProcessDefinition) -> Definition:
    """The engine's cached parse of one stored version."""
    return runtime.engine.definition(definition.spec_key, lambda: definition.xml.encode("utf-8"))
