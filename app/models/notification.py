"""What the platform tells a person: one row per notification, readable by its recipient."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Notification(Base):
    """`dedupe_key` makes a notification once-only per recipient (reminders: one per order, day and
    offset, whichever scheduler process gets there first); NULL keys never collide."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("recipient", "dedupe_key", name="uq_notification_recipient_dedupe_key"),
                      Index("ix_notification_inbox", "recipient", "read_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"))
    ref: Mapped[str | None] = mapped_column(String(100))  # what else it is about, e.g. "refund:12"
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
