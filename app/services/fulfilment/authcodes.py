"""License 2.0: the seller activates the buyer's claimed authorization code (the open API)."""
from datetime import datetime

from sqlalchemy import select

from app.errors import ConflictError, NotFoundError, OrderFrozenError, ValidationFailedError
from app.extensions import runtime
from app.models import Order
from app.services.core import audit
from app.services.core.access import authorize
from app.actors import Actor
from app.services.fulfilment.order_view import OrderView, present_order
from app.services.core.transaction import transaction
from app.services.core.runtime import lock_instance, open_workflow, records_engine_failures, save_workflow

ACTIVATED = "authcode_activated"


@records_engine_failures
def activate_authcode(actor: Actor, code: str, real_effect_time: datetime | None) -> OrderView:
    """Activate once, after the buyer's claim; the activation (or real effect) time starts the service."""
    authorize(actor, "authcodes.activate")
    with transaction() as session:
        order = session.scalars(select(Order).where(Order.authcode == code)).first()
        if order is None or order.seller != actor.name:
            raise NotFoundError("no such authorization code")
        instance = lock_instance(session, order.id)
        _check_activation(order, instance, real_effect_time)
        now = runtime.clock.now()
        order.authcode_activated_at = now
        order.actual_start_time = real_effect_time or now
        workflow = open_workflow(instance)
        if not workflow.send_message(ACTIVATED, {"at": now.isoformat(),
                                                 "effective": order.actual_start_time.isoformat()}):
            raise ConflictError("the order is not waiting for an activation")
        audit.record(session, order.id, actor, ACTIVATED, node="authcode_activation",
                     data={"real_effect_time": real_effect_time.isoformat() if real_effect_time else None})
        save_workflow(session, order, instance, workflow, actor)
        return present_order(session, order, actor)


def _check_activation(order: Order, instance, real_effect_time: datetime | None) -> None:
    if instance.frozen_at is not None:
        raise OrderFrozenError("an appeal is open: the order is frozen until operations resolve it")
    if order.authcode_activated_at is not None:
        raise ConflictError("the authorization code is already activated")
    if order.authcode_claimed_at is None:
        raise ConflictError("the buyer has not claimed the authorization code yet")
    if real_effect_time is not None and real_effect_time < order.paid_at:
        raise ValidationFailedError({"real_effect_time": ["must not be before the order was paid"]})
