"""Entitlements: what a tenant may install (domain.md §7; weaver-purchase.zh.txt 四.2 私有云).

On a private cloud the approved supervisor-level tenant's entitlement covers every tenant of its environment
and no other; an entitlement is `expired` from its `expires_on` (a UTC date) on."""
from dataclasses import dataclass
from datetime import date, timezone

from sqlalchemy import or_, select, true

from app.actors import Actor
from app.errors import ValidationFailedError
from app.extensions import runtime
from app.models import App, Entitlement, PurchaseApplication, Tenant
from app.services.core.access import allowed, authorize
from app.services.core.transaction import transaction
from app.services.core.views import RowView
from app.services.purchases.store import tenant_named


def today() -> date:
    """The UTC date now: an entitlement is usable before its `expires_on`, expired from that day on."""
    return runtime.clock.now().astimezone(timezone.utc).date()


def is_expired(entitlement: Entitlement) -> bool:
    return entitlement.expires_on <= today()


@dataclass(frozen=True)
class EntitlementView(RowView):
    extends = "entitlement"
    entitlement: Entitlement

    @property
    def status(self) -> str:
        return "expired" if is_expired(self.entitlement) else "active"


def covering_filter(tenant: Tenant):
    """SQL condition for the entitlements that cover `tenant`: its own, and on a private cloud its environment's."""
    own = Entitlement.tenant == tenant.name
    if tenant.cloud != "private":
        return own
    return or_(own, (Entitlement.environment == tenant.environment) & Entitlement.covers_environment.is_(True))


def covering(session, tenant: Tenant, app_id: str) -> Entitlement | None:
    """The entitlement of the app that covers the tenant (its own first), or None."""
    found = session.scalars(select(Entitlement).where(Entitlement.app_id == app_id, covering_filter(tenant))
                            .order_by((Entitlement.tenant == tenant.name).desc(), Entitlement.id)).first()
    return found


def grant(session, application: PurchaseApplication, tenant: Tenant, seats: dict, *, trial: bool = False,
          covers_environment: bool = False, pending_adjustment: bool = False) -> Entitlement:
    """Create or replace the tenant's entitlement of the application's app (one per app and tenant)."""
    found = session.scalars(select(Entitlement).where(Entitlement.app_id == application.app_id,
                                                      Entitlement.tenant == tenant.name)).first()
    if found is None:
        found = Entitlement(app_id=application.app_id, tenant=tenant.name)
        session.add(found)
    found.environment, found.covers_environment = tenant.environment, covers_environment
    found.pc_seats, found.mobile_seats, found.expires_on = seats["pc_seats"], seats["mobile_seats"], seats["expires_on"]
    found.trial, found.seats_pending_adjustment = trial, pending_adjustment
    found.application_id, found.updated_at = application.id, runtime.clock.now()
    return found


def list_entitlements(actor: Actor) -> list[EntitlementView]:
    """Buyer: what its tenant may install; staff: every entitlement."""
    authorize(actor, "entitlements.read")
    with transaction(readonly=True) as session:
        if allowed(actor, "entitlements.read_all"):
            mine = true()
        else:
            tenant = session.get(Tenant, actor.tenant) if actor.tenant else None
            mine = covering_filter(tenant) if tenant is not None else Entitlement.id.is_(None)
        rows = session.scalars(select(Entitlement).where(mine).order_by(Entitlement.app_id, Entitlement.tenant))
        return [EntitlementView(e) for e in rows]


def check(actor: Actor, app_id: str) -> dict:
    """Whether the buyer's tenant may install the app now, and why not."""
    authorize(actor, "entitlements.check")
    with transaction(readonly=True) as session:
        if session.get(App, app_id) is None:
            raise ValidationFailedError({"app_id": ["no such app"]})
        if actor.tenant is None:
            return {"can_install": False, "why_not": "no_tenant"}
        found = covering(session, tenant_named(session, actor.tenant), app_id)
        if found is None:
            return {"can_install": False, "why_not": "no_entitlement"}
        if is_expired(found):
            return {"can_install": False, "why_not": "expired"}
        return {"can_install": True, "why_not": None}
