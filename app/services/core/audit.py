"""The append-only, hash-chained operation log of each order."""
import hashlib
import json

from app.actors import Actor
from app.extensions import runtime
from app.models import AuditEvent, Order

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> str:
    body = {"order_id": event.order_id, "seq": event.seq, "at": event.at.isoformat(),
            "actor": [event.actor_name, event.actor_role], "type": event.type, "node": event.node,
            "action": event.action, "data": event.data, "attachments": event.attachments}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


def record(session, order_id: str, actor: Actor, type_: str, *, node=None, action=None,
           data=None, attachments=None) -> AuditEvent:
    """Append one event to the order's chain and move the order's chain head (callers hold its lock)."""
    order = session.get(Order, order_id)
    event = AuditEvent(order_id=order_id, seq=order.audit_head_seq + 1, at=runtime.clock.now(),
                       actor_name=actor.name, actor_role=actor.role, type=type_, node=node, action=action,
                       data=data or {}, attachments=list(attachments or []),
                       prev_hash=order.audit_head_hash or GENESIS)
    event.hash = chain_hash(event.prev_hash, event)
    order.audit_head_seq, order.audit_head_hash = event.seq, event.hash
    session.add(event)
    session.flush()
    return event


def first_break(events: list[AuditEvent], head_seq: int, head_hash: str | None) -> str | None:
    """Why the chain of one order is broken at its first bad event, or None when it is intact."""
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return f"seq {expected_seq} is missing (found {event.seq})"
        if event.prev_hash != prev:
            return f"seq {event.seq}: prev_hash does not match the event before"
        if chain_hash(prev, event) != event.hash:
            return f"seq {event.seq}: content does not match its hash"
        prev = event.hash
    if len(events) < head_seq:
        return f"seq {len(events) + 1} to {head_seq} are missing (the order's chain head is seq {head_seq})"
    if len(events) > head_seq or prev != (head_hash or GENESIS):
        return f"the chain does not end at the order's recorded head (seq {head_seq})"
    return None
