"""Who may see an order and who may act on a task: one place for the authorization matrix."""

from sqlalchemy import true

from app.errors import ForbiddenError, NotFoundError
from app.models import Order, Task
from app.actors import Actor

ALL_ORDERS = {"ops", "reviewer", "admin"}
PARTIES = {"buyer", "seller"}
OWN_ORDERS = {"buyer": Order.buyer, "seller": Order.seller, "platform": Order.placed_by}  # role -> whose
ACTING_ROLES = {"buyer", "seller", "reviewer"}
DIAGRAM_READERS = {"analyst"}  # they own the flows and migrate running orders (docs/decisions.md)


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise ForbiddenError(f"the {actor.role} role may not do this")


def is_party(actor: Actor, order: Order) -> bool:
    return (actor.role == "buyer" and order.buyer == actor.name) or \
        (actor.role == "seller" and order.seller == actor.name)


def owns(actor: Actor, order: Order) -> bool:
    """A party of the order, or the platform principal that placed it."""
    return is_party(actor, order) or (actor.role == "platform" and order.placed_by == actor.name)


def visible_order(session, actor: Actor, order_id: str) -> Order:
    """The order if the actor may see it; 404 for other buyers', sellers' and platforms' orders (no leak)."""
    if actor.role not in ALL_ORDERS and actor.role not in OWN_ORDERS:
        raise ForbiddenError(f"the {actor.role} role has no access to orders")
    order = session.get(Order, order_id)
    if order is None or (actor.role in OWN_ORDERS and not owns(actor, order)):
        raise NotFoundError("no such order")
    return order


def diagram_order(session, actor: Actor, order_id: str) -> Order:
    """The order whose live diagram the actor may see: one they may see, or any order for analysts."""
    if actor.role not in DIAGRAM_READERS:
        return visible_order(session, actor, order_id)
    order = session.get(Order, order_id)
    if order is None:
        raise NotFoundError("no such order")
    return order


def order_filter(actor: Actor):
    """SQL condition for the orders the actor may list."""
    if actor.role in ALL_ORDERS:
        return true()
    if actor.role in OWN_ORDERS:
        return OWN_ORDERS[actor.role] == actor.name
    raise ForbiddenError(f"the {actor.role} role has no access to orders")


def may_act(actor: Actor, task: Task) -> bool:
    """The task is in the actor's lane and meant for them (party name or review role)."""
    if task.role != actor.role:
        return False
    if actor.role == "reviewer":
        return task.review_role == actor.review_role
    return task.assignee == actor.name


def task_filter(actor: Actor):
    """SQL condition for the ready tasks the actor may complete."""
    if actor.role == "reviewer":
        return (Task.role == "reviewer") & (Task.review_role == actor.review_role)
    if actor.role in PARTIES:
        return (Task.role == actor.role) & (Task.assignee == actor.name)
    raise ForbiddenError(f"the {actor.role} role has no tasks")


