from marshmallow import fields, validate

from app.schemas.common import NAME_LENGTH, ActorSchema, Cursor, Money, Moment, Period, StrictSchema, Text
from app.schemas.forms import AppInfoSchema
from app.schemas.lifecycle import ExpiryPolicyStateSchema, RenewalSchema

MAX_MILESTONES = 50

DELIVERY_TYPES = ("manual_service", "license", "hardware", "saas", "orchestration", "data_file",
                  "image", "api", "container", "ai_asset", "data_asset", "application_asset", "saas_instant")


class ProductSchema(StrictSchema):
    name = Text(NAME_LENGTH, min_length=1, required=True)
    spec = Text(NAME_LENGTH, load_default=None, allow_none=True)
    delivery_type = fields.String(required=True, validate=validate.OneOf(DELIVERY_TYPES))
    manual_kind = fields.String(load_default=None, allow_none=True,
                                validate=validate.OneOf(("standard", "site_building")))
    license_mode = fields.String(load_default=None, allow_none=True,
                                 validate=validate.OneOf(("authcode", "system_id", "hardware_id", "offline", "package")))
    goods_class = fields.String(load_default="general", validate=validate.OneOf(("general", "joint", "huawei")))
    scenario = fields.String(load_default="none", validate=validate.OneOf(("none", "empowerment", "base")))
    supervised = fields.Boolean(load_default=True)


class BillingSchema(StrictSchema):
    mode = fields.String(required=True, validate=validate.OneOf(("periodic", "one_off", "on_demand")))
    period = Period(load_default=None, allow_none=True)


class RecipientSchema(StrictSchema):
    name = Text(100, required=True)
    phone = fields.String(required=True, validate=validate.Length(min=3, max=30))
    address = Text(500, required=True)


class MilestoneSchema(StrictSchema):
    name = Text(NAME_LENGTH, required=True)
    amount = Money(required=True)


class MilestoneStateSchema(StrictSchema):
    name = fields.String()
    amount = Money()
    accepted_at = fields.String(allow_none=True, metadata={"format": "date-time"})  # stored as an ISO string


class OrderCreateSchema(StrictSchema):
    order_no = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,64}$"))
    buyer = fields.String(required=True, validate=validate.Length(min=1, max=100))
    seller = fields.String(required=True, validate=validate.Length(min=1, max=100))
    product = fields.Nested(ProductSchema, required=True)
    billing = fields.Nested(BillingSchema, required=True)
    amount_paid = Money(required=True)
    paid_at = Moment(required=True)
    recipient = fields.Nested(RecipientSchema, load_default=None, allow_none=True)
    milestones = fields.List(fields.Nested(MilestoneSchema), load_default=None, allow_none=True,
                             validate=validate.Length(max=MAX_MILESTONES))
    trial = fields.Boolean(load_default=False, metadata={"description": "a free trial: amount_paid 0.00, periodic, "
                                                                        "one per buyer, product and spec"})


class NodeSchema(StrictSchema):
    id = fields.String()
    name = fields.String()
    name_zh = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    since = fields.DateTime(allow_none=True)


class ValiditySchema(StrictSchema):
    start = fields.DateTime(allow_none=True)
    end = fields.DateTime(allow_none=True)


class LogisticsEventSchema(StrictSchema):
    status = fields.String()
    at = fields.DateTime()
    recipient_phone_matches = fields.Boolean(attribute="phone_matches")


class ShipmentSchema(StrictSchema):
    carrier = fields.String()
    tracking_no = fields.String()
    shipped_at = fields.String(metadata={"format": "date-time"})  # stored as an ISO string


class LogisticsSchema(StrictSchema):
    shipment = fields.Nested(ShipmentSchema, allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    status = fields.String(allow_none=True)
    events = fields.List(fields.Nested(LogisticsEventSchema))


class LogisticsUpdateSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(("in_transit", "signed")))
    at = Moment(required=True)
    recipient_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30))


class AuthcodeActivationSchema(StrictSchema):
    real_effect_time = Moment(load_default=None, allow_none=True)


class ProcessRefSchema(StrictSchema):
    key = fields.String()
    version = fields.Integer()


class AvailableActionSchema(StrictSchema):
    action = fields.String()
    task_id = fields.String()


class EngineErrorSchema(StrictSchema):
    message = fields.String()
    element_id = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)


class OrderSchema(StrictSchema):
    id = fields.String()
    order_no = fields.String()
    status = fields.String()
    delivery_type = fields.String()
    buyer = fields.String()
    seller = fields.String()
    product = fields.Nested(ProductSchema)
    billing = fields.Nested(BillingSchema)
    amount_paid = Money()
    paid_at = fields.DateTime()
    recipient = fields.Nested(RecipientSchema, allow_none=True)
    milestones = fields.List(fields.Nested(MilestoneStateSchema), allow_none=True)
    unaccepted_amount = Money(allow_none=True, metadata={"description": "milestone orders: the sum of the "
                                                                        "milestones not accepted yet"})
    process = fields.Nested(ProcessRefSchema, allow_none=True)
    nodes = fields.List(fields.Nested(NodeSchema))
    frozen = fields.Boolean()
    open_appeal = fields.String(allow_none=True)
    rejection_count = fields.Integer()
    available_actions = fields.List(fields.Nested(AvailableActionSchema))
    validity = fields.Nested(ValiditySchema)
    actual_start_time = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    refund_amount = Money(allow_none=True)
    authcode = fields.String(allow_none=True)
    authcode_claimed_at = fields.DateTime(allow_none=True)
    authcode_activated_at = fields.DateTime(allow_none=True)
    negotiated_refund_allowed = fields.Boolean()
    id_code = fields.String(allow_none=True)
    app_info = fields.Nested(AppInfoSchema, allow_none=True)
    logistics = fields.Nested(LogisticsSchema, allow_none=True)
    error = fields.Nested(EngineErrorSchema, allow_none=True)
    trial = fields.Boolean()
    renewals = fields.List(fields.Nested(RenewalSchema))
    expiry_policy = fields.Nested(ExpiryPolicyStateSchema, allow_none=True)
    expired_at = fields.DateTime(allow_none=True)
    released_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)


class OrderListArgs(StrictSchema):
    status = fields.String(validate=validate.OneOf(("processing", "completed", "refunded", "cancelled", "error",
                                                            "expired", "released")))
    delivery_type = Text(30)
    node = Text(100)
    frozen = fields.Boolean()
    after = Cursor()


class HistoryEventSchema(StrictSchema):
    seq = fields.Integer()
    at = fields.DateTime()
    actor = fields.Nested(ActorSchema)
    type = fields.String()
    node = fields.String(allow_none=True)
    action = fields.String(allow_none=True)
    data = fields.Dict(metadata={"description": "what the event records, by event type; amounts as decimal strings"})
    attachments = fields.List(fields.String())
    hash = fields.String()
