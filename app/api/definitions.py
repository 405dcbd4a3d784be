from flask import Response, request
from flask.views import MethodView

from app.api.auth import actor, authenticated
from app.api.base import Blueprint, problems
from app.api.bodies import DIAGRAM_UPLOAD, DIAGRAM_XML, EXAMPLES
from app.errors import BadRequestError, ValidationFailedError
from app.schemas.definitions import (MAX_VERSION, CurrentSchema, CurrentVersionSchema, DefinitionSchema,
                                     DeployedSchema, DiagramSchema, MigrationReportSchema, MigrationRequestSchema,
                                     NodeStatisticsSchema)
from app.services.processes import deploy as definitions
from app.services.processes import diagrams
from app.services.processes import migration as instance_migration
from app.services.processes import statistics

blp = Blueprint("definitions", __name__, url_prefix="/api/v1", description="Process definitions (analysts)")


@blp.route("/process-definitions")
class Definitions(MethodView):
    @problems(403)
    @authenticated()
    @blp.response(200, DefinitionSchema(many=True))
    def get(self):
        """Every process key, its versions, and the version new orders get."""
        return definitions.list_definitions(actor())

    @problems(403)
    @authenticated()
    @blp.doc(**DIAGRAM_UPLOAD)
    @blp.response(201, DeployedSchema)
    @blp.alt_response(200, schema=DeployedSchema, description="Identical content: the existing version")
    def post(self):
        """Validate and deploy a diagram (raw BPMN XML body, or multipart field `file`)."""
        xml, filename = _uploaded_diagram()
        deployed, created = definitions.deploy_upload(actor(), xml, filename)
        return deployed, 201 if created else 200


XML_TYPES = ("application/xml", "text/xml", "application/octet-stream")


def _uploaded_diagram() -> tuple[bytes, str]:
    upload = request.files.get("file")
    if upload is not None:
        return upload.read(), upload.filename or "diagram.bpmn"
    if request.mimetype not in XML_TYPES and request.mimetype != "multipart/form-data":
        raise BadRequestError(f"expected application/xml or multipart/form-data, got {request.mimetype or 'nothing'}")
    if request.mimetype in XML_TYPES and request.content_length:
        return request.get_data(), "diagram.bpmn"
    raise ValidationFailedError({"file": ["send the BPMN XML as the body (application/xml) or as multipart 'file'"]})


@blp.route(f"/process-definitions/<key>/versions/<int(max={MAX_VERSION}):version>", methods=["GET"])
@problems(403)
@authenticated()
@blp.doc(**DIAGRAM_XML)
def version_xml(key, version):
    """The BPMN XML of one version."""
    return Response(definitions.definition_xml(actor(), key, version), mimetype="application/xml")


@blp.route("/process-definitions/<key>/current", methods=["POST"])
@problems(403)
@authenticated()
@blp.arguments(CurrentVersionSchema, example=EXAMPLES["current"])
@blp.response(200, CurrentSchema)
def set_current(body, key):
    """Choose the version new orders get; running orders keep theirs."""
    return definitions.set_current_version(actor(), key, body["version"])


@blp.route("/process-definitions/<key>/migrations", methods=["POST"])
@problems(403)
@authenticated()
@blp.arguments(MigrationRequestSchema, example=EXAMPLES["migration"])
@blp.response(200, MigrationReportSchema)
def migrate(body, key):
    """Move running orders between versions where every active node exists in the target."""
    return instance_migration.migrate_instances(actor(), key, body["from_version"], body["to_version"],
                                                body["dry_run"])


@blp.route("/process-definitions/<key>/statistics", methods=["GET"])
@problems(403)
@authenticated()
@blp.response(200, NodeStatisticsSchema(many=True))
def node_statistics(key):
    """Per node of every version of the key: open and completed tasks, median and p90 wait, overdue."""
    return statistics.node_statistics(actor(), key)


@blp.route("/orders/<order_id>/diagram", methods=["GET"])
@problems(403)
@authenticated()
@blp.response(200, DiagramSchema)
def order_diagram(order_id):
    """The order's diagram with its active and completed element ids."""
    return diagrams.order_diagram(actor(), order_id)
