from marshmallow import fields, validate

from app.schemas.common import TEXT_LENGTH, Money, StrictSchema, Text
from app.schemas.orders import AvailableActionSchema, NodeSchema

GOODS = ("received", "not_received")
STATUSES = ("pending_seller", "awaiting_return", "awaiting_inspection", "refunding", "refunded", "rejected",
            "withdrawn")


class RefundCreateSchema(StrictSchema):
    amount = Money(required=True)
    reason = Text(TEXT_LENGTH, min_length=1, required=True)
    share_contact = fields.Boolean(load_default=False)
    goods = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(GOODS),
                          metadata={"description": "hardware only (required there): received or not_received"})


class RefundOptionsArgs(StrictSchema):
    goods = fields.String(validate=validate.OneOf(GOODS),
                          metadata={"description": "hardware: what the buyer would say (in_transit check)"})


class RefundListArgs(StrictSchema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    order_id = Text(32)


class ReturnLogisticsSchema(StrictSchema):
    carrier = fields.String()
    tracking_no = fields.String()
    submitted_at = fields.String(metadata={"format": "date-time"})  # stored as an ISO string


class RefundSchema(StrictSchema):
    id = fields.String()
    order_id = fields.String()
    kind = fields.String()
    amount = Money()
    reason = fields.String()
    goods = fields.String(allow_none=True)
    share_contact = fields.Boolean()
    status = fields.String()
    status_zh = fields.String(allow_none=True)
    nodes = fields.List(fields.Nested(NodeSchema))
    available_actions = fields.List(fields.Nested(AvailableActionSchema))
    return_logistics = fields.Nested(ReturnLogisticsSchema, allow_none=True)
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    refunded_at = fields.DateTime(allow_none=True)


class QuotaSchema(StrictSchema):
    year = fields.Integer()
    limit = fields.Integer()
    used = fields.Integer()
    remaining = fields.Integer()


class RenewalOptionSchema(StrictSchema):
    id = fields.String()
    refundable = fields.Boolean()
    amount = Money()
    why_not = fields.String(allow_none=True, metadata={"description": "renewal_effective, already_refunded, ..."})


class RefundOptionsSchema(StrictSchema):
    rule = fields.String(metadata={"description": "Table 6-1: negotiated, five_day or none"})
    allowed = fields.Boolean()
    max_amount = Money()
    why_not = fields.String(allow_none=True)
    detail = fields.String(allow_none=True)
    renewals = fields.List(fields.Nested(RenewalOptionSchema))
    quota = fields.Nested(QuotaSchema)


class AccountEntrySchema(StrictSchema):
    id = fields.Integer()
    amount = Money()
    balance_after = Money()
    kind = fields.String()
    refund_id = fields.String(allow_none=True)
    order_id = fields.String(allow_none=True)
    description = fields.String()
    created_at = fields.DateTime()


class AccountSchema(StrictSchema):
    owner = fields.String()
    balance = Money()
    entries = fields.List(fields.Nested(AccountEntrySchema))
