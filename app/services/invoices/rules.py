"""The invoice rules as plain functions: who issues, what a return needs, whether an invoice blocks a refund."""
from sqlalchemy import exists, select

from app.errors import ValidationFailedError
from app.models import Invoice, Order
from app.models.invoice import OPEN_STATUSES

PLATFORM_ISSUED = ("joint", "huawei")  # Huawei Cloud invoices joint-operation and Huawei goods
ELECTRONIC, PAPER_ORDINARY, PAPER_SPECIAL = "electronic", "paper_ordinary", "paper_special"
TYPES = (ELECTRONIC, PAPER_ORDINARY, PAPER_SPECIAL)
CLOSED_ORDER_STATUSES = ("refunded", "cancelled", "released")  # nothing left to invoice


def issuer_for(order: Order) -> str:
    """`platform` for joint and Huawei goods, `seller` for general goods (the seller invoices directly)."""
    return "platform" if (order.product or {}).get("goods_class") in PLATFORM_ISSUED else "seller"


def invoices_block_refund(session, order: Order) -> bool:
    """Whether an invoice of the order is applied for, issued or on its way back (not returned, not withdrawn):
    a refund must wait until it is returned (buyer guide §6.3, FAQ §8.5.1)."""
    return bool(session.scalar(select(exists().where(Invoice.order_id == order.id,
                                                     Invoice.status.in_(OPEN_STATUSES)))))


def return_materials(invoice: Invoice, tracking_no: str | None, deducted: bool, attachments: list[str]) -> dict:
    """What the buyer sends back for this invoice type, checked (422 naming the field otherwise):
    electronic nothing; paper not deducted the parcel's tracking number; paper special already deducted
    one attachment, the scan of the red-letter information form, and no parcel."""
    errors = {}
    if deducted and invoice.type != PAPER_SPECIAL:
        errors["deducted"] = ["only a paper special invoice is deducted"]
    if invoice.type == ELECTRONIC and tracking_no is not None:
        errors["tracking_no"] = ["an electronic invoice is not mailed back"]
    if invoice.type != ELECTRONIC and not deducted and not tracking_no:
        errors["tracking_no"] = ["required: mail the invoice back and give the tracking number"]
    if deducted and tracking_no is not None:
        errors["tracking_no"] = ["a deducted invoice is not mailed back: send the red-letter form instead"]
    if deducted and len(attachments) != 1:
        errors["attachments"] = ["exactly one: the scan of the red-letter information form"]
    if not deducted and attachments:
        errors["attachments"] = ["only a deducted paper special invoice sends an attachment"]
    if errors:
        raise ValidationFailedError(errors)
    return {"return_tracking_no": tracking_no, "deducted": deducted if invoice.type == PAPER_SPECIAL else None,
            "red_letter_form": attachments[0] if deducted else None}
