"""What an attempt's answer does to its callback: delivered once on 000000, retried with backoff until the
deadline, then failed; a failed newInstance of a non-supervised order refunds the buyer in full."""
from dataclasses import dataclass

from sqlalchemy import select

from app.actors import SYSTEM
from app.extensions import db, runtime
from app.models import Callback, Order
from app.services.core.rows import orders_by_id
from app.services.callbacks import provisioning
from app.services.callbacks.protocol import ASYNC, NEW_INSTANCE, SUCCESS, backoff
from app.services.core import audit
from app.services.core.notifications import notify
from app.services.core.transaction import transaction


@dataclass(frozen=True)
class Answer:
    result_code: str | None = None
    message: str = ""
    instance_id: str | None = None
    error: str | None = None

    def problem(self, activity: str) -> str | None:
        """Why the attempt did not succeed, or None."""
        if self.error:
            return self.error
        if self.result_code == SUCCESS and (activity != NEW_INSTANCE or self.instance_id):
            return None
        if self.result_code == SUCCESS:
            return "000000 without an instanceId"
        return f"{self.result_code} {self.message}".strip()


def record_all(answers: list[tuple[int, str, Answer]]) -> None:
    """Write a batch's answers (callback id, lease token, answer) in one transaction. The first success
    wins; a failure counts only under the lease it was sent with."""
    with transaction() as session:
        query = (select(Callback).where(Callback.id.in_([a[0] for a in answers])).order_by(Callback.id)
                 .execution_options(populate_existing=True))
        found = {c.id: c for c in session.scalars(query.with_for_update() if db.is_postgres else query)}
        orders = orders_by_id(session, (c.order_id for c in found.values()))  # one read for the batch
        with session.no_autoflush:
            for callback_id, token, answer in answers:
                callback = found[callback_id]
                if callback.status == "pending":
                    _apply(session, callback, orders[callback.order_id], token, answer)


def _apply(session, callback: Callback, order: Order, token: str, answer: Answer) -> None:
    problem = answer.problem(callback.activity)
    if callback.activity == NEW_INSTANCE and answer.instance_id and answer.result_code in (SUCCESS, ASYNC):
        _keep_instance(order, str(answer.instance_id))
    callback.result_code = answer.result_code
    if problem is None:
        callback.status, callback.delivered_at, callback.last_error = "delivered", runtime.clock.now(), None
        callback.lease_until = callback.lease_token = None
    elif callback.lease_token == token:
        _retry_or_fail(session, callback, problem)


def _keep_instance(order: Order, instance_id: str) -> None:
    """§4.4: the first instanceId stays (a repeated newInstance must not replace it)."""
    if order.instance_id is None:
        order.instance_id = instance_id[:64]


def _retry_or_fail(session, callback: Callback, problem: str) -> None:
    now = runtime.clock.now()
    callback.last_error = problem[:1000]
    callback.lease_until = callback.lease_token = None
    if now >= callback.deadline_at:
        fail(session, callback, problem)
    else:
        callback.next_attempt_at = min(now + backoff(callback.attempts), callback.deadline_at)


def fail(session, callback: Callback, problem: str) -> None:
    """The callback gave up: logged on the order, the seller told; newInstance of an auto-delivered order
    refunds it in full (provisioning_failure)."""
    callback.status, callback.failed_at, callback.last_error = "failed", runtime.clock.now(), problem[:1000]
    callback.lease_until = callback.lease_token = None
    order = session.get(Order, callback.order_id)
    audit.record(session, order.id, SYSTEM, "callback_failed", data={
        "callback_id": callback.id, "activity": callback.activity, "attempts": callback.attempts,
        "last_error": callback.last_error})
    notify(session, callback.seller, "callback_failed",
           f"The {callback.activity} call for order {order.order_no} failed after {callback.attempts} "
           f"attempt(s): {callback.last_error}", order_id=order.id, ref=f"callback:{callback.id}",
           dedupe_key=f"callback_failed:{callback.id}:{callback.attempts}")
    if callback.activity == NEW_INSTANCE and not order.supervised:
        provisioning.refund_failed_order(session, order, callback)
