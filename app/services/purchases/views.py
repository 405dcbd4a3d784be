"""The purchase-application resource as one caller sees it, and which applications a caller may see.

Contacts (weaver-purchase.zh.txt 一, 联系信息互通): the applicant's tenant and staff always see the applicant's
contact, the publisher and staff the publisher's; after approval each side also sees the other's."""
from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import select

from app.actors import Actor
from app.errors import NotFoundError
from app.models import App, ProcessInstance, PurchaseApplication, Task
from app.services.core.access import (allowed, application_filter, authorize, may_act, may_see_application)
from app.services.core.transaction import Page, paginate, transaction
from app.services.core.views import RowView
from app.services.fulfilment.order_view import AvailableAction, Node


@dataclass(frozen=True)
class ApplicationView(RowView):
    extends = "application"
    application: PurchaseApplication
    app: App
    nodes: list[Node]
    available_actions: list[AvailableAction]
    contact: dict | None
    publisher_contact: dict | None

    @property
    def seats_pending_adjustment(self) -> bool:
        return any(n.id == "adjust_seats" for n in self.nodes)

    @property
    def reason(self) -> str | None:
        return (self.application.decision or {}).get("reason")


def visible_application(session, actor: Actor, application_id: str) -> tuple[PurchaseApplication, App]:
    """The application and its app, or 404 when the caller may not see it (no leak)."""
    authorize(actor, "applications.read")
    application = session.get(PurchaseApplication, application_id)
    app = session.get(App, application.app_id) if application is not None else None
    if app is None or not may_see_application(actor, application, app):
        raise NotFoundError("no such purchase application")
    return application, app


def instance_of(session, application_id: str) -> ProcessInstance | None:
    return session.scalars(select(ProcessInstance).where(ProcessInstance.application_id == application_id)).first()


def present_applications(session, applications: list[PurchaseApplication], actor: Actor) -> list[ApplicationView]:
    """Applications as `actor` sees them: their apps and ready tasks in one query each."""
    if not applications:
        return []
    ids = [a.id for a in applications]
    apps = {a.app_id: a for a in session.scalars(select(App).where(App.app_id.in_({a.app_id for a in applications})))}
    tasks = defaultdict(list)
    for task in session.scalars(select(Task).where(Task.application_id.in_(ids), Task.status == "ready")
                                .order_by(Task.created_at)):
        tasks[task.application_id].append(task)
    return [_view(a, apps[a.app_id], tasks[a.id], actor) for a in applications]


def present_application(session, application: PurchaseApplication, actor: Actor) -> ApplicationView:
    return present_applications(session, [application], actor)[0]


def _view(application: PurchaseApplication, app: App, tasks: list[Task], actor: Actor) -> ApplicationView:
    nodes = [Node(t.node_id, t.name, t.name_zh, t.role, t.id, t.created_at) for t in tasks]
    actions = [AvailableAction(a, t.id) for t in tasks if may_act(actor, t) for a in t.actions]
    staff, approved = allowed(actor, "applications.read_all"), application.status == "approved"
    publisher = actor.name == app.publisher
    contact = application.contact if staff or not publisher or approved else None
    publisher_contact = app.contact if staff or publisher or approved else None
    return ApplicationView(application, app, nodes, actions, contact, publisher_contact)


def get_application(actor: Actor, application_id: str) -> ApplicationView:
    with transaction(readonly=True) as session:
        application, _ = visible_application(session, actor, application_id)
        return present_application(session, application, actor)


def list_applications(actor: Actor, filters: dict, page: int, page_size: int) -> Page:
    """The caller's applications (buyer: its tenant's; seller: of its apps; staff: all), newest first."""
    authorize(actor, "applications.read")
    with transaction(readonly=True) as session:
        query = (select(PurchaseApplication).join(App, App.app_id == PurchaseApplication.app_id)
                 .where(application_filter(actor, App, PurchaseApplication))
                 .order_by(PurchaseApplication.created_at.desc(), PurchaseApplication.id))
        for name in ("status", "kind", "app_id"):
            if filters.get(name):
                query = query.where(getattr(PurchaseApplication, name) == filters[name])
        found = paginate(session, query, page, page_size, lambda a: a)
        return replace(found, items=present_applications(session, found.items, actor))
