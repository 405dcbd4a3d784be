"""The `data` of each user-task action, by the schema name a task's `form` property gives."""
from datetime import timezone
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import RAISE, Schema, fields, validate

from app.schemas.common import MAX_INT, NAME_LENGTH, TEXT_LENGTH, URL_LENGTH, AttachmentIds, Moment, Text

_ATTACHMENTS_REQUIRED = AttachmentIds(required=True, min_items=1,
                                      error_messages={"required": "at least one attachment is required"})
_ATTACHMENTS_OPTIONAL = AttachmentIds()
_NO_ATTACHMENTS = fields.List(fields.String(), validate=validate.Length(max=0), load_default=list)
_TEXT = validate.And(validate.Length(min=1, max=TEXT_LENGTH), validate.Regexp(r"\S", error="must not be blank"))


class _Form(Schema):
    class Meta:
        unknown = RAISE


class NoDataForm(_Form):
    """Actions that take no data (accept, claim, confirm)."""

    attachments = _NO_ATTACHMENTS


class RequirementForm(_Form):
    description = fields.String(required=True, validate=_TEXT)
    attachments = _ATTACHMENTS_REQUIRED


class DeliveryForm(_Form):
    note = Text(TEXT_LENGTH, load_default="")
    actual_start_time = Moment(load_default=None)
    attachments = _ATTACHMENTS_REQUIRED


class AppInfoSchema(_Form):
    front_url = fields.Url(required=True, validate=validate.Length(max=URL_LENGTH))
    admin_url = fields.Url(load_default=None, allow_none=True, validate=validate.Length(max=URL_LENGTH))
    username = Text(NAME_LENGTH, load_default=None, allow_none=True)


class SaasDeliveryForm(DeliveryForm):
    app_info = fields.Nested(AppInfoSchema, load_default=None, allow_none=True)


class LicenseDeliveryForm(_Form):
    note = Text(TEXT_LENGTH, load_default="")
    actual_start_time = Moment(load_default=None)
    attachments = _ATTACHMENTS_REQUIRED


class AuthcodeDeliveryForm(_Form):
    note = Text(TEXT_LENGTH, load_default="")
    attachments = _ATTACHMENTS_OPTIONAL


class HardwareIdCodeForm(_Form):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_:.-]{4,64}$"))
    attachments = _NO_ATTACHMENTS


class ProofForm(_Form):
    note = Text(TEXT_LENGTH, load_default="")
    attachments = _ATTACHMENTS_REQUIRED


class ShipmentForm(_Form):
    carrier = Text(100, min_length=1, required=True)
    tracking_no = Text(100, min_length=1, required=True)
    attachments = _ATTACHMENTS_OPTIONAL


class ReturnShipmentForm(_Form):
    """The parcel a buyer sends a refunded hardware product back in."""

    carrier = Text(100, min_length=1, required=True)
    tracking_no = Text(100, min_length=1, required=True)
    attachments = _ATTACHMENTS_OPTIONAL


class ReasonForm(_Form):
    reason = fields.String(required=True, validate=_TEXT)
    attachments = _ATTACHMENTS_OPTIONAL


class NoteForm(_Form):
    note = Text(TEXT_LENGTH, load_default="")
    attachments = _ATTACHMENTS_OPTIONAL


class ExpiryDate(fields.Date):
    """A date (`2027-12-31`); a date-time with offset is taken as its UTC date."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and "T" in value:
            moment = Moment()._deserialize(value, attr, data, **kwargs)
            return moment.astimezone(timezone.utc).date()
        return super()._deserialize(value, attr, data, **kwargs)


def _seats(**kwargs) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_INT), **kwargs)


class PurchaseApprovalForm(_Form):
    """Business staff approve a purchase application (the date's "in the future" is the service's check)."""

    pc_seats = _seats(required=True)
    mobile_seats = _seats(required=True)
    expires_on = ExpiryDate(required=True)
    attachments = _NO_ATTACHMENTS


class LicenseFileForm(PurchaseApprovalForm):
    """Ops upload a special app's licence file: the file and the seats and expiry it grants."""

    attachments = _ATTACHMENTS_REQUIRED


class SeatAllocationForm(_Form):
    tenant = Text(100, min_length=1, required=True)
    pc_seats = _seats(required=True)
    mobile_seats = _seats(required=True)


class SeatDistributionForm(_Form):
    """The applicant splits a licence's seats over its main and sub tenants."""

    allocations = fields.List(fields.Nested(SeatAllocationForm), required=True,
                              validate=validate.Length(min=1, max=100))
    attachments = _NO_ATTACHMENTS


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
    "refund_rejection": ReasonForm,
    "return_shipment": ReturnShipmentForm,
    "inspection_issue": ReasonForm,
    "purchase_approval": PurchaseApprovalForm,
    "purchase_rejection": ReasonForm,
    "license_file": LicenseFileForm,
    "seat_distribution": SeatDistributionForm,
}


def form_for(name: str | None) -> Schema:
    """The schema instance for a form name; no name means the action takes no data."""
    return (FORMS[name] if name else NoDataForm)()


@lru_cache(maxsize=64)
def _json_schema(name: str | None) -> dict:
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)  # nested forms inline
    APISpec("forms", "1", "3.0.3", plugins=[plugin])
    return plugin.converter.schema2jsonschema(form_for(name))


def form_json_schema(name: str | None) -> dict:
    """The JSON Schema of a form, derived from its marshmallow schema above (the one definition of its
    shape): what the inbox page builds an action's form from."""
    return dict(_json_schema(name))
