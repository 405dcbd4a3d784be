"""Shared schema pieces: strict base, paging arguments, problem documents."""
from decimal import Decimal

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class ActorSchema(StrictSchema):
    name = fields.String()
    role = fields.String()


FIELD_ERRORS = {"type": "object", "description": "validation_failed: messages by (dotted) field path",
                "additionalProperties": {"type": "array", "items": {"type": "string"}}}
BPMN_ERRORS = {"type": "array", "description": "invalid_bpmn: one entry per problem found in the diagram",
               "items": {"type": "object", "properties": {"element_id": {"type": "string", "nullable": True},
                                                          "message": {"type": "string"}}}}


class ProblemSchema(Schema):
    """An RFC 9457 problem document (application/problem+json) with the contract's machine-readable `code`."""

    class Meta:
        unknown = INCLUDE  # RFC 9457 allows extension members

    type = fields.String(required=True, metadata={"format": "uri"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String(required=True)
    errors = fields.Raw(metadata={"oneOf": [FIELD_ERRORS, BPMN_ERRORS]})
    element_id = fields.String(allow_none=True, metadata={"description": "500 from the engine: the failing element"})


class Money(fields.Decimal):
    """A decimal string with at most two places ("1000.00"); more places are refused, not rounded."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=0))
        # OpenAPI: a string (registered as such in app/api/__init__.py); branch `input` owns this field
        kwargs.setdefault("metadata", {"pattern": r"^\d{1,10}\.\d{2}$", "example": "1000.00"})
        super().__init__(places=None, as_string=True, allow_nan=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError('a decimal string such as "1000.00" (money is never a JSON number)')
        number = super()._deserialize(value, attr, data, **kwargs)
        if number.as_tuple().exponent < -2:
            raise ValidationError("at most two decimal places")
        return number.quantize(Decimal("0.01"))

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{Decimal(value):.2f}"


