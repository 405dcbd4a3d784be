"""Deployed BPMN versions and the process instances (one per run, of a kind) of the orders."""
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base

if TYPE_CHECKING:
    from app.models.order import Order


class ProcessDefinition(Base):
    """One version of one process key; content-addressed by sha256 of the XML."""

    __tablename__ = "process_definition"
    __table_args__ = (
        UniqueConstraint("key", "version", name="uq_process_definition_key_version"),
        UniqueConstraint("key", "sha256", name="uq_process_definition_key_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    xml: Mapped[str] = mapped_column(Text, deferred=True)  # tens of KB: read only where used (a parse, a download)
    deployed_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))  # current | retired

    @property
    def spec_key(self) -> str:
        return f"{self.key}@{self.version}"


SUPERVISION = "supervision"  # the kind every supervised order has exactly one of
REFUND = "refund"  # one per refund run of the order, over time (docs/decisions.md, "Refunds")
PURCHASE = "purchase"  # one per Weaver purchase application; bound to the application, not to an order
_SUPERVISION_ONLY = text("kind = 'supervision'")


class ProcessInstance(Base):
    """Engine state of one process run on an order (or a purchase application), serialized without the spec; `version_id` is the
    optimistic lock. At most one supervision instance per order; other kinds (refund runs) may repeat."""

    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_due", "next_timer_at", "frozen_at"),
                      Index("ix_process_instance_definition", "definition_id", "id"),  # statistics per key
                      Index("ix_process_instance_frozen", "frozen_at", "kind", "order_id", "id"),  # ?frozen=, inboxes
                      Index("uq_process_instance_order_supervision", "order_id", unique=True,
                            sqlite_where=_SUPERVISION_ONLY, postgresql_where=_SUPERVISION_ONLY))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True)  # None: an application's
    application_id: Mapped[str | None] = mapped_column(ForeignKey("purchase_application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=SUPERVISION, server_default=SUPERVISION)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    state: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # running | completed | error
    error: Mapped[dict | None] = mapped_column(JSON)
    frozen_at: Mapped[datetime | None]
    next_timer_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    version_id: Mapped[int] = mapped_column(nullable=False)

    definition: Mapped[ProcessDefinition] = relationship(lazy="joined", innerjoin=True)
    # read-only; the locking queries load it in their statement (runtime.py), so the use case's get of the
    # order runs no query of its own
    order: Mapped["Order | None"] = relationship(viewonly=True)

    __mapper_args__ = {"version_id_col": version_id}
