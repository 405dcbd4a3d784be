"""Expiry (the scheduler's `lifecycle_expiry` job): date what became known, expire, release.

- A completed periodic order whose validity has just become known gets its `expires_at` (validity's end
  with renewals) and its queued renewals their dates.
- `expired` once `expires_at` has passed (the grace period, then the retention period begin).
- `released` once the grace and the retention periods (config GRACE_PERIOD, RETENTION_PERIOD) are over.
A renewal of an expired order brings it back to `completed` (stack.add_renewal)."""
import isodate

from app.actors import SYSTEM
from app.extensions import runtime
from app.models import Order
from app.services.lifecycle import status
from app.services.lifecycle.jobs import each_due
from app.services.lifecycle.stack import date_queued


def after_end():
    """How long after validity's end an expired order is released: grace plus retention."""
    return (isodate.parse_duration(runtime.settings["GRACE_PERIOD"])
            + isodate.parse_duration(runtime.settings["RETENTION_PERIOD"]))


def run_expiry() -> int:
    """One run of the job; returns how many orders it expired or released (dating is bookkeeping)."""
    each_due("date", lambda now: [Order.status == "completed", Order.periodic.is_(True),
                                          Order.expires_at.is_(None)], _date)
    expired = each_due("expire", lambda now: [Order.status == "completed", Order.periodic.is_(True),
                                              Order.expires_at <= now], _expire)
    released = each_due("release", lambda now: [Order.status == "expired", Order.periodic.is_(True),
                                                Order.expires_at <= now - after_end()], _release)
    return expired + released


def _date(session, order: Order) -> bool:
    date_queued(session, order, SYSTEM)
    return order.expires_at is not None


def _expire(session, order: Order) -> bool:
    status.move(session, order, "expired", SYSTEM)
    return True


def _release(session, order: Order) -> bool:
    status.move(session, order, "released", SYSTEM)
    return True
