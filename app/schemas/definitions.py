from marshmallow import fields

from app.schemas.common import MAX_INT as MAX_VERSION  # the column is a 32-bit integer on PostgreSQL
from app.schemas.common import StrictSchema, Version


class VersionSchema(StrictSchema):
    version = fields.Integer()
    sha256 = fields.String()
    deployed_at = fields.DateTime()


class DefinitionSchema(StrictSchema):
    key = fields.String()
    current_version = fields.Integer(allow_none=True)
    versions = fields.List(fields.Nested(VersionSchema))


class DeployedSchema(StrictSchema):
    key = fields.String()
    version = fields.Integer()
    sha256 = fields.String()


class CurrentVersionSchema(StrictSchema):
    version = Version(required=True)


class CurrentSchema(StrictSchema):
    key = fields.String()
    current_version = fields.Integer()


class MigrationRequestSchema(StrictSchema):
    from_version = Version(required=True)
    to_version = Version(required=True)
    dry_run = fields.Boolean(load_default=False)


class MigrationOrderSchema(StrictSchema):
    order_id = fields.String()
    order_no = fields.String()
    result = fields.String()
    reason = fields.String(allow_none=True)


class MigrationReportSchema(StrictSchema):
    key = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    dry_run = fields.Boolean()
    migrated = fields.Integer()
    skipped = fields.Integer()
    orders = fields.List(fields.Nested(MigrationOrderSchema))


class DiagramSchema(StrictSchema):
    key = fields.String()
    version = fields.Integer()
    xml = fields.String()
    active = fields.List(fields.String())
    completed = fields.List(fields.String())


class NodeStatisticsSchema(StrictSchema):
    node = fields.String(metadata={"description": "the node (element) id, over every version of the key"})
    active = fields.Integer(metadata={"description": "open tasks waiting there now"})
    completed = fields.Integer(metadata={"description": "tasks completed there"})
    median_wait_s = fields.Float(metadata={"description": "median of creation to completion (or to now while "
                                                          "open), seconds, over open and completed tasks"})
    p90_wait_s = fields.Float(metadata={"description": "90th percentile of the same (linear interpolation)"})
    overdue = fields.Integer(metadata={"description": "open tasks past their due time (SLA)"})
