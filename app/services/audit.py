"""The append-only, hash-chained operation log of each order."""
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import runtime
from app.models import AuditEvent

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who did something: a principal's name and role, or the system."""

    name: str
    role: str
    review_role: str | None = None


SYSTEM = Actor("system", "system")


def _canonical(event: AuditEvent) -> str:
    body = {"order_id": event.order_id, "seq": event.seq, "at": event.at.isoformat(),
            "actor": [event.actor_name, event.actor_role], "type": event.type, "node": event.node,
            "action": event.action, "data": event.data, "attachments": event.attachments}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


def record(session, order_id: str, actor: Actor, type_: str, *, node=None, action=None,
           data=None, attachments=None) -> AuditEvent:
    """Append one event to the order's chain (callers hold the order's lock)."""
    last = session.scalars(select(AuditEvent).where(AuditEvent.order_id == order_id)
                           .order_by(AuditEvent.seq.desc()).limit(1)).first()
    event = AuditEvent(order_id=order_id, seq=(last.seq + 1) if last else 1, at=runtime.clock.now(),
                       actor_name=actor.name, actor_role=actor.role, type=type_, node=node, action=action,
                       data=data or {}, attachments=list(attachments or []),
                       prev_hash=last.hash if last else GENESIS)
    event.hash = chain_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


def first_break(events: list[AuditEvent]) -> str | None:
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
    return None
