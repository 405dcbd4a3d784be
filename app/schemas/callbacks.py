from marshmallow import fields, validate

from app.schemas.common import MAX_INT, URL_LENGTH, StrictSchema, Text

CALLBACK_STATUSES = ("pending", "delivered", "failed")


class ProductionInterfaceSetSchema(StrictSchema):
    url = fields.String(required=True, validate=[validate.Length(max=URL_LENGTH),
                                                 validate.URL(schemes={"http", "https"}, require_tld=False)],
                        metadata={"description": "the seller's production interface (one URL for every activity)"})


class ProductionInterfaceSchema(StrictSchema):
    url = fields.String()
    access_key = fields.String(metadata={"description": "the V2 signing key, shown only in this answer"})


class AccessKeySchema(StrictSchema):
    access_key = fields.String()
    secret_key = fields.String(metadata={"description": "shown only in this answer"})


class CallbackListArgs(StrictSchema):
    status = fields.String(validate=validate.OneOf(CALLBACK_STATUSES))
    order_id = Text(32)


class CallbackSchema(StrictSchema):
    id = fields.Integer(validate=validate.Range(min=1, max=MAX_INT))
    order_id = fields.String()
    seller = fields.String()
    activity = fields.String(metadata={"description": "newInstance, refreshInstance, updateInstanceStatus, "
                                                      "releaseInstance"})
    body = fields.Dict(metadata={"description": "the call's fields (instanceId and businessId are added when sent)"})
    status = fields.String(validate=validate.OneOf(CALLBACK_STATUSES))
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    result_code = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    deadline_at = fields.DateTime()
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)
    failed_at = fields.DateTime(allow_none=True)
