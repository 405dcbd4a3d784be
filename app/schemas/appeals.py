from marshmallow import fields, validate

from app.schemas.common import TEXT_LENGTH, ActorSchema, AttachmentIds, Cursor, Money, StrictSchema, Text

OUTCOMES = ("resume", "return_to_seller", "force_accept", "close_with_refund", "deny_refund")  # deny: refunds only


class AppealCreateSchema(StrictSchema):
    reason = Text(TEXT_LENGTH, min_length=1, required=True)
    demand = Text(TEXT_LENGTH, min_length=1, required=True)
    attachments = AttachmentIds()


class AppealResolveSchema(StrictSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    note = Text(TEXT_LENGTH, load_default="")
    refund_amount = Money(load_default=None, allow_none=True, validate=None)


class AppealListArgs(StrictSchema):
    status = fields.String(validate=validate.OneOf(("open", "resolved")))
    overdue = fields.Boolean()
    claimed_by = Text(100)
    after = Cursor()


class ResolutionSchema(StrictSchema):
    outcome = fields.String()
    note = fields.String(allow_none=True)
    refund_amount = Money(allow_none=True)
    resolved_by = fields.String()
    resolved_at = fields.DateTime()


class AppealOrderSchema(StrictSchema):
    id = fields.String()
    order_no = fields.String()
    status = fields.String()


class AppealSchema(StrictSchema):
    id = fields.String()
    order = fields.Nested(AppealOrderSchema)
    refund_id = fields.String(allow_none=True, metadata={"description": "set when the appeal is on a refund"})
    appellant = fields.Nested(ActorSchema)
    reason = fields.String()
    demand = fields.String()
    attachments = fields.List(fields.String())
    frozen_nodes = fields.List(fields.String())
    opened_at = fields.DateTime()
    due_at = fields.DateTime()
    claimed_by = fields.String(allow_none=True)
    status = fields.String()
    overdue = fields.Boolean()
    resolution = fields.Nested(ResolutionSchema, allow_none=True)
