"""Renewals, conversions of trials and expiry policies (docs/api-contract.md, "Renewals, trials and expiry")."""
from marshmallow import ValidationError, fields, validate, validates_schema

from app.schemas.common import Money, Moment, Period, StrictSchema, Text

MAX_AUTO_RENEWALS = 100
NUMBER = r"^[A-Za-z0-9_-]{1,64}$"


class RenewalCreateSchema(StrictSchema):
    renewal_no = fields.String(required=True, validate=validate.Regexp(NUMBER))
    period = Period(required=True)
    amount_paid = Money(required=True)
    paid_at = Moment(required=True)


class ConversionCreateSchema(StrictSchema):
    conversion_no = fields.String(required=True, validate=validate.Regexp(NUMBER))
    period = Period(required=True)
    amount_paid = Money(required=True)
    paid_at = Moment(required=True)


class RenewalRefundSchema(StrictSchema):
    reason = Text(5000, load_default="Renewal period refunded before it took effect")
    amount = Money(load_default=None, allow_none=True,
                   metadata={"description": "optional: when given, the renewal's full amount paid"})
    share_contact = fields.Boolean(load_default=False)


class ExpiryPolicySchema(StrictSchema):
    policy = fields.String(required=True, validate=validate.OneOf(("auto_renew", "do_not_renew")))
    period = Period(load_default=None, allow_none=True)
    count = fields.Integer(load_default=None, allow_none=True,
                           validate=validate.Range(min=1, max=MAX_AUTO_RENEWALS))

    @validates_schema
    def _fits_the_policy(self, data, **kwargs):
        errors = {}
        auto = data.get("policy") == "auto_renew"
        for name in ("period", "count"):
            if auto and data.get(name) is None:
                errors[name] = ["required for auto_renew"]
            if not auto and data.get(name) is not None:
                errors[name] = ["only auto_renew takes a period and a count"]
        if errors:
            raise ValidationError(errors)


class ExpiryPolicyStateSchema(StrictSchema):
    policy = fields.String()
    period = fields.String(allow_none=True)
    count = fields.Integer(allow_none=True)
    remaining = fields.Integer(allow_none=True, metadata={"description": "auto-renewals still to come"})


class RenewalSchema(StrictSchema):
    id = fields.String()
    order_id = fields.String()
    renewal_no = fields.String()
    kind = fields.String(metadata={"description": "renewal, auto_renewal or trial_to_formal"})
    period = fields.String()
    amount_paid = Money()
    paid_at = fields.DateTime()
    status = fields.String(metadata={"description": "active, refunding or refunded"})
    start = fields.DateTime(allow_none=True, metadata={"description": "null while the order's validity is unknown"})
    end = fields.DateTime(allow_none=True)
    effective = fields.Boolean()
    refund_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
