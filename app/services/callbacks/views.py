"""Listing callbacks (sellers their own, staff all) and re-driving a failed one."""
from sqlalchemy import select

from app.actors import Actor
from app.errors import CallbackNotRetryableError, NotFoundError
from app.extensions import runtime
from app.models import Callback, Order
from app.services.callbacks.protocol import NEW_INSTANCE, deadline
from app.services.core.access import allowed, authorize
from app.services.core.transaction import Page, paginate, transaction


def present(callback: Callback) -> dict:
    pending = callback.status == "pending"
    return {"id": callback.id, "order_id": callback.order_id, "seller": callback.seller,
            "activity": callback.activity, "body": callback.body, "status": callback.status,
            "attempts": callback.attempts, "last_error": callback.last_error, "result_code": callback.result_code,
            "next_attempt_at": callback.next_attempt_at if pending else None, "deadline_at": callback.deadline_at,
            "created_at": callback.created_at, "delivered_at": callback.delivered_at,
            "failed_at": callback.failed_at}


def _visible(actor: Actor):
    return None if allowed(actor, "callbacks.read_all") else Callback.seller == actor.name


def list_callbacks(actor: Actor, filters: dict, page: int, page_size: int) -> Page:
    authorize(actor, "callbacks.read")
    with transaction(readonly=True) as session:
        query = select(Callback).order_by(Callback.id.desc())
        if _visible(actor) is not None:
            query = query.where(_visible(actor))
        for name in ("status", "order_id"):
            if filters.get(name):
                query = query.where(getattr(Callback, name) == filters[name])
        return paginate(session, query, page, page_size, present)


def retry_callback(actor: Actor, callback_id: int) -> dict:
    """A failed callback is due again now, with a fresh deadline."""
    authorize(actor, "callbacks.retry")
    with transaction() as session:
        callback = session.get(Callback, callback_id)
        if callback is None or (_visible(actor) is not None and callback.seller != actor.name):
            raise NotFoundError("no such callback")
        if callback.status != "failed":
            raise CallbackNotRetryableError(f"the callback is {callback.status}: only a failed one is re-driven")
        order = session.get(Order, callback.order_id)
        if callback.activity == NEW_INSTANCE and order.status == "refunded":
            raise CallbackNotRetryableError("the order was refunded: there is nothing to provision")
        now = runtime.clock.now()
        callback.status, callback.failed_at, callback.next_attempt_at = "pending", None, now
        callback.deadline_at = now + deadline(callback.activity)
        return present(callback)
