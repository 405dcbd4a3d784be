"""Shared schema pieces: strict base, paging arguments, problem documents."""
from marshmallow import RAISE, Schema, fields, validate


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String()
    errors = fields.Raw()


Money = fields.Decimal(places=2, as_string=True, validate=validate.Range(min=0))
