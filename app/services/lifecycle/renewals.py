"""POST /orders/{id}/renewals and POST /orders/{id}/conversions (the platform): one more paid period.

Idempotent on renewal_no (conversion_no): the same body again answers 200 with the same renewal; another
body, or another order, with a used number is 409. Only periodic orders (422 otherwise)."""
import hashlib
import json
from datetime import timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.actors import Actor
from app.errors import ConflictError, ValidationFailedError
from app.extensions import runtime
from app.models import Order, Renewal
from app.services.core.access import authorize, visible_order
from app.services.core.transaction import transaction
from app.services.lifecycle.stack import CONVERSION, add_renewal, lock_order_row, renewals_of
from app.services.lifecycle.views import RenewalView, present_renewals

RENEWABLE = ("processing", "completed", "expired")  # processing: queued until validity starts


def renew(actor: Actor, order_id: str, body: dict) -> tuple[RenewalView, bool]:
    """The marketplace reports a paid renewal of the order; (renewal, created)."""
    authorize(actor, "orders.renew")
    return _add(actor, order_id, "renewal", body["renewal_no"], body)


def convert(actor: Actor, order_id: str, body: dict) -> tuple[RenewalView, bool]:
    """The marketplace reports that the buyer paid to turn the trial into a formal order; (renewal, created)."""
    authorize(actor, "orders.convert")
    return _add(actor, order_id, CONVERSION, body["conversion_no"], body)


def _add(actor: Actor, order_id: str, kind: str, number: str, body: dict) -> tuple[RenewalView, bool]:
    digest = _digest(kind, body)
    try:
        with transaction() as session:
            order = visible_order(session, actor, order_id)
            order = lock_order_row(session, order.id)
            existing = session.scalars(select(Renewal).where(Renewal.renewal_no == number)).first()
            if existing is not None:
                return _replay(session, order, existing, digest, actor), False
            _check(order, kind, body)
            renewal = add_renewal(session, order, actor, kind, number, body["period"], body["amount_paid"],
                                  body["paid_at"], digest)
            return present_one(session, order, renewal), True
    except IntegrityError:  # the same number won a concurrent insert
        with transaction(readonly=True) as session:
            order = visible_order(session, actor, order_id)
            existing = session.scalars(select(Renewal).where(Renewal.renewal_no == number)).first()
            if existing is None:
                raise
            return _replay(session, order, existing, digest, actor), False


def _digest(kind: str, body: dict) -> str:
    value = {**body, "kind": kind, "paid_at": body["paid_at"].astimezone(timezone.utc)}
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _replay(session, order: Order, existing: Renewal, digest: str, actor: Actor) -> RenewalView:
    if existing.order_id != order.id or existing.request_hash != digest or existing.placed_by != actor.name:
        raise ConflictError(f"{existing.renewal_no} was already used, with another body or for another order")
    return present_one(session, order, existing)


def _check(order: Order, kind: str, body: dict) -> None:
    if not order.periodic:
        raise ValidationFailedError({"order": ["only periodic orders are renewed"]})
    if body["paid_at"] > runtime.clock.now():
        raise ValidationFailedError({"paid_at": ["must not be in the future"]})
    if kind == CONVERSION and not order.trial:
        raise ConflictError("this order is not a trial (or was converted already)")
    if kind != CONVERSION and order.trial:
        raise ConflictError("a trial is not renewed: convert it (POST /orders/{id}/conversions)")
    if order.status not in RENEWABLE:
        raise ConflictError(f"a {order.status} order cannot be renewed")


def present_one(session, order: Order, renewal: Renewal) -> RenewalView:
    views = present_renewals(order, renewals_of(session, order.id), runtime.clock.now())
    return next(v for v in views if v.id == renewal.id)
