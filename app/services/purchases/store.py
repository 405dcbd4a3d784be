"""The Weaver cloud store's tenants (admin) and apps (their publishing sellers)."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.actors import Actor
from app.errors import ConflictError, NotFoundError, ValidationFailedError
from app.extensions import runtime
from app.models import App, Tenant
from app.services.core.access import authorize
from app.services.core.transaction import transaction


def create_tenant(actor: Actor, body: dict) -> Tenant:
    """An admin records a tenant: public cloud, or one environment of a private cloud (environment required)."""
    authorize(actor, "tenants.create")
    if body["cloud"] == "private" and not body.get("environment"):
        raise ValidationFailedError({"environment": ["a private-cloud tenant names its environment"]})
    try:
        return _create_tenant(body)
    except IntegrityError:  # a concurrent creation won the name or the environment's supervisor
        raise ConflictError(f"tenant {body['name']!r} or its environment's supervisor exists") from None


def _create_tenant(body: dict) -> Tenant:
    with transaction() as session:
        if session.get(Tenant, body["name"]) is not None:
            raise ConflictError(f"a tenant named {body['name']!r} exists")
        if body["supervisor"] and body.get("environment") and _supervisor_of(session, body["environment"]):
            raise ConflictError(f"environment {body['environment']!r} has its supervisor-level tenant")
        tenant = Tenant(name=body["name"], cloud=body["cloud"], environment=body.get("environment"),
                        supervisor=body["supervisor"], created_at=runtime.clock.now())
        session.add(tenant)
        return tenant


def _supervisor_of(session, environment: str) -> Tenant | None:
    return session.scalars(select(Tenant).where(Tenant.environment == environment,
                                                Tenant.supervisor.is_(True))).first()


def publish_app(actor: Actor, body: dict) -> App:
    """A seller publishes a paid app; a special (专项) app cannot offer a trial (422)."""
    authorize(actor, "apps.publish")
    if body["special"] and body["trial"]:
        raise ValidationFailedError({"trial": ["a special app offers no limited-time trial"]})
    with transaction() as session:
        if session.get(App, body["app_id"]) is not None:
            raise ConflictError(f"an app {body['app_id']!r} exists")
        app = App(app_id=body["app_id"], name=body["name"], publisher=actor.name, special=body["special"],
                  trial=body["trial"], contact=body.get("contact") or {"name": actor.name},
                  created_at=runtime.clock.now())
        session.add(app)
        return app


def tenant_named(session, name: str | None) -> Tenant:
    tenant = session.get(Tenant, name) if name else None
    if tenant is None:
        raise NotFoundError("no such tenant")
    return tenant


def environment_tenants(session, tenant: Tenant) -> list[Tenant]:
    """The tenant and the other tenants of its environment (its sub tenants); a tenant without one: itself."""
    if tenant.environment is None:
        return [tenant]
    return list(session.scalars(select(Tenant).where(Tenant.environment == tenant.environment,
                                                     Tenant.cloud == tenant.cloud).order_by(Tenant.name)))
