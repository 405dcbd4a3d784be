"""Completion is earned: a supervised order completes only after an acceptance its history shows.

The engine saying "done" is not enough (a diagram may end early, a task may hide beyond the
engine's depth limit); the hash-chained history is the evidence in a dispute about money, so it
is what decides. An acceptance is one of the events of ACCEPTANCES; a later rejection or a return
to the seller takes it back.
"""
from sqlalchemy import bindparam, select

from app.errors import WorkflowError
from app.models import AuditEvent, Order, Task
from app.services.core import audit, batch_reads
from app.services.core.rows import held

COMPLETED_END = "service_completed"  # the one end event through which supervision may complete


def _buyer_accepts(event: AuditEvent, order: Order, accepting_nodes: set) -> bool:
    return (event.type == "task_completed" and event.actor_role == "buyer"
            and event.action in ("accept", "confirm_deployment"))


def _timer_accepts(event: AuditEvent, order: Order, accepting_nodes: set) -> bool:
    """A timer on a task that offered `accept` fired (hardware: 10 days after the signing)."""
    return event.type == "timer_fired" and (event.data or {}).get("attached_to") in accepting_nodes


def _activation_accepts(event: AuditEvent, order: Order, accepting_nodes: set) -> bool:
    """Licence 2.0: the buyer claimed the code and the seller activated it (claim + activation accept)."""
    return event.type == "authcode_activated" and order.authcode_claimed_at is not None


def _ops_accepts(event: AuditEvent, order: Order, accepting_nodes: set) -> bool:
    return event.type == "appeal_resolved" and (event.data or {}).get("outcome") == "force_accept"


ACCEPTANCES = (_buyer_accepts, _timer_accepts, _activation_accepts, _ops_accepts)


def _takes_back(event: AuditEvent) -> bool:
    if event.type == "task_completed":
        return event.action in ("reject", "review_return")
    return event.type == "appeal_resolved" and (event.data or {}).get("outcome") == "return_to_seller"


def standing_acceptance(session, order: Order) -> AuditEvent | None:
    """The acceptance in the order's history that no later rejection took back, if any. The history is the
    chain as written so far, this transaction's unflushed events included: read from the session, not by a
    flush first, so an accepting action or timer writes everything in its one flush."""
    accepting = _accepting_nodes(session, order)
    standing = None
    for event in _history(session, order):
        if any(rule(event, order, accepting) for rule in ACCEPTANCES):
            standing = event
        elif _takes_back(event):
            standing = None
    return standing


def _history(session, order: Order) -> list[AuditEvent]:
    """The order's events oldest first, this transaction's unflushed ones included."""
    batch = batch_reads.history(session, order.id)
    if batch is not None:
        return batch
    with session.no_autoflush:
        flushed = session.scalars(audit.HISTORY, {"order_id": order.id}).all()
    written = {id(event) for event in flushed}
    pending = sorted((e for e in held(session, AuditEvent, order_id=order.id) if id(e) not in written),
                     key=lambda event: event.seq)
    return [*flushed, *pending]  # the chain head numbers pending events after every flushed one


def _accepting_nodes(session, order: Order) -> set:
    """Nodes of this order whose task offered `accept` (a timer on them accepts for the buyer), rows this
    session has not flushed yet included."""
    batch = batch_reads.tasks_of_order(session, order.id)
    if batch is not None:
        rows = [(t.node_id, t.actions) for t in batch]
    else:
        with session.no_autoflush:
            rows = [*session.execute(NODE_ACTIONS, {"order_id": order.id}),
                    *((t.node_id, t.actions) for t in held(session, Task, order_id=order.id))]
    return {node for node, actions in rows if "accept" in (actions or [])}


# built once: every completion runs it
NODE_ACTIONS = select(Task.node_id, Task.actions).where(Task.order_id == bindparam("order_id"))


def check_earned_completion(session, order: Order, ended_at: list[str], owner: int | None = None) -> AuditEvent:
    """The acceptance that lets the order complete; a WorkflowError naming the supervision instance
    `owner` (it and the order go to `error`) if none."""
    if COMPLETED_END not in ended_at:
        raise _refused(owner, f"the process ended at {', '.join(ended_at) or 'no end event'}, "
                              f"not at {COMPLETED_END}: the order cannot complete")
    acceptance = standing_acceptance(session, order)
    if acceptance is None:
        raise _refused(owner, "the process ended without an acceptance in the order's history "
                              "(buyer, timer, activation or operations): the order cannot complete")
    return acceptance


def _refused(owner: int | None, message: str) -> WorkflowError:
    error = WorkflowError(message, element_id=COMPLETED_END)
    error.owner = owner
    return error
