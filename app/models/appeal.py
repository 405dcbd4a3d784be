"""Appeals to operations (their resolution notifies both parties: app/models/notification.py)."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, new_id


class Appeal(Base):
    __tablename__ = "appeal"
    __table_args__ = (Index("ix_appeal_status_due_id", "status", "due_at", "id"),  # GET /appeals, oldest due first
                      Index("ix_appeal_due_id", "due_at", "id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    refund_id: Mapped[str | None] = mapped_column(ForeignKey("refund.id"), index=True)  # an appeal on a refund
    appellant: Mapped[str] = mapped_column(String(100))
    appellant_role: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    demand: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list] = mapped_column(JSON)
    frozen_nodes: Mapped[list] = mapped_column(JSON)
    opened_at: Mapped[datetime]
    due_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))  # open | resolved
    outcome: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    refund_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None]
