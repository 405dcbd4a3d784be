"""A paid marketplace order and the inbox projection of its ready user tasks."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, false, text, true
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, new_id


_FROZEN = text("frozen_at IS NOT NULL")


class Order(Base):
    __tablename__ = "orders"
    # the listing's order (created_at, id) behind each owner and filter: keyset pages read through them
    __table_args__ = (Index("ix_orders_created_id", "created_at", "id"),
                      Index("ix_orders_buyer_created_id", "buyer", "created_at", "id"),
                      Index("ix_orders_seller_created_id", "seller", "created_at", "id"),
                      Index("ix_orders_placed_by_created_id", "placed_by", "created_at", "id"),
                      Index("ix_orders_status_created_id", "status", "created_at", "id"),
                      Index("ix_orders_buyer_status_created_id", "buyer", "status", "created_at", "id"),
                      Index("ix_orders_seller_status_created_id", "seller", "status", "created_at", "id"),
                      Index("ix_orders_delivery_type_created_id", "delivery_type", "created_at", "id"),
                      Index("ix_orders_lifecycle", "status", "periodic", "expires_at"),
                      Index("ix_orders_frozen_created_id", "created_at", "id",  # GET /orders?frozen=true
                            sqlite_where=_FROZEN, postgresql_where=_FROZEN))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    order_no: Mapped[str] = mapped_column(String(64), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    buyer: Mapped[str] = mapped_column(String(100))
    seller: Mapped[str] = mapped_column(String(100))
    placed_by: Mapped[str | None] = mapped_column(String(100))  # the platform principal; it sees only these
    product: Mapped[dict] = mapped_column(JSON)
    delivery_type: Mapped[str] = mapped_column(String(30))
    supervised: Mapped[bool] = mapped_column(Boolean)
    billing: Mapped[dict] = mapped_column(JSON)
    amount_paid: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    paid_at: Mapped[datetime]
    recipient: Mapped[dict | None] = mapped_column(JSON)
    milestones: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    rejection_count: Mapped[int] = mapped_column(Integer, default=0)
    actual_start_time: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    refund_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    app_info: Mapped[dict | None] = mapped_column(JSON)  # SaaS: front-end URL, admin URL, user name
    id_code: Mapped[str | None] = mapped_column(String(64), unique=True)  # License 1.0 identification code
    authcode: Mapped[str | None] = mapped_column(String(64), unique=True)  # License 2.0 authorization code
    authcode_claimed_at: Mapped[datetime | None]
    authcode_activated_at: Mapped[datetime | None]
    instance_id: Mapped[str | None] = mapped_column(String(64))  # the merchant's, from newInstance
    negotiated_refund_allowed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    shipment: Mapped[dict | None] = mapped_column(JSON)  # hardware: carrier, tracking number
    signed_at: Mapped[datetime | None]
    # while an appeal freezes the supervision: its instance's frozen_at, copied here in the same write
    # (appeals/cases.py) so the listing's `frozen` filter reads the orders' own index
    frozen_at: Mapped[datetime | None]
    audit_head_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # last event of the
    audit_head_hash: Mapped[str | None] = mapped_column(String(64))  # chain: a deleted tail is detectable
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    # the lifecycle after supervision (app/services/lifecycle): renewals, expiry, trials
    periodic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    trial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    trial_key: Mapped[str | None] = mapped_column(String(64), unique=True)  # one trial per buyer, product, spec
    expiry_policy: Mapped[dict | None] = mapped_column(JSON)  # {"policy", "period", "count", "remaining"}
    auto_renewals_left: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # the job's filter
    expires_at: Mapped[datetime | None]  # validity end with renewals, once known (the scheduler's index)
    expired_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]

    def instance_binding(self) -> dict:
        """The columns that bind a process instance and its tasks to this order (the runtime's subject)."""
        return {"order_id": self.id}

    def assignee_for(self, lane: str) -> str | None:
        """Who in `lane` owns a task of the order: its buyer or its seller (reviewers go by review role)."""
        return {"buyer": self.buyer, "seller": self.seller}.get(lane)


class LogisticsEvent(Base):
    """A hardware logistics update posted by the marketplace."""

    __tablename__ = "logistics_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # in_transit | signed
    at: Mapped[datetime]
    recipient_phone: Mapped[str | None] = mapped_column(String(30))
    phone_matches: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime]


class Task(Base):
    """A READY user task as the inbox sees it; rewritten with the instance state in one transaction."""

    __tablename__ = "task"
    # GET /tasks: filter, then the page order; the instance last, so leaving out frozen instances' tasks (and
    # counting an inbox of thousands) reads the index only
    __table_args__ = (Index("ix_task_inbox_assignee", "status", "role", "assignee", "created_at", "id",
                            "process_instance_id"),
                      Index("ix_task_inbox_review", "status", "role", "review_role", "created_at", "id",
                            "process_instance_id"),
                      Index("ix_task_ready_node", "status", "node_id", "order_id"),  # GET /orders?node=
                      # covers the statistics query: an instance's tasks without reading the table
                      Index("ix_task_statistics", "process_instance_id", "status", "node_id", "created_at",
                            "closed_at", "due_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task UUID
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True)  # None: an application's
    application_id: Mapped[str | None] = mapped_column(ForeignKey("purchase_application.id"), index=True)
    process_instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    node_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str]
    name_zh: Mapped[str | None]
    role: Mapped[str] = mapped_column(String(20))
    review_role: Mapped[str | None] = mapped_column(String(20))
    assignee: Mapped[str | None] = mapped_column(String(100))
    actions: Mapped[list] = mapped_column(JSON)
    forms: Mapped[dict] = mapped_column(JSON)  # action -> form schema name
    status: Mapped[str] = mapped_column(String(20))  # ready | completed | cancelled
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(100))
