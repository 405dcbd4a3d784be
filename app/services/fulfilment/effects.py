"""What completing an action changes on the order itself, beyond the process state."""
import secrets
from datetime import datetime

from sqlalchemy import select

from app.extensions import runtime
from app.models import Order

AUTHCODE_BYTES = 15  # 20 URL-safe characters: unguessable
EFFECT_OUTPUTS = ("code", "authcode_issued")  # names effects add to task data


def apply_action_effects(session, order: Order, action: str, values: dict) -> dict:
    """Update the order for `action`; returns extra values the process should see in its task data."""
    effect = EFFECTS.get(action)
    return effect(session, order, values) or {} if effect else {}


def _reject(session, order, values):
    order.rejection_count += 1
    order.signed_at = None  # the next delivery's signing starts a new acceptance window


def _accept(session, order, values):
    if not order.milestones:  # a milestone order is accepted (validity starts) when supervision completes
        order.accepted_at = runtime.clock.now()


def _deliver(session, order, values):
    if values.get("actual_start_time"):
        order.actual_start_time = values["actual_start_time"]
    if values.get("app_info"):
        order.app_info = values["app_info"]
    if order.product.get("license_mode") == "authcode" and order.authcode is None:
        order.authcode = _unique(session, Order.authcode, lambda: secrets.token_urlsafe(AUTHCODE_BYTES))
        return {"authcode_issued": True}


def _submit_id_code(session, order, values):
    code = values.get("code") or _unique(session, Order.id_code, lambda: f"SYS-{secrets.token_hex(8).upper()}")
    order.id_code = code
    return {"code": code}


def _claim_authcode(session, order, values):
    order.authcode_claimed_at = runtime.clock.now()
    order.negotiated_refund_allowed = False


def _ship(session, order, values):
    order.shipment = {"carrier": values["carrier"], "tracking_no": values["tracking_no"],
                      "shipped_at": runtime.clock.now().isoformat()}


def _unique(session, column, make) -> str:
    while True:
        candidate = make()
        if session.scalar(select(Order.id).where(column == candidate)) is None:
            return candidate


def as_task_data(values: dict) -> dict:
    """Form values as plain JSON for task data and the audit log."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


EFFECTS = {"reject": _reject, "accept": _accept, "deliver": _deliver, "submit_id_code": _submit_id_code,
           "claim_authcode": _claim_authcode, "ship": _ship}
