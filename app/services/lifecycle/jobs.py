"""Running one piece of lifecycle work per due order, each in a transaction of its own.

Any number of scheduler processes may run the same job: on PostgreSQL each claims an order with
FOR UPDATE SKIP LOCKED and the WHERE is true under the lock (a row another worker changed no longer
matches); on SQLite the writer lock taken at BEGIN serializes them. An order whose work fails is
logged and left for the next run; the others go on."""
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from app.extensions import runtime
from app.models import Order
from app.services.core.claims import claim
from app.services.core.transaction import transaction

log = logging.getLogger(__name__)


def each_due(name: str, where: Callable[[datetime], list], work: Callable, max_orders: int = 1000) -> int:
    """`work(session, order)` for every order matching `where(now)`; returns how many it changed."""
    seen: set[str] = set()
    changed = 0
    while len(seen) < max_orders:
        claimed: list[str] = []
        try:
            found = _one(where, work, seen, claimed)
        except Exception:  # noqa: BLE001 - one broken order must not hold up the others
            if not claimed:
                raise
            log.exception("lifecycle job %s failed on order %s", name, claimed[0])
            seen.add(claimed[0])
            continue
        if found is None:
            break
        seen.add(found[0])
        changed += bool(found[1])
    return changed


def _one(where, work, seen: set[str], claimed: list[str]) -> tuple[str, bool] | None:
    with transaction() as session:
        due = select(Order).where(*where(runtime.clock.now())).order_by(Order.expires_at, Order.id)
        order = next(iter(claim(session, due, Order, seen)), None)
        if order is None:
            return None
        claimed.append(order.id)
        return order.id, bool(work(session, order))
