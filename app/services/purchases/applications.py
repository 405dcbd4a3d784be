"""Applying to buy, trial or renew an app of the Weaver store: the store's rules, then the application's process.

Rules (weaver-purchase.zh.txt; docs/shared domain.md §7): on a private cloud only the environment's
supervisor-level tenant applies (四.2, 七.1); special apps have no trial (四.5 注); one trial per app and
tenant, per environment on a private cloud (七.2); a renewal renews an entitlement (四.4)."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.actors import SYSTEM, Actor
from app.errors import ApplicationNotAllowedError, ValidationFailedError, WorkflowError
from app.extensions import runtime
from app.models import App, PurchaseApplication, Tenant
from app.models.process import PURCHASE
from app.services.core.access import authorize
from app.services.core.runtime import records_engine_failures, start_instance
from app.services.core.transaction import transaction
from app.services.purchases.entitlements import covering
from app.services.purchases.outcomes import grant_trial
from app.services.purchases.store import tenant_named
from app.services.purchases.views import ApplicationView, present_application

PROCESS_KEYS = {"purchase": "purchase_application", "trial": "purchase_trial", "renewal": "purchase_renewal"}
TRIAL_USED = "this tenant (on a private cloud: this environment) already had a trial of this app"
SPECIAL_PROCESS = "purchase_special"  # a special app's purchase and renewal: a licence file (四.1, 四.4)


@records_engine_failures
def apply(actor: Actor, body: dict) -> ApplicationView:
    """A buyer of a tenant applies; a refused application leaves nothing behind (409 application_not_allowed)."""
    authorize(actor, "applications.apply")
    try:
        return _apply(actor, body)
    except IntegrityError:  # a concurrent trial of the same app by the same tenant won the insert
        raise ApplicationNotAllowedError(TRIAL_USED, reason="trial_used") from None


def _apply(actor: Actor, body: dict) -> ApplicationView:
    with transaction() as session:
        app = session.get(App, body["app_id"])
        if app is None:
            raise ValidationFailedError({"app_id": ["no such app"]})
        if actor.tenant is None:
            raise ApplicationNotAllowedError("the applicant belongs to no tenant of the store", reason="no_tenant")
        tenant = tenant_named(session, actor.tenant)
        refuse_if_not_allowed(session, tenant, app, body["kind"])
        application = PurchaseApplication(
            app_id=app.app_id, tenant=tenant.name, applicant=actor.name, kind=body["kind"], status="pending",
            contact=body.get("contact") or {}, pc_seats=body.get("pc_seats"), mobile_seats=body.get("mobile_seats"),
            note=body.get("note"), created_at=runtime.clock.now())
        session.add(application)
        session.flush()
        _start(session, application, app, tenant)
        return present_application(session, application, actor)


def _start(session, application: PurchaseApplication, app: App, tenant: Tenant) -> None:
    key = SPECIAL_PROCESS if app.special else PROCESS_KEYS[application.kind]
    data = {"application_id": application.id, "app_id": app.app_id, "tenant": tenant.name,
            "application_kind": application.kind, "special": app.special}
    instance, _ = start_instance(session, application, key, data, kind=PURCHASE)
    if instance.status == "error":
        raise WorkflowError(f"the application's process failed to start: {(instance.error or {}).get('message')}")
    if application.kind == "trial":  # the automatic review (四.5: 自动审核)
        grant_trial(session, application, tenant, SYSTEM)


def refuse_if_not_allowed(session, tenant: Tenant, app: App, kind: str) -> None:
    """Raise ApplicationNotAllowedError, with the rule in `detail`, when the store refuses the application."""
    if tenant.cloud == "private" and not tenant.supervisor:
        raise ApplicationNotAllowedError(
            "on a private cloud only the environment's supervisor-level tenant may apply", reason="not_supervisor")
    if kind == "trial":
        _refuse_trial(session, tenant, app)
    if kind == "renewal":
        found = covering(session, tenant, app.app_id)
        if found is None or found.trial:
            raise ApplicationNotAllowedError("a renewal needs an entitlement of the app (a trial is followed by "
                                             "a purchase, not a renewal)", reason="no_entitlement")


def _refuse_trial(session, tenant: Tenant, app: App) -> None:
    if app.special:
        raise ApplicationNotAllowedError("a special app has no limited-time trial", reason="special_app")
    if not app.trial:
        raise ApplicationNotAllowedError("the publisher offers no limited-time trial of this app", reason="no_trial")
    same = PurchaseApplication.tenant == tenant.name
    if tenant.cloud == "private":
        same = PurchaseApplication.tenant.in_(select(Tenant.name).where(Tenant.environment == tenant.environment))
    earlier = session.scalar(select(PurchaseApplication.id).where(
        same, PurchaseApplication.app_id == app.app_id, PurchaseApplication.kind == "trial"))
    if earlier is not None:
        raise ApplicationNotAllowedError(TRIAL_USED, reason="trial_used")
