"""Hardware logistics updates; a parcel signed by the order's own recipient arms the auto-acceptance."""
import re
from datetime import datetime

import isodate

from app.errors import ConflictError
from app.extensions import runtime
from app.models import LogisticsEvent
from app.services.core import audit
from app.services.core.access import authorize, visible_order
from app.actors import SYSTEM, Actor
from app.services.core.definitions import parsed
from app.services.fulfilment.order_view import OrderView, present_order
from app.services.core.transaction import transaction
from app.services.core.runtime import lock_instance, open_workflow, records_engine_failures, save_workflow

SIGNED = "parcel_signed"
DEFAULT_AUTO_ACCEPT = "P10D"


def _digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


@records_engine_failures
def record_logistics(actor: Actor, order_id: str, status: str, at: datetime, recipient_phone: str | None) -> OrderView:
    """Record an update; a matching `signed` starts the process's auto-acceptance timer."""
    authorize(actor, "logistics.record")
    with transaction() as session:
        order = visible_order(session, actor, order_id)
        if order.delivery_type != "hardware" or not order.supervised:
            raise ConflictError("logistics updates apply to supervised hardware orders only")
        instance = lock_instance(session, order.id)
        expected = _digits((order.recipient or {}).get("phone"))
        matches = bool(expected) and _digits(recipient_phone) == expected
        session.add(LogisticsEvent(order_id=order.id, status=status, at=at, recipient_phone=recipient_phone,
                                   phone_matches=matches, recorded_at=runtime.clock.now()))
        workflow, due = open_workflow(instance), None
        if status == "signed" and matches and order.status == "processing":
            order.signed_at = at
            due = auto_acceptance_due(order, instance, workflow)
        audit.record(session, order.id, actor, "logistics_updated", data={
            "status": status, "at": at.isoformat(), "recipient_phone_matches": matches,
            "auto_accept_at": due.isoformat() if due else None})
        if due is not None:
            arm_auto_acceptance(session, order, instance, workflow, due)
        return present_order(session, order, actor)


def auto_acceptance_due(order, instance, workflow) -> datetime | None:
    """When a recorded signing auto-accepts, if the process waits for it now (at the acceptance node).
    While frozen the time counts from the freeze, so after the pause shift it has its full period."""
    if order.signed_at is None or not workflow.is_waiting_for(SIGNED):
        return None
    after = isodate.parse_duration(parsed(instance.definition).properties.get("auto_accept_after",
                                                                               DEFAULT_AUTO_ACCEPT))
    start = min(order.signed_at, instance.frozen_at) if instance.frozen_at else order.signed_at
    return start + after


def arm_auto_acceptance(session, order, instance, workflow, due: datetime) -> None:
    """Send `parcel_signed` so the process's timer waits until `due`; save the instance."""
    audit.record(session, order.id, SYSTEM, "auto_acceptance_armed", node="confirm_acceptance",
                 data={"signed_at": order.signed_at.isoformat(), "auto_accept_at": due.isoformat()})
    workflow.send_message(SIGNED, {"auto_accept_at": due.isoformat(), "signed_at": order.signed_at.isoformat()})
    if workflow.is_completed():  # reported after its period: the timer fired at once
        audit.record(session, order.id, SYSTEM, "timer_fired",
                     data={"due_at": due.isoformat(), "attached_to": "confirm_acceptance"})
    save_workflow(session, order, instance, workflow, SYSTEM)
