"""Merchant integration: a seller's production interface, AK/SK access keys, and the callbacks
(production-interface calls) relayed from the outbox and delivered by the dispatcher."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class ProductionInterface(Base):
    """Where a seller's production interface listens; its V2 signing key is derived, never stored
    (app/services/callbacks/secrets.py): `key_salt` and the platform's key give it back."""

    __tablename__ = "production_interface"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(2048))
    key_salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AccessKey(Base):
    """An AK/SK pair of a principal for SDK-HMAC-SHA256 signed calls; the secret is derived from
    `secret_salt` and the platform's key, so a database dump alone cannot sign."""

    __tablename__ = "access_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    access_key: Mapped[str] = mapped_column(String(64), unique=True)
    principal: Mapped[str] = mapped_column(String(100), index=True)
    secret_salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Callback(Base):
    """One production-interface call: `pending` until the merchant answers 000000 (`delivered`) or its
    deadline passes (`failed`); a dispatcher holds it while `lease_until` is in the future."""

    __tablename__ = "callback"
    __table_args__ = (Index("ix_callback_due", "status", "next_attempt_at"),
                      Index("ix_callback_order_status", "order_id", "status", "id"),
                      Index("ix_callback_seller_created", "seller", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), unique=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    seller: Mapped[str] = mapped_column(String(100))
    activity: Mapped[str] = mapped_column(String(40))
    body: Mapped[dict] = mapped_column(JSON)  # the fields fixed at relay time; instanceId is added when sent
    status: Mapped[str] = mapped_column(String(20))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    result_code: Mapped[str | None] = mapped_column(String(20))
    next_attempt_at: Mapped[datetime]
    deadline_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    lease_token: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
