"""What each decision of a purchase application does: the application's status, its entitlements, the
applicant's notification (domain.md §7; weaver-purchase.zh.txt 三, 四)."""
from datetime import timedelta, timezone

import isodate

from app.actors import Actor
from app.errors import ValidationFailedError
from app.extensions import runtime
from app.models import PurchaseApplication, Tenant
from app.services.core.notifications import notify
from app.services.purchases.entitlements import covering, grant, today
from app.services.purchases.store import environment_tenants, tenant_named

def trial_period() -> timedelta:
    return isodate.parse_duration(runtime.settings["WEAVER_TRIAL_PERIOD"])


def grant_trial(session, application: PurchaseApplication, tenant: Tenant, actor: Actor) -> None:
    """限时体验: approved at once, free use for the trial period (7 days) from now."""
    expires_on = (runtime.clock.now() + trial_period()).astimezone(timezone.utc).date()
    seats = {"pc_seats": application.pc_seats or 0, "mobile_seats": application.mobile_seats or 0,
             "expires_on": expires_on}
    grant(session, application, tenant, seats, trial=True, covers_environment=tenant.cloud == "private")
    _decide(session, application, "approved", {**jsonable(seats), "trial": True})


def check_future(values: dict) -> None:
    if values["expires_on"] <= today():
        raise ValidationFailedError({"expires_on": ["must be a date in the future"]})


def approve(session, application: PurchaseApplication, values: dict) -> None:
    """Business staff set seats and expiry; a renewal waits for ops to adjust the user counts by hand."""
    check_future(values)
    tenant = tenant_named(session, application.tenant)
    seats = {k: values[k] for k in ("pc_seats", "mobile_seats", "expires_on")}
    grant(session, application, tenant, seats, covers_environment=tenant.cloud == "private",
          pending_adjustment=application.kind == "renewal")
    _decide(session, application, "approved", jsonable(seats))


def reject(session, application: PurchaseApplication, values: dict) -> None:
    _decide(session, application, "rejected", {"reason": values["reason"]})


def record_license(session, application: PurchaseApplication, values: dict) -> None:
    """Ops loaded the special app's licence file: its seats and expiry bound the distribution."""
    check_future(values)
    licence = {k: values[k] for k in ("pc_seats", "mobile_seats", "expires_on")}
    application.decision = {"license": {**jsonable(licence), "attachments": values.get("attachments", [])}}


def distribute(session, application: PurchaseApplication, values: dict) -> None:
    """The applicant splits the licence over its main and sub tenants; the sums stay within the licence."""
    licence = (application.decision or {})["license"]
    allocations = values["allocations"]
    tenants = {t.name: t for t in environment_tenants(session, tenant_named(session, application.tenant))}
    errors = _allocation_errors(allocations, tenants, licence)
    if errors:
        raise ValidationFailedError(errors)
    expires_on = isodate.parse_date(licence["expires_on"])
    for allocation in allocations:
        seats = {"pc_seats": allocation["pc_seats"], "mobile_seats": allocation["mobile_seats"],
                 "expires_on": expires_on}
        grant(session, application, tenants[allocation["tenant"]], seats)
    _decide(session, application, "approved", {"license": licence, "allocations": allocations})


def _allocation_errors(allocations: list[dict], tenants: dict, licence: dict) -> dict:
    errors = {}
    names = [a["tenant"] for a in allocations]
    outside = sorted(set(names) - set(tenants))
    if outside:
        errors["allocations"] = [f"not the main tenant or one of its sub tenants: {', '.join(outside)}"]
    elif len(set(names)) != len(names):
        errors["allocations"] = ["each tenant once"]
    for kind in ("pc_seats", "mobile_seats"):
        if sum(a[kind] for a in allocations) > licence[kind]:
            errors.setdefault("allocations", []).append(f"{kind} add up to more than the licence's {licence[kind]}")
    return errors


def seats_adjusted(session, application: PurchaseApplication, values: dict) -> None:
    """Ops updated the tenant platform's user counts by hand (四.4 注, 七.3)."""
    found = covering(session, tenant_named(session, application.tenant), application.app_id)
    if found is not None and found.application_id == application.id:
        found.seats_pending_adjustment = False
    application.decision = {**(application.decision or {}), "seats_adjusted_at": runtime.clock.now().isoformat()}


def _decide(session, application: PurchaseApplication, status: str, decision: dict) -> None:
    application.status, application.decided_at = status, runtime.clock.now()
    application.decision = decision
    reason = f": {decision['reason']}" if decision.get("reason") else ""
    notify(session, application.applicant, f"application_{status}",
           f"Your {application.kind} application for app {application.app_id} was {status}{reason}.",
           ref=f"application:{application.id}", dedupe_key=f"application:{application.id}:{status}")


def jsonable(values: dict) -> dict:
    """Form values (dates) as plain JSON for task data and the application's decision."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}


EFFECTS = {"approve": approve, "reject": reject, "upload_license_file": record_license,
           "distribute_seats": distribute, "seats_adjusted": seats_adjusted}
