"""Deploying BPMN into versioned, content-addressed process definitions, validated first."""
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from app.engine import BpmnParseError, Definition, parse_definition
from app.engine.lint import Vocabulary, lint_document
from app.engine.specs import as_utf8, read_xml
from app.errors import InvalidBpmnError, PayloadTooLargeError
from app.extensions import db, runtime
from app.models import ProcessDefinition
from app.actors import REVIEW_ROLES
from app.schemas.forms import FORMS
from app.services.core.access import authorize
from app.services.core.definitions import version_of
from app.actors import Actor
from app.services.core.process_data import PURCHASE_START_NAMES, REFUND_START_NAMES, START_DATA_NAMES
from app.services.core.routing import routed_keys
from app.services.core.transaction import transaction

log = logging.getLogger(__name__)


def vocabulary() -> Vocabulary:
    """What a diagram may refer to: the platform's forms, review roles and task data names."""
    from app.services.fulfilment.effects import EFFECT_OUTPUTS
    seeds = set(START_DATA_NAMES) | set(REFUND_START_NAMES) | set(PURCHASE_START_NAMES)
    return Vocabulary(review_roles=REVIEW_ROLES, forms={name: set(schema().fields) for name, schema in FORMS.items()},
                      seed_names=seeds, extra_names=set(EFFECT_OUTPUTS),
                      supervised_keys=routed_keys(), limits=runtime.engine.limits)


def validate(xml: bytes, filename: str) -> tuple[Definition, bytes]:
    """Every problem of the diagram at once (422 invalid_bpmn), or its parsed definition and its text in UTF-8
    (a UTF-16, GB18030 or Latin-1 document is stored re-serialized in UTF-8)."""
    try:
        root = read_xml(xml)
    except BpmnParseError as exc:
        raise InvalidBpmnError(exc.problems) from None
    found = lint_document(root, vocabulary())
    if found:
        raise InvalidBpmnError(found)
    xml = as_utf8(xml, root)
    try:
        return parse_definition(xml, spec_key="upload", filename=filename), xml
    except BpmnParseError as exc:
        raise InvalidBpmnError(exc.problems) from None


def deploy(session, xml: bytes, filename: str = "diagram.bpmn") -> tuple[ProcessDefinition, bool]:
    """Store `xml` as the next, current version of its process key, or return the version it already is."""
    parsed_xml, xml = validate(xml, filename)
    key, sha = parsed_xml.process_id, hashlib.sha256(xml).hexdigest()
    existing = session.scalars(select(ProcessDefinition)
                               .where(ProcessDefinition.key == key, ProcessDefinition.sha256 == sha)).first()
    if existing is not None:
        return existing, False
    latest = session.scalar(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == key))
    _retire_current(session, key)
    created = ProcessDefinition(key=key, version=(latest or 0) + 1, sha256=sha, xml=xml.decode("utf-8"),
                                deployed_at=runtime.clock.now(), status="current")
    session.add(created)
    session.flush()
    return created, True


def _retire_current(session, key: str) -> None:
    for current in session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                                   ProcessDefinition.status == "current")):
        current.status = "retired"
    session.flush()


def deploy_upload(actor: Actor, xml: bytes, filename: str) -> tuple[dict, bool]:
    """An analyst deploys a diagram: 201 new version, 200 identical content, 422 every problem found."""
    authorize(actor, "definitions.deploy")
    limit = runtime.settings["MAX_BPMN_BYTES"]
    if len(xml) > limit:
        raise PayloadTooLargeError(f"diagrams are limited to {limit} bytes", limit_bytes=limit)
    found = deploy_once(xml, filename)
    return {"key": found[0], "version": found[1], "sha256": found[3]}, found[2]


def deploy_once(xml: bytes, filename: str) -> tuple[str, int, bool, str]:
    """(key, version, created, sha256) in a transaction of its own; a concurrent deploy of the same
    content that wins the unique constraint is no failure: the row it stored is returned."""
    try:
        with transaction() as session:
            found, created = deploy(session, xml, filename)
            return found.key, found.version, created, found.sha256
    except IntegrityError:
        with transaction() as session:
            found, created = deploy(session, xml, filename)
            return found.key, found.version, created, found.sha256


def deploy_directory(directory: str) -> list[tuple[str, int, bool]]:
    """Deploy every `*.bpmn` under `directory` that is new or changed (start-up)."""
    if not inspect(db.engine).has_table("process_definition"):
        log.warning("schema missing: run `flask --app wsgi db upgrade`; BPMN not deployed")
        return []
    return [deploy_once(path.read_bytes(), path.name)[:3] for path in sorted(Path(directory).glob("*.bpmn"))]


@dataclass(frozen=True)
class ProcessKey:
    """One process key: its versions, oldest first, and the one new orders get."""

    key: str
    versions: list[ProcessDefinition]

    @property
    def current_version(self) -> int | None:
        return next((v.version for v in self.versions if v.status == "current"), None)


def list_definitions(actor: Actor) -> list[ProcessKey]:
    """Every process key with its versions and the one new orders get (one query, the XML left out)."""
    authorize(actor, "definitions.read")
    with transaction(readonly=True) as session:
        rows = session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key, ProcessDefinition.version))
        keys: dict[str, list[ProcessDefinition]] = {}
        for row in rows:
            keys.setdefault(row.key, []).append(row)
        return [ProcessKey(key, versions) for key, versions in keys.items()]


def definition_xml(actor: Actor, key: str, version: int) -> str:
    authorize(actor, "definitions.read")
    with transaction(readonly=True) as session:
        return version_of(session, key, version).xml


def set_current_version(actor: Actor, key: str, version: int) -> dict:
    """Choose which version new orders get (roll back or forward); running orders keep theirs."""
    authorize(actor, "definitions.deploy")
    with transaction() as session:
        chosen = version_of(session, key, version)
        _retire_current(session, key)
        chosen.status = "current"
        return {"key": key, "current_version": version}
