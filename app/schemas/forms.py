"""The `data` of each user-task action, by the schema name a task's `form` property gives."""
from marshmallow import RAISE, Schema, fields, validate

_ATTACHMENTS_REQUIRED = fields.List(fields.String(), required=True, validate=validate.Length(min=1),
                                    error_messages={"required": "at least one attachment is required"})
_ATTACHMENTS_OPTIONAL = fields.List(fields.String(), load_default=list)
_TEXT = validate.And(validate.Length(min=1, max=5000), validate.Regexp(r"\S", error="must not be blank"))


class _Form(Schema):
    class Meta:
        unknown = RAISE


class NoDataForm(_Form):
    """Actions that take no data (accept, claim, confirm)."""

    attachments = fields.List(fields.String(), validate=validate.Length(max=0), load_default=list)


class RequirementForm(_Form):
    description = fields.String(required=True, validate=_TEXT)
    attachments = _ATTACHMENTS_REQUIRED


class DeliveryForm(_Form):
    note = fields.String(validate=validate.Length(max=5000), load_default="")
    actual_start_time = fields.AwareDateTime(load_default=None)
    attachments = _ATTACHMENTS_REQUIRED


class AppInfoSchema(_Form):
    front_url = fields.Url(required=True)
    admin_url = fields.Url(load_default=None, allow_none=True)
    username = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class SaasDeliveryForm(DeliveryForm):
    app_info = fields.Nested(AppInfoSchema, load_default=None, allow_none=True)


class LicenseDeliveryForm(_Form):
    note = fields.String(validate=validate.Length(max=5000), load_default="")
    actual_start_time = fields.AwareDateTime(load_default=None)
    attachments = _ATTACHMENTS_REQUIRED


class AuthcodeDeliveryForm(_Form):
    note = fields.String(validate=validate.Length(max=5000), load_default="")
    attachments = _ATTACHMENTS_OPTIONAL


class HardwareIdCodeForm(_Form):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_:.-]{4,64}$"))
    attachments = fields.List(fields.String(), validate=validate.Length(max=0), load_default=list)


class ProofForm(_Form):
    note = fields.String(validate=validate.Length(max=5000), load_default="")
    attachments = _ATTACHMENTS_REQUIRED


class ShipmentForm(_Form):
    carrier = fields.String(required=True, validate=validate.Length(min=1, max=100))
    tracking_no = fields.String(required=True, validate=validate.Length(min=1, max=100))
    attachments = _ATTACHMENTS_OPTIONAL


class ReasonForm(_Form):
    reason = fields.String(required=True, validate=_TEXT)
    attachments = _ATTACHMENTS_OPTIONAL


class NoteForm(_Form):
    note = fields.String(validate=validate.Length(max=5000), load_default="")
    attachments = _ATTACHMENTS_OPTIONAL


FORMS = {
    "requirement": RequirementForm,
    "delivery": DeliveryForm,
    "return_reason": ReasonForm,
    "rejection": ReasonForm,
    "review_return": ReasonForm,
    "review_note": NoteForm,
    "delivery_saas": SaasDeliveryForm,
    "license_delivery": LicenseDeliveryForm,
    "authcode_delivery": AuthcodeDeliveryForm,
    "system_id_code": NoDataForm,
    "hardware_id_code": HardwareIdCodeForm,
    "proof": ProofForm,
    "shipment": ShipmentForm,
}


def form_for(name: str | None) -> Schema:
    """The schema instance for a form name; no name means the action takes no data."""
    return (FORMS[name] if name else NoDataForm)()
