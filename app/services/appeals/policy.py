"""Who may appeal when: named by the process (`appeal_policy` property), decided here."""
from datetime import timedelta

from app.errors import AppealNotAllowedError, ValidationFailedError
from app.clock import clock
from app.models import Order, ProcessInstance, Task
from app.actors import Actor
from app.services.core.definitions import parsed

SELLER_DWELL = timedelta(days=5)
MAX_REJECTIONS = 3
ACCEPTANCE_NODE = "confirm_acceptance"


def check_appeal_allowed(instance: ProcessInstance, order: Order, actor: Actor, ready: list[Task]) -> None:
    """Raise AppealNotAllowedError (saying when it becomes possible) unless the policy allows it now."""
    name = parsed(instance.definition).properties.get("appeal_policy", "default")
    policy = POLICIES.get(name)
    if policy is None:
        raise ValidationFailedError({"appeal_policy": [f"unknown appeal policy {name!r}"]})
    policy(order, actor, ready)


def _any_time(order: Order, actor: Actor, ready: list[Task]) -> None:
    return None


def _hardware(order: Order, actor: Actor, ready: list[Task]) -> None:
    """Buyer: seller side idle more than 5 days, or more than 3 rejections. Seller: at the acceptance node."""
    if actor.role == "seller":
        if not any(t.node_id == ACCEPTANCE_NODE for t in ready):
            raise AppealNotAllowedError("the seller may appeal once the order waits for the buyer's acceptance")
        return
    if order.rejection_count > MAX_REJECTIONS:
        return
    seller_since = min((t.created_at for t in ready if t.role == "seller"), default=None)
    if seller_since is not None and clock.now() - seller_since > SELLER_DWELL:
        return
    when = (f"after {(seller_since + SELLER_DWELL).isoformat()} (more than 5 days at the seller's side)"
            if seller_since else "once the order has been at the seller's side for more than 5 days")
    raise AppealNotAllowedError(f"the buyer may appeal {when}, or after more than {MAX_REJECTIONS} rejections "
                                f"({order.rejection_count} so far)")


POLICIES = {"default": _any_time, "hardware": _hardware}
