"""Expiry reminders (buyer guide §3.3, §4.5): 15, 7, 3 and 1 days before validity ends, at 10:00 Beijing time.

A reminder `d` is due at 10:00 Asia/Shanghai on the calendar day `d` days before the end's day there. The
job sends, per order, the latest reminder that is due and not yet past the end; earlier ones that were
missed (the scheduler was down, the order was placed with little time left) are not sent late. Each is a
notification with the dedupe key `expiry:{order}:{end}:{d}`, so it goes out once, also with several
scheduler processes; a renewal moves the end and with it the keys. Trials are always reminded; paid
periodic orders unless their policy is `do_not_renew` (§4.3.3)."""
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from app.extensions import runtime
from app.models import Order
from app.services.core.notifications import notify
from app.services.core.transaction import transaction
from app.services.lifecycle.chain import segment_start
from app.services.lifecycle.stack import renewals_of

DAYS_BEFORE = (15, 7, 3, 1)
AT = time(10, 0)
SHANGHAI = timezone(timedelta(hours=8))  # China keeps no daylight saving time
KIND = "expiry_reminder"


def reminder_time(end: datetime, days: int) -> datetime:
    """10:00 Beijing time on the day `days` days before the end's day (Beijing calendar)."""
    day = end.astimezone(SHANGHAI).date() - timedelta(days=days)
    return datetime.combine(day, AT, tzinfo=SHANGHAI).astimezone(timezone.utc)


def due_reminder(end: datetime, since: datetime | None, now: datetime) -> int | None:
    """The reminder (days before) to send now: the latest one due, not before the period began."""
    if now >= end:
        return None
    due = [d for d in DAYS_BEFORE if reminder_time(end, d) <= now and (since is None or reminder_time(end, d) >= since)]
    return min(due) if due else None


def wanted(order: Order) -> bool:
    return order.trial or (order.expiry_policy or {}).get("policy") != "do_not_renew"


def send_reminders(batch: int = 500) -> int:
    """One run of the job; returns how many reminders it sent."""
    now = runtime.clock.now()
    horizon = now + timedelta(days=max(DAYS_BEFORE) + 1)
    sent, after = 0, ""
    while True:
        with transaction() as session:
            orders = session.scalars(select(Order).where(
                Order.status == "completed", Order.periodic.is_(True), Order.expires_at > now,
                Order.expires_at <= horizon, Order.id > after).order_by(Order.id).limit(batch)).all()
            if not orders:
                return sent
            sent += sum(_remind(session, order, now) for order in orders if wanted(order))
            after = orders[-1].id


def _remind(session, order: Order, now: datetime) -> bool:
    days = due_reminder(order.expires_at, segment_start(order, renewals_of(session, order.id)), now)
    if days is None:
        return False
    end = order.expires_at
    what = "free trial" if order.trial else "order"
    message = (f"Your {what} {order.order_no} ({order.product.get('name')}) expires in {days} day(s), on "
               f"{end.astimezone(SHANGHAI):%Y-%m-%d %H:%M} Beijing time."
               + (" Convert it to a formal order to keep using it." if order.trial else " Renew it to keep using it."))
    return notify(session, order.buyer, KIND, message, order_id=order.id, ref=f"order:{order.id}",
                  dedupe_key=f"expiry:{order.id}:{end.isoformat()}:{days}")
