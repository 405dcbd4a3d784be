"""PUT /orders/{id}/expiry-policy (the buyer, 修改到期策略 §4.3.3) and the auto-renewal job.

`auto_renew` with a period and a count: the scheduler renews the order AUTO_RENEW_LEAD (config, P7D)
before validity ends, `count` times, each a renewal record of kind `auto_renewal` priced like the order
(the marketplace charges it). `do_not_renew`: no renewal and no reminders (§4.3.3)."""
from decimal import Decimal

import isodate

from app.actors import SYSTEM, Actor
from app.errors import ConflictError, ForbiddenError, ValidationFailedError
from app.extensions import runtime
from app.models import Order
from app.services.core import audit
from app.services.core.access import authorize, visible_order
from app.services.core.transaction import transaction
from app.services.fulfilment.order_view import OrderView, present_order
from app.services.lifecycle.jobs import each_due
from app.services.lifecycle.stack import add_renewal, lock_order_row, renewals_of

AUTO_RENEWABLE = ("saas", "image", "manual_service", "license")  # §4.3.2.1
OPEN = ("processing", "completed", "expired")
AUTO = "auto_renewal"


def set_expiry_policy(actor: Actor, order_id: str, body: dict) -> OrderView:
    """The order's buyer chooses auto-renewal (period, count) or no renewal at expiry."""
    authorize(actor, "orders.expiry_policy")
    with transaction() as session:
        order = visible_order(session, actor, order_id)
        if order.buyer != actor.name:
            raise ForbiddenError("only the order's buyer sets its expiry policy")
        order = lock_order_row(session, order.id)
        _check(order, body)
        auto = body["policy"] == "auto_renew"
        order.expiry_policy = {"policy": body["policy"], "period": body.get("period"), "count": body.get("count"),
                               "remaining": body["count"] if auto else None}
        order.auto_renewals_left = body["count"] if auto else 0
        audit.record(session, order.id, actor, "expiry_policy_changed", data=dict(order.expiry_policy))
        return present_order(session, order, actor)


def _check(order: Order, body: dict) -> None:
    if not order.periodic or order.delivery_type not in AUTO_RENEWABLE:
        raise ValidationFailedError({"policy": ["only periodic SaaS, image, manual service and License orders "
                                                "have an expiry policy"]})
    if order.trial and body["policy"] == "auto_renew":
        raise ValidationFailedError({"policy": ["a trial is converted, not renewed automatically"]})
    if order.status not in OPEN:
        raise ConflictError(f"a {order.status} order has no expiry policy to change")


def run_auto_renewals() -> int:
    """Renew each auto-renew order whose end is within AUTO_RENEW_LEAD; returns how many were renewed."""
    def due(now):
        lead = isodate.parse_duration(runtime.settings["AUTO_RENEW_LEAD"])
        return [Order.status.in_(("completed", "expired")), Order.periodic.is_(True),
                Order.auto_renewals_left > 0, Order.expires_at <= now + lead]
    return each_due("auto_renew", due, _renew)


def _renew(session, order: Order) -> bool:
    policy = dict(order.expiry_policy or {})
    number = 1 + sum(r.kind == AUTO for r in renewals_of(session, order.id))  # unique: one renewal per run
    add_renewal(session, order, SYSTEM, AUTO, f"AUTO-{order.id}-{number}", policy["period"],
                Decimal(order.amount_paid), runtime.clock.now(), "auto")
    order.auto_renewals_left -= 1
    order.expiry_policy = {**policy, "remaining": order.auto_renewals_left}
    return True
