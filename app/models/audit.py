"""Append-only, hash-chained operation log per order (evidence for disputes)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("order_id", "seq", name="uq_audit_event_order_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    seq: Mapped[int]
    at: Mapped[datetime]
    actor_name: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(40))
    node: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str | None] = mapped_column(String(60))
    data: Mapped[dict] = mapped_column(JSON)
    attachments: Mapped[list] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
