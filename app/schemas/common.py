"""Shared schema pieces: strict base, paging arguments, problem documents."""
from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate


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


class Money(fields.Decimal):
    """A decimal string with at most two places ("1000.00"); more places are refused, not rounded."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=0))
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


