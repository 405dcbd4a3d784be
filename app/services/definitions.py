"""Deploying BPMN into versioned, content-addressed process definitions."""
import hashlib
import logging
from pathlib import Path

from sqlalchemy import func, inspect, select

from app.engine import BpmnParseError, Definition, parse_definition
from app.errors import InvalidBpmnError, NotFoundError
from app.extensions import db, runtime
from app.models import ProcessDefinition
from app.services.unit import transaction

log = logging.getLogger(__name__)


def deploy(session, xml: bytes, filename: str = "diagram.bpmn") -> tuple[ProcessDefinition, bool]:
    """Store `xml` as the next version of its process key, or return the version it already is."""
    try:
        parsed = parse_definition(xml, spec_key="upload", filename=filename)
    except BpmnParseError as exc:
        raise InvalidBpmnError(exc.problems) from None
    key, sha = parsed.process_id, hashlib.sha256(xml).hexdigest()
    existing = session.scalars(select(ProcessDefinition)
                               .where(ProcessDefinition.key == key, ProcessDefinition.sha256 == sha)).first()
    if existing is not None:
        return existing, False
    latest = session.scalar(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == key))
    for current in session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                                   ProcessDefinition.status == "current")):
        current.status = "retired"
    created = ProcessDefinition(key=key, version=(latest or 0) + 1, sha256=sha, xml=xml.decode("utf-8"),
                                deployed_at=runtime.clock.now(), status="current")
    session.add(created)
    session.flush()
    return created, True


def deploy_directory(directory: str) -> list[tuple[str, int, bool]]:
    """Deploy every `*.bpmn` under `directory` that is new or changed (start-up)."""
    if not inspect(db.engine).has_table("process_definition"):
        log.warning("schema missing: run `flask --app wsgi db upgrade`; BPMN not deployed")
        return []
    deployed = []
    for path in sorted(Path(directory).glob("*.bpmn")):
        with transaction() as session:
            found, created = deploy(session, path.read_bytes(), filename=path.name)
            deployed.append((found.key, found.version, created))
    return deployed


def current_definition(session, key: str) -> ProcessDefinition:
    found = session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                            ProcessDefinition.status == "current")).first()
    if found is None:
        raise NotFoundError(f"no deployed process {key!r}")
    return found


def parsed(definition: ProcessDefinition) -> Definition:
    """The engine's cached parse of one stored version."""
    return runtime.engine.definition(definition.spec_key, lambda: definition.xml.encode("utf-8"))
