"""Which milestones of an order are accepted, and what stays refundable (buyer guide §6.3: the refund
of a milestone order is capped at its unaccepted milestones).

The stages are modelled in BPMN, not here: a process that declares `milestones="staged"` counts the
buyer's acceptances in `milestones_accepted` (script task `milestone_accepted`) and loops back to the
seller's `deliver` while `milestones_accepted < milestone_count`. This module mirrors that count onto
the order's milestones (`accepted_at`) and logs each newly accepted one in the order's history."""
from datetime import datetime
from decimal import Decimal

from app.actors import Actor
from app.models import Order
from app.services.core import audit

STAGED = "staged"  # the process property `milestones` of a process that accepts in stages
ACCEPTED_COUNT = "milestones_accepted"  # the process's count of accepted milestones (task data)


def supports_milestones(process_properties: dict) -> bool:
    """Whether a process accepts in stages (its `milestones` property)."""
    return process_properties.get("milestones") == STAGED


def start_data(milestones: list | None) -> dict:
    """What a process starts with to run the stages (no milestones: one acceptance completes)."""
    return {"milestone_count": len(milestones or []), ACCEPTED_COUNT: 0}


def not_accepted(milestones: list | None) -> list | None:
    """Milestones as placed, none accepted yet."""
    return None if milestones is None else [{**m, "accepted_at": None} for m in milestones]


def unaccepted_amount(order: Order) -> Decimal | None:
    """The sum of the milestones not accepted yet (the refund cap), or None for an order without milestones."""
    if not order.milestones:
        return None
    return sum((Decimal(m["amount"]) for m in order.milestones if m.get("accepted_at") is None), Decimal("0.00"))


def record_progress(session, order: Order, accepted: int | None, actor: Actor, now: datetime) -> None:
    """Mirror the process's count: the first `accepted` milestones carry their acceptance time (the others
    none, e.g. after a rewind); each newly accepted one is logged. No count (a process without stages): nothing."""
    if not order.milestones or accepted is None:
        return
    stages = []
    for position, milestone in enumerate(order.milestones):
        stage = {**milestone, "accepted_at": milestone.get("accepted_at") if position < accepted else None}
        if position < accepted and stage["accepted_at"] is None:
            stage["accepted_at"] = now.isoformat()
            audit.record(session, order.id, actor, "milestone_accepted", node="milestone_accepted",
                         data={"position": position + 1, "name": stage["name"], "amount": stage["amount"]})
        stages.append(stage)
    if stages != order.milestones:
        order.milestones = stages  # a new list: the JSON column sees the change


def accept_remaining(session, order: Order, actor: Actor, now: datetime) -> None:
    """Every milestone counts as accepted (the order's acceptance came in one step: ops' force_accept,
    or a process without stages)."""
    if order.milestones:
        record_progress(session, order, len(order.milestones), actor, now)


def unaccepted_names(order: Order) -> list[str]:
    return [m["name"] for m in order.milestones or [] if m.get("accepted_at") is None]
