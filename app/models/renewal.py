"""Renewals (续费) of periodic orders: each paid period after the first, manual, automatic or a trial's conversion."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, new_id

KINDS = ("renewal", "auto_renewal", "trial_to_formal")
ACTIVE, REFUNDING, REFUNDED = "active", "refunding", "refunded"  # a refunded period no longer counts


class Renewal(Base):
    """One more period of an order; `start`/`end` stay empty while the order's validity is unknown (queued)."""

    __tablename__ = "renewal"
    __table_args__ = (Index("uq_renewal_order_seq", "order_id", "seq", unique=True),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per order: the order the periods follow each other in
    renewal_no: Mapped[str] = mapped_column(String(80), unique=True)  # idempotency key (conversion_no too)
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(20))
    amount_paid: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    paid_at: Mapped[datetime]
    request_hash: Mapped[str] = mapped_column(String(64))
    placed_by: Mapped[str] = mapped_column(String(100))  # the platform principal, or `system` (auto-renewal)
    status: Mapped[str] = mapped_column(String(20))
    refund_id: Mapped[str | None] = mapped_column(ForeignKey("refund.id"))
    start: Mapped[datetime | None]
    end: Mapped[datetime | None]
    created_at: Mapped[datetime]
