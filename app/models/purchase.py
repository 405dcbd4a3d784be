"""The Weaver cloud store (docs/decisions.md, "Weaver purchase applications"): tenants, the apps sellers
publish, the tenants' purchase applications (each runs a process instance of kind `purchase`) and the
entitlements an approval grants."""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, new_id

_SUPERVISORS = text("supervisor")
_TRIALS = text("kind = 'trial'")


class Tenant(Base):
    """A tenant (租户/团队) of a public cloud, or of one private-cloud environment."""

    __tablename__ = "tenant"
    __table_args__ = (Index("uq_tenant_environment_supervisor", "environment", unique=True,  # one per environment
                            sqlite_where=_SUPERVISORS, postgresql_where=_SUPERVISORS),)

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    cloud: Mapped[str] = mapped_column(String(10))  # public | private
    environment: Mapped[str | None] = mapped_column(String(100), index=True)  # required on a private cloud
    supervisor: Mapped[bool] = mapped_column(Boolean)  # 主管级租户: 主管理组织 switched on
    created_at: Mapped[datetime]


class App(Base):
    """A paid app of the store; `special` (专项) apps are licensed through a licence file, never trialled."""

    __tablename__ = "store_app"

    app_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    publisher: Mapped[str] = mapped_column(String(100))  # the seller principal that published it
    special: Mapped[bool] = mapped_column(Boolean)
    trial: Mapped[bool] = mapped_column(Boolean)
    contact: Mapped[dict] = mapped_column(JSON)  # the publisher's contact, shown to approved applicants
    created_at: Mapped[datetime]


class PurchaseApplication(Base):
    """A tenant's application to buy, trial or renew an app; its process decides it."""

    __tablename__ = "purchase_application"
    # one trial per app and tenant, also against racing requests (on a private cloud only the environment's
    # one supervisor applies, so this is one trial per environment there)
    __table_args__ = (Index("uq_purchase_application_trial", "app_id", "tenant", unique=True,
                            sqlite_where=_TRIALS, postgresql_where=_TRIALS),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    app_id: Mapped[str] = mapped_column(ForeignKey("store_app.app_id"), index=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenant.name"), index=True)
    applicant: Mapped[str] = mapped_column(String(100))  # the buyer principal that applied
    kind: Mapped[str] = mapped_column(String(10))  # purchase | trial | renewal
    status: Mapped[str] = mapped_column(String(10))  # pending | approved | rejected
    contact: Mapped[dict] = mapped_column(JSON)
    pc_seats: Mapped[int | None] = mapped_column(Integer)  # what the applicant asked for
    mobile_seats: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[dict | None] = mapped_column(JSON)  # seats and expiry granted, or the rejection's reason
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]

    def instance_binding(self) -> dict:
        """The columns that bind a process instance and its tasks to this application."""
        return {"application_id": self.id}

    def assignee_for(self, lane: str) -> str | None:
        """Who in `lane` owns a task: the applicant its own; business and ops staff share theirs."""
        return self.applicant if lane == "buyer" else None


class Entitlement(Base):
    """What a tenant may install: seats and expiry of one app. On a private cloud the approved supervisor's
    entitlement (`covers_environment`) covers every tenant of its environment."""

    __tablename__ = "entitlement"
    __table_args__ = (UniqueConstraint("app_id", "tenant", name="uq_entitlement_app_tenant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[str] = mapped_column(ForeignKey("store_app.app_id"))
    tenant: Mapped[str] = mapped_column(ForeignKey("tenant.name"), index=True)
    environment: Mapped[str | None] = mapped_column(String(100), index=True)
    covers_environment: Mapped[bool] = mapped_column(Boolean)
    pc_seats: Mapped[int] = mapped_column(Integer)
    mobile_seats: Mapped[int] = mapped_column(Integer)
    expires_on: Mapped[date] = mapped_column(Date)
    trial: Mapped[bool] = mapped_column(Boolean)
    seats_pending_adjustment: Mapped[bool] = mapped_column(Boolean)
    application_id: Mapped[str] = mapped_column(ForeignKey("purchase_application.id"))  # the last that set it
    updated_at: Mapped[datetime]
