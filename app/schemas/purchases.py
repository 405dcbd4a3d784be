"""Bodies and shapes of the Weaver cloud store: tenants, apps, purchase applications, entitlements."""
from marshmallow import fields, validate

from app.schemas.common import MAX_INT, TEXT_LENGTH, StrictSchema, Text
from app.schemas.orders import AvailableActionSchema, NodeSchema

KINDS = ("purchase", "trial", "renewal")
STATUSES = ("pending", "approved", "rejected")
_KEY = validate.Regexp(r"^[A-Za-z0-9_.@-]{1,100}$", error="1 to 100 letters, digits or . _ @ -")


class ContactSchema(StrictSchema):
    name = Text(100, min_length=1, required=True)
    phone = Text(40, load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=200))


class TenantCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=_KEY)
    cloud = fields.String(required=True, validate=validate.OneOf(("public", "private")))
    environment = fields.String(load_default=None, allow_none=True, validate=_KEY,
                                metadata={"description": "required on a private cloud"})
    supervisor = fields.Boolean(load_default=False, metadata={"description": "主管级租户 (主管理组织 on)"})


class TenantSchema(StrictSchema):
    name = fields.String()
    cloud = fields.String()
    environment = fields.String(allow_none=True)
    supervisor = fields.Boolean()
    created_at = fields.DateTime()


class AppCreateSchema(StrictSchema):
    app_id = fields.String(required=True, validate=_KEY)
    name = Text(200, min_length=1, required=True)
    special = fields.Boolean(load_default=False, metadata={"description": "专项: licensed by a licence file"})
    trial = fields.Boolean(load_default=False, metadata={"description": "offers the limited-time trial"})
    contact = fields.Nested(ContactSchema, load_default=None, allow_none=True,
                            metadata={"description": "the publisher's contact, shown to approved applicants"})


class AppSchema(StrictSchema):
    app_id = fields.String()
    name = fields.String()
    publisher = fields.String()
    special = fields.Boolean()
    trial = fields.Boolean()
    created_at = fields.DateTime()


class ApplicationCreateSchema(StrictSchema):
    app_id = fields.String(required=True, validate=_KEY)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    contact = fields.Nested(ContactSchema, load_default=None, allow_none=True, metadata={
        "description": "the applicant's contact, shown to the publisher once the application is approved"})
    pc_seats = fields.Integer(strict=True, load_default=None, allow_none=True, validate=validate.Range(0, MAX_INT))
    mobile_seats = fields.Integer(strict=True, load_default=None, allow_none=True,
                                  validate=validate.Range(0, MAX_INT))
    note = Text(TEXT_LENGTH, load_default=None, allow_none=True)


class ApplicationListArgs(StrictSchema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    kind = fields.String(validate=validate.OneOf(KINDS))
    app_id = Text(100)


class ContactOutSchema(StrictSchema):
    name = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class ApplicationSchema(StrictSchema):
    id = fields.String()
    app_id = fields.String()
    tenant = fields.String()
    applicant = fields.String()
    kind = fields.String()
    status = fields.String(metadata={"description": "pending until decided, then approved or rejected"})
    nodes = fields.List(fields.Nested(NodeSchema))
    available_actions = fields.List(fields.Nested(AvailableActionSchema))
    contact = fields.Nested(ContactOutSchema, allow_none=True, metadata={
        "description": "the applicant's; the publisher sees it once the application is approved"})
    publisher_contact = fields.Nested(ContactOutSchema, allow_none=True, metadata={
        "description": "the publisher's; the applicant sees it once the application is approved"})
    pc_seats = fields.Integer(allow_none=True)
    mobile_seats = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    decision = fields.Dict(allow_none=True, metadata={"description": "seats and expiry granted, or `reason`"})
    reason = fields.String(allow_none=True)
    seats_pending_adjustment = fields.Boolean()
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class EntitlementSchema(StrictSchema):
    app_id = fields.String()
    tenant = fields.String()
    environment = fields.String(allow_none=True)
    pc_seats = fields.Integer()
    mobile_seats = fields.Integer()
    expires_on = fields.Date()
    trial = fields.Boolean()
    status = fields.String(metadata={"description": "active, or expired from expires_on (a UTC date) on"})
    seats_pending_adjustment = fields.Boolean()
    covers_environment = fields.Boolean()


class EntitlementCheckArgs(StrictSchema):
    app_id = fields.String(required=True, validate=_KEY)


class EntitlementCheckSchema(StrictSchema):
    can_install = fields.Boolean()
    why_not = fields.String(allow_none=True, metadata={"description": "no_tenant, no_entitlement or expired"})
