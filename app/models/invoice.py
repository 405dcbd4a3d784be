"""Invoices a buyer applies for on an order, and their return before a refund (buyer guide §6.1, §6.3)."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, new_id

OPEN_STATUSES = ("applied", "issued", "return_submitted")  # not returned (or withdrawn): a refund waits


class Invoice(Base):
    __tablename__ = "invoice"
    __table_args__ = (Index("ix_invoice_order_status", "order_id", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    issuer: Mapped[str] = mapped_column(String(20))  # platform (joint, Huawei goods) | seller (general goods)
    type: Mapped[str] = mapped_column(String(20))  # electronic | paper_ordinary | paper_special
    title: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # applied | issued | return_submitted | returned | withdrawn
    applied_by: Mapped[str] = mapped_column(String(100))
    applied_at: Mapped[datetime]
    invoice_no: Mapped[str | None] = mapped_column(String(64))
    issued_by: Mapped[str | None] = mapped_column(String(100))
    issued_at: Mapped[datetime | None]
    deducted: Mapped[bool | None] = mapped_column(Boolean)  # paper special: already deducted by the buyer
    return_tracking_no: Mapped[str | None] = mapped_column(String(100))
    red_letter_form: Mapped[str | None] = mapped_column(ForeignKey("attachment.id"))  # the red-letter form scan
    return_submitted_at: Mapped[datetime | None]
    returned_by: Mapped[str | None] = mapped_column(String(100))
    returned_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
