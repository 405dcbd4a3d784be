"""Hardware logistics updates; a parcel signed by the order's own recipient arms the auto-acceptance."""
import re
from datetime import datetime

import isodate

from app.errors import ConflictError, WorkflowError
from app.extensions import runtime
from app.models import LogisticsEvent
from app.services import audit
from app.services.access import require_role, visible_order
from app.services.audit import Actor
from app.services.definitions import parsed
from app.services.order_view import present_order
from app.services.unit import transaction
from app.services.workflow import lock_instance, open_workflow, record_engine_failure, save_workflow

SIGNED = "parcel_signed"
DEFAULT_AUTO_ACCEPT = "P10D"


def _digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


def record_logistics(actor: Actor, order_id: str, status: str, at: datetime, recipient_phone: str | None) -> dict:
    """Record an update; a matching `signed` starts the process's auto-acceptance timer."""
    require_role(actor, "platform")
    try:
        with transaction() as session:
            order = visible_order(session, actor, order_id)
            if order.delivery_type != "hardware" or not order.supervised:
                raise ConflictError("logistics updates apply to supervised hardware orders only")
            instance = lock_instance(session, order.id)
            expected = _digits((order.recipient or {}).get("phone"))
            matches = bool(expected) and _digits(recipient_phone) == expected
            session.add(LogisticsEvent(order_id=order.id, status=status, at=at, recipient_phone=recipient_phone,
                                       phone_matches=matches, recorded_at=runtime.clock.now()))
            armed = None
            if status == "signed" and matches and order.status == "processing":
                order.signed_at = at
                armed = _arm_auto_acceptance(session, order, instance, actor, at)
            audit.record(session, order.id, actor, "logistics_updated", data={
                "status": status, "at": at.isoformat(), "recipient_phone_matches": matches,
                "auto_accept_at": armed})
            return present_order(session, order, actor)
    except WorkflowError as err:
        record_engine_failure(order_id, err)
        raise


def _arm_auto_acceptance(session, order, instance, actor: Actor, signed_at: datetime) -> str | None:
    """Send `parcel_signed` with the due time; while frozen, count from the freeze (it resumes after)."""
    workflow = open_workflow(instance)
    after = isodate.parse_duration(parsed(instance.definition).properties.get("auto_accept_after",
                                                                               DEFAULT_AUTO_ACCEPT))
    start = min(signed_at, instance.frozen_at) if instance.frozen_at else signed_at
    due = (start + after).isoformat()
    if not workflow.send_message(SIGNED, {"auto_accept_at": due, "signed_at": signed_at.isoformat()}):
        return None  # not at the acceptance node: recorded, nothing to arm
    save_workflow(session, order, instance, workflow, actor)
    return due
