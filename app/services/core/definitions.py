"""Finding stored process definitions and their parsed, cached form (deployment is processes/deploy.py)."""
from sqlalchemy import bindparam, select

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
    """The current version of `key` (its XML, deferred, is read only if parsed() has no cached parse of it)."""
    found = session.scalars(CURRENT, {"key": key}).first()
    if found is None:
        raise NotFoundError(f"no deployed process {key!r}")
    return found


# built once: every placement runs it
CURRENT = select(ProcessDefinition).where(ProcessDefinition.key == bindparam("key"),
                                          ProcessDefinition.status == "current")


def parsed(definition: ProcessDefinition) -> Definition:
    """The engine's cached parse of one stored version."""
    return runtime.engine.definition(definition.spec_key, lambda: definition.xml.encode("utf-8"))
