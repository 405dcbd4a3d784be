"""The authorization policy, as data: which roles hold each permission, and whose orders and tasks are whose.

Every policy decision of the services comes from the tables below (docs/api-contract.md, "Principals and
authentication"); views only authenticate. tests/unit/test_access_policy.py checks them row by row."""

from sqlalchemy import true

from app.actors import ADMIN, ANALYST, BUSINESS, BUYER, OPS, PLATFORM, REVIEWER, ROLES, SELLER, Actor
from app.errors import ForbiddenError, NotFoundError
from app.models import Order, Task

POLICY: dict[str, frozenset[str]] = {
    "orders.place": frozenset({PLATFORM}),
    "orders.read": frozenset({BUYER, SELLER, PLATFORM, OPS, REVIEWER, ADMIN}),  # own orders, or all below
    "orders.read_all": frozenset({OPS, REVIEWER, ADMIN}),
    "orders.read_any_diagram": frozenset({ANALYST}),  # they own the flows and migrate orders (docs/decisions.md)
    "orders.read_authcode": frozenset(set(ROLES) - {SELLER, BUSINESS}),  # the buyer hands it to the seller
    "orders.read_engine_error": frozenset({OPS, ADMIN, ANALYST}),  # parties only learn that ops are on it
    "orders.evidence": frozenset({BUYER, SELLER, OPS, ADMIN}),  # the evidence bundle: parties (own orders), staff
    "orders.appeal": frozenset({BUYER, SELLER}),  # and only a party of the order (PARTY_COLUMN)
    "tasks.complete": frozenset({BUYER, SELLER, REVIEWER}),  # orders' and refunds' tasks they own (TASK_OWNER)
    "tasks.inbox": frozenset({BUYER, SELLER, REVIEWER, BUSINESS, OPS}),  # GET /tasks: also the store's staff
    # the Weaver cloud store (docs/decisions.md, "Weaver purchase applications")
    "tenants.create": frozenset({ADMIN}),
    "apps.publish": frozenset({SELLER}),  # it becomes the app's publisher
    "applications.apply": frozenset({BUYER}),  # a buyer with a tenant, for that tenant
    "applications.read": frozenset({BUYER, SELLER, BUSINESS, OPS, ADMIN}),  # buyer: its tenant's; seller: its apps'
    "applications.read_all": frozenset({BUSINESS, OPS, ADMIN}),
    "applications.act": frozenset({BUYER, BUSINESS, OPS}),  # the applicant, business staff, ops: their lane's tasks
    "entitlements.read": frozenset({BUYER, BUSINESS, OPS, ADMIN}),  # buyer: what its tenant may install
    "entitlements.read_all": frozenset({BUSINESS, OPS, ADMIN}),
    "entitlements.check": frozenset({BUYER}),
    "refunds.request": frozenset({BUYER}),  # for their own orders
    "refunds.options": frozenset({BUYER, OPS, ADMIN}),  # the buyer of the order, or staff
    "refunds.read": frozenset({BUYER, SELLER, OPS, ADMIN}),  # buyer: own, seller: of own orders
    "refunds.read_all": frozenset({OPS, ADMIN}),
    "refunds.appeal": frozenset({BUYER}),  # the refund's buyer, once the seller sat on it for 10 days
    "accounts.read_own": frozenset({BUYER}),  # balance and ledger; also the five-day quota
    "appeals.list": frozenset({OPS, ADMIN}),
    "appeals.claim": frozenset({OPS}),
    "appeals.resolve": frozenset({OPS}),
    "logistics.record": frozenset({PLATFORM}),  # for orders it placed
    "authcodes.activate": frozenset({SELLER}),  # codes of its own orders
    "attachments.read_all": frozenset({OPS, REVIEWER, ADMIN}),  # others: their uploads and their orders'
    "definitions.read": frozenset({ANALYST, OPS, ADMIN}),
    "definitions.statistics": frozenset({ANALYST, OPS}),  # where orders wait, per node
    "definitions.deploy": frozenset({ANALYST, ADMIN}),  # deploy, choose the current version
    "definitions.migrate": frozenset({ANALYST, ADMIN}),
    "principals.create": frozenset({ADMIN}),
    "invoices.apply": frozenset({BUYER}),  # for its own orders
    "invoices.withdraw": frozenset({BUYER}),  # its application, before it is issued
    "invoices.return": frozenset({BUYER}),
    "invoices.issue": frozenset({PLATFORM, SELLER}),  # and only for the invoice's issuer (ISSUER_ROLE)
    "invoices.confirm_return": frozenset({PLATFORM, SELLER}),  # likewise
    "invoices.read": frozenset({BUYER, SELLER, PLATFORM, OPS, ADMIN}),  # of orders they may read
    "merchant.production_interface": frozenset({SELLER, ADMIN}),  # a seller its own (SELF_ONLY)
    "merchant.access_keys": frozenset({SELLER, ADMIN}),  # likewise
    "callbacks.read": frozenset({SELLER, OPS, ADMIN}),  # sellers: their own
    "callbacks.read_all": frozenset({OPS, ADMIN}),
    "callbacks.retry": frozenset({SELLER, OPS}),  # sellers: their own
    "notifications.read": frozenset(ROLES),  # everyone reads and marks their own, only their own
}
PERMISSIONS = tuple(POLICY)

