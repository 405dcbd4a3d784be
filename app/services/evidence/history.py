"""Reading and verifying the operation log."""
from itertools import groupby

from sqlalchemy import select

from app.models import AuditEvent, Order
from app.services.core.access import visible_order
from app.actors import Actor
from app.services.core.audit import HISTORY, first_break
from app.services.core.transaction import transaction


def order_history(actor: Actor, order_id: str) -> list[dict]:
    """The order's events, oldest first."""
    with transaction(readonly=True) as session:
        order = visible_order(session, actor, order_id)
        events = session.scalars(HISTORY, {"order_id": order.id}).all()
        return [{"seq": e.seq, "at": e.at, "actor": {"name": e.actor_name, "role": e.actor_role}, "type": e.type,
                 "node": e.node, "action": e.action, "data": e.data, "attachments": e.attachments, "hash": e.hash}
                for e in events]


def verify_chains() -> tuple[int, list[tuple[str, str]]]:
    """Check every order's chain: (orders checked, [(order id, first break)])."""
    broken = []
    with transaction(readonly=True) as session:
        heads = {order_id: (seq, head) for order_id, seq, head in
                 session.execute(select(Order.id, Order.audit_head_seq, Order.audit_head_hash))}
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.order_id, AuditEvent.seq))
        chains = {order_id: list(chain) for order_id, chain in groupby(events, key=lambda e: e.order_id)}
        for order_id, (head_seq, head_hash) in sorted(heads.items()):
            reason = first_break(chains.get(order_id, []), head_seq, head_hash)
            if reason:
                broken.append((order_id, reason))
    return len(heads), broken
