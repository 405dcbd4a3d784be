"""Attachment metadata; the bytes live in the content-addressed file store."""
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, new_id


class Attachment(Base):
    __tablename__ = "attachment"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    filename: Mapped[str]
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploader: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class AttachmentLink(Base):
    """An order references an attachment (through an action or an appeal): its parties may read it."""

    __tablename__ = "attachment_link"

    attachment_id: Mapped[str] = mapped_column(ForeignKey("attachment.id"), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), primary_key=True)
