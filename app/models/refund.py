"""Refunds (退订): every movement of money back to a buyer, and the buyers' account ledger it credits."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, new_id

OPEN_STATUSES = ("pending_seller", "awaiting_return", "awaiting_inspection", "refunding")
_OPEN = text("status IN ('pending_seller', 'awaiting_return', 'awaiting_inspection', 'refunding')")


class Refund(Base):
    """One refund of an order; negotiated and hardware refunds run a process instance of kind `refund`."""

    __tablename__ = "refund"
    __table_args__ = (Index("ix_refund_status_refunding", "status", "refunding_at"),
                      # one open refund per order, also against two racing requests
                      Index("uq_refund_open_order", "order_id", unique=True, sqlite_where=_OPEN,
                            postgresql_where=_OPEN))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # negotiated | five_day | renewal | appeal | provisioning_failure
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    reason: Mapped[str] = mapped_column(Text)
    goods: Mapped[str | None] = mapped_column(String(20))  # hardware: received | not_received
    share_contact: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(30))
    process_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    return_logistics: Mapped[dict | None] = mapped_column(JSON)
    quota_year: Mapped[int | None] = mapped_column(Integer)  # five-day refunds: the Beijing calendar year
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    refunding_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]  # the "contact the seller" notification went out


class Account(Base):
    """A buyer's balance on the platform (the guide: money returns to the cloud account balance)."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(100), unique=True)
    balance: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AccountEntry(Base):
    """One credit to an account; a refund is credited at most once (unique refund_id)."""

    __tablename__ = "account_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    balance_after: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    kind: Mapped[str] = mapped_column(String(30))  # refund
    refund_id: Mapped[str | None] = mapped_column(ForeignKey("refund.id"), unique=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"))
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
