"""A refund's status changes, each logged in its order's history and announced in the outbox."""
from app.actors import Actor
from app.extensions import runtime
from app.models import Order, Refund
from app.services.core.notifications import notify
from app.services.core import audit, events


def change_status(session, order: Order, refund: Refund, status: str, actor: Actor) -> None:
    """Move the refund to `status`, logged in the order's history and announced in the outbox."""
    now, before = runtime.clock.now(), refund.status
    refund.status = status
    if before == "pending_seller":
        refund.decided_at = now
    if status == "refunding":
        refund.refunding_at = now  # the settlement job credits the account at its next run
    audit.record(session, order.id, actor, "refund_status_changed",
                 data={"refund_id": refund.id, "from": before, "to": status})
    events.record_event(session, order, "refund.status_changed",
                        {"refund_id": refund.id, "from": before, "to": status, "amount": str(refund.amount)})
    if status in RESULTS:
        notify_buyer(session, order, refund, RESULTS[status])


RESULTS = {"rejected": "was rejected by the seller", "withdrawn": "was withdrawn",
           "refunding": "was approved: the money is on its way", "refunded": "was paid to your account balance"}


def notify_buyer(session, order: Order, refund: Refund, result: str) -> None:
    """A refund result for the buyer's notifications (kind `refund_result`)."""
    notify(session, order.buyer, "refund_result", f"Your refund of {refund.amount} for order {order.order_no} {result}.",
           order_id=order.id, ref=f"refund:{refund.id}")
