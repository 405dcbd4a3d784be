"""The order resource as the contract shows it, for one caller."""
import isodate
from sqlalchemy import select

from app.models import Appeal, LogisticsEvent, Order, Task
from app.services.core.access import allowed, may_act
from app.services.core.runtime import find_instance
from app.actors import Actor

COMPLETED_NODE = {"id": "service_completed", "name": "Service completed", "name_zh": "服务完成",
                  "role": None, "task_id": None, "since": None}


def present_order(session, order: Order, actor: Actor) -> dict:
    """Order fields plus nodes, available actions, freeze, validity: what the caller may see now."""
    instance = find_instance(session, order.id)  # the order's supervision; other kinds show elsewhere
    tasks = session.scalars(select(Task).where(Task.process_instance_id == (instance.id if instance else None),
                                               Task.status == "ready")
                            .order_by(Task.created_at)).all()
    appeal = session.scalars(select(Appeal).where(Appeal.order_id == order.id, Appeal.status == "open")).first()
    frozen = bool(instance and instance.frozen_at)
    return {
        "id": order.id, "order_no": order.order_no, "status": order.status,
        "delivery_type": order.delivery_type, "buyer": order.buyer, "seller": order.seller,
        "product": order.product, "billing": order.billing, "amount_paid": order.amount_paid,
        "paid_at": order.paid_at, "recipient": order.recipient, "milestones": order.milestones,
        "process": {"key": instance.definition.key, "version": instance.definition.version} if instance else None,
        "nodes": _nodes(order, tasks),
        "frozen": frozen,
        "open_appeal": appeal.id if appeal else None,
        "rejection_count": order.rejection_count,
        "available_actions": [] if frozen or not allowed(actor, "tasks.complete") else [
            {"action": action, "task_id": t.id} for t in tasks if may_act(actor, t) for action in t.actions],
        "validity": validity(order),
        "actual_start_time": order.actual_start_time, "accepted_at": order.accepted_at,
        "refund_amount": order.refund_amount,
        "authcode": order.authcode if allowed(actor, "orders.read_authcode") else None,
        "authcode_claimed_at": order.authcode_claimed_at, "authcode_activated_at": order.authcode_activated_at,
        "negotiated_refund_allowed": order.negotiated_refund_allowed,
        "id_code": order.id_code, "app_info": order.app_info,
        "logistics": _logistics(session, order) if order.delivery_type == "hardware" else None,
        "error": _error_for(actor, instance),
        "created_at": order.created_at, "completed_at": order.completed_at,
    }


def _error_for(actor: Actor, instance) -> dict | None:
    """Operations get the engine's details; the parties only learn that operations are on it."""
    if instance is None or instance.status != "error":
        return None
    if allowed(actor, "orders.read_engine_error"):
        return instance.error
    return {"message": "The order's process failed; operations have been notified.", "element_id": None,
            "line": None}


def _logistics(session, order: Order) -> dict:
    events = session.scalars(select(LogisticsEvent).where(LogisticsEvent.order_id == order.id)
                             .order_by(LogisticsEvent.id)).all()
    return {"shipment": order.shipment, "signed_at": order.signed_at,
            "status": events[-1].status if events else None,
            "events": [{"status": e.status, "at": e.at, "recipient_phone_matches": e.phone_matches} for e in events]}


def _nodes(order: Order, tasks: list[Task]) -> list[dict]:
    if order.status == "completed":
        return [COMPLETED_NODE]
    return [{"id": t.node_id, "name": t.name, "name_zh": t.name_zh, "role": t.role, "task_id": t.id,
             "since": t.created_at} for t in tasks]


def validity(order: Order) -> dict:
    """Periodic orders, once accepted: start = seller's actual start time, else acceptance; end = start + period."""
    period = (order.billing or {}).get("period")
    if (order.billing or {}).get("mode") != "periodic" or not period or order.accepted_at is None:
        return {"start": None, "end": None}
    start = order.actual_start_time or order.accepted_at
    try:
        end = start + isodate.parse_duration(period)
    except (ValueError, OverflowError):  # a row stored before periods were bounded must not break listings
        end = None
    return {"start": start, "end": end}
