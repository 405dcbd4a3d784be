from marshmallow import fields, validate

from app.schemas.common import StrictSchema

MAX_VERSION = 2**31 - 1  # the column is a 32-bit integer on PostgreSQL
VERSION = validate.Range(min=1, max=MAX_VERSION)


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
    version = fields.Integer(required=True, validate=VERSION)


class CurrentSchema(StrictSchema):
    key = fields.String()
    current_version = fields.Integer()


class MigrationRequestSchema(StrictSchema):
    from_version = fields.Integer(required=True, validate=VERSION)
    to_version = fields.Integer(required=True, validate=VERSION)
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
