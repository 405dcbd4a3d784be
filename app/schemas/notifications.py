from marshmallow import fields

from app.schemas.common import StrictSchema


class NotificationListArgs(StrictSchema):
    unread = fields.Boolean(load_default=False, metadata={"description": "only those not yet read"})


class NotificationSchema(StrictSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"example": "appeal_resolved"})
    message = fields.String()
    order_id = fields.String(allow_none=True)
    ref = fields.String(allow_none=True, metadata={"description": "what else it is about, e.g. refund:12"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    read = fields.Function(lambda notification: notification.read_at is not None, dump_only=True)