OWNER_COLUMN = {BUYER: "buyer", SELLER: "seller", PLATFORM: "placed_by"}  # role -> Order column naming the owner
PARTY_COLUMN = {BUYER: "buyer", SELLER: "seller"}  # the parties of an order (they appeal, they hold tasks)
ISSUER_ROLE = {"platform": PLATFORM, "seller": SELLER}  # an invoice's issuer -> the role acting for it
SELF_ONLY = frozenset({SELLER})  # roles that hold a merchant.* permission for their own name only
TASK_OWNER = {BUYER: ("assignee", "name"), SELLER: ("assignee", "name"),  # role -> (Task column, Actor field)
              REVIEWER: ("review_role", "review_role"),
              BUSINESS: ("role", "role"), OPS: ("role", "role")}  # staff share their lane's tasks


def allowed(actor: Actor, permission: str) -> bool:
    """Whether the actor's role holds the permission (an unknown permission is a bug, not a refusal)."""
    return actor.role in POLICY[permission]


def authorize(actor: Actor, permission: str) -> None:
    """Raise ForbiddenError (403) unless the actor's role holds the permission."""
    if not allowed(actor, permission):
        raise ForbiddenError(f"the {actor.role} role may not do this ({permission})")


def authorize_self(actor: Actor, permission: str, name: str) -> None:
    """The permission, and for SELF_ONLY roles only about themselves (403 otherwise)."""
    authorize(actor, permission)
    if actor.role in SELF_ONLY and actor.name != name:
        raise ForbiddenError(f"a {actor.role} may do this only for itself ({permission})")


def is_party(actor: Actor, order: Order) -> bool:
    """The buyer or the seller named on the order."""
    column = PARTY_COLUMN.get(actor.role)
    return column is not None and getattr(order, column) == actor.name


def owns(actor: Actor, order: Order) -> bool:
    """A party of the order, or the platform principal that placed it."""
    column = OWNER_COLUMN.get(actor.role)
    return column is not None and getattr(order, column) == actor.name


def may_read(actor: Actor, order: Order) -> bool:
    """Staff read every order; buyers, sellers and platforms the ones they own."""
    return allowed(actor, "orders.read_all") or (allowed(actor, "orders.read") and owns(actor, order))


def visible_order(session, actor: Actor, order_id: str) -> Order:
    """The order if the actor may see it; 404 for other buyers', sellers' and platforms' orders (no leak)."""
    authorize(actor, "orders.read")
    order = session.get(Order, order_id)
    if order is None or not may_read(actor, order):
        raise NotFoundError("no such order")
    return order


def diagram_order(session, actor: Actor, order_id: str) -> Order:
    """The order whose live diagram the actor may see: one they may see, or any order for analysts."""
    if not allowed(actor, "orders.read_any_diagram"):
        return visible_order(session, actor, order_id)
    order = session.get(Order, order_id)
    if order is None:
        raise NotFoundError("no such order")
    return order


def order_filter(actor: Actor):
    """SQL condition for the orders the actor may list."""
    authorize(actor, "orders.read")
    if allowed(actor, "orders.read_all"):
        return true()
    return getattr(Order, OWNER_COLUMN[actor.role]) == actor.name


def may_act(actor: Actor, task: Task) -> bool:
    """The task is in the actor's lane and meant for them (party name or review role); an application's
    task under applications.act, an order's under tasks.complete."""
    permission = "applications.act" if task.application_id is not None else "tasks.complete"
    if not allowed(actor, permission) or task.role != actor.role:
        return False
    column, field = TASK_OWNER[actor.role]
    return getattr(task, column) == getattr(actor, field)


def task_filter(actor: Actor):
    """SQL condition for the ready tasks the actor may complete (its inbox)."""
    authorize(actor, "tasks.inbox")
    column, field = TASK_OWNER[actor.role]
    return (Task.role == actor.role) & (getattr(Task, column) == getattr(actor, field))


def may_see_application(actor: Actor, application, app) -> bool:
    """Staff see every application; a buyer its tenant's, a seller those of the apps it published."""
    if allowed(actor, "applications.read_all"):
        return True
    if not allowed(actor, "applications.read"):
        return False
    if actor.role == SELLER:
        return app.publisher == actor.name
    return actor.tenant is not None and application.tenant == actor.tenant


def application_filter(actor: Actor, app_model, application_model):
    """SQL condition for the applications the actor may list (join the app for sellers)."""
    authorize(actor, "applications.read")
    if allowed(actor, "applications.read_all"):
        return true()
    if actor.role == SELLER:
        return app_model.publisher == actor.name
    return application_model.tenant == (actor.tenant or "")
