from marshmallow import fields, post_load, validate

from app.schemas.common import ATTACHMENT_ID_LENGTH, NAME_LENGTH, AttachmentIds, StrictSchema, Text
from app.services.invoices.rules import TYPES

INVOICE_NO_LENGTH = 64
TAX_ID_LENGTH = 64
TRACKING_NO_LENGTH = 100


class InvoiceApplySchema(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    title = Text(NAME_LENGTH, min_length=1, required=True)
    tax_id = Text(TAX_ID_LENGTH, min_length=1, load_default=None, allow_none=True)


class InvoiceIssueSchema(StrictSchema):
    invoice_no = Text(INVOICE_NO_LENGTH, min_length=1, required=True)


class InvoiceReturnSchema(StrictSchema):
    """Electronic: nothing. Paper, not deducted: `tracking_no`. Paper special already deducted:
    `deducted: true` and the red-letter information form scan as one attachment (`attachments: [id]`,
    or `attachment_id`)."""

    tracking_no = Text(TRACKING_NO_LENGTH, min_length=1, load_default=None, allow_none=True)
    deducted = fields.Boolean(load_default=False)
    attachments = AttachmentIds()
    attachment_id = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(min=1, max=ATTACHMENT_ID_LENGTH))

    @post_load
    def _one_list(self, data, **kwargs):
        """`attachment_id` is one more attachment: the service sees `attachments` only."""
        single = data.pop("attachment_id", None)
        return {**data, "attachments": data["attachments"] + ([single] if single else [])}


class InvoiceSchema(StrictSchema):
    id = fields.String()
    order_id = fields.String()
    issuer = fields.String(metadata={"description": "platform (joint and Huawei goods) or seller (general goods)"})
    type = fields.String()
    title = fields.String()
    tax_id = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "applied, issued, return_submitted, returned or withdrawn"})
    invoice_no = fields.String(allow_none=True)
    applied_at = fields.DateTime()
    issued_at = fields.DateTime(allow_none=True)
    deducted = fields.Boolean(allow_none=True)
    return_tracking_no = fields.String(allow_none=True)
    red_letter_form = fields.String(allow_none=True, metadata={"description": "attachment id of the form scan"})
    return_submitted_at = fields.DateTime(allow_none=True)
    returned_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
