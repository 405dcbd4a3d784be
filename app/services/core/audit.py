"""The append-only, hash-chained operation log of each order."""
from sqlalchemy import bindparam, select

from app.actors import Actor
from app.extensions import runtime
from app.models import AuditEvent, Order
from app.services.core import hashchain
from app.services.core.hashchain import GENESIS


# one order's events, oldest first (`order_id` given when it runs; built once: completions and history read it)
HISTORY = select(AuditEvent).where(AuditEvent.order_id == bindparam("order_id")).order_by(AuditEvent.seq)


def chain_record(event: AuditEvent) -> dict:
    """The event as the chain (and an evidence bundle's history.json) knows it: content, prev_hash, hash."""
    return {"order_id": event.order_id, "seq": event.seq, "at": event.at.isoformat(),
            "actor": {"name": event.actor_name, "role": event.actor_role}, "type": event.type,
            "node": event.node, "action": event.action, "data": event.data, "attachments": event.attachments,
            "prev_hash": event.prev_hash, "hash": event.hash}


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashchain.link_hash(prev_hash, chain_record(event))


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
    session.add(event)  # flushed with the rest of the transaction (the next query's autoflush, or the commit)
    return event


def first_break(events: list[AuditEvent], head_seq: int, head_hash: str | None) -> str | None:
    """Why the chain of one order is broken at its first bad event, or None when it is intact."""
    return hashchain.first_break([chain_record(e) for e in events], head_seq, head_hash)
