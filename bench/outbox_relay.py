"""Outbox relay cost: does relaying an event cost the same whatever the backlog?

    .venv/bin/python bench/outbox_relay.py                                   # SQLite temp file
    .venv/bin/python bench/outbox_relay.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

Per backlog size B (default 50, 200, 1000): B pending outbox events of a mapped type (`order.placed`, no order,
so the relay claims each and makes no callback: the claim is what is measured) are inserted in one statement,
then one `relay_outbox()` (batches of 200) turns them all to `relayed`. It prints the time, the time per event,
and the SQL statements sent. The baseline is the smallest backlog of the same run: the last column is each
row's time per event against it (1.0x means no growth with the backlog).
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from actions import FreshDatabase, build_app  # noqa: E402 - bench/actions.py, next to this file
from sqlalchemy import event, func, insert, select  # noqa: E402


def add_backlog(size: int) -> None:
    from app.extensions import db, runtime
    from app.models import OutboxEvent
    now = runtime.clock.now()
    rows = [dict(order_id=None, type="order.placed", payload={}, created_at=now, status="pending", attempts=0,
                 next_attempt_at=now) for _ in range(size)]
    with db.engine.begin() as connection:
        connection.execute(insert(OutboxEvent), rows)


def relay_once(size: int) -> tuple[float, int]:
    """Seconds and statements of one relay_outbox() over a fresh backlog of `size` events."""
    from app.extensions import db
    from app.models import OutboxEvent
    from app.services.callbacks.relay import relay_outbox
    add_backlog(size)
    statements = []
    listener = lambda *_: statements.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    started = time.perf_counter()
    relay_outbox()
    elapsed = time.perf_counter() - started
    event.remove(db.engine, "before_cursor_execute", listener)
    left = db.session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.status == "pending"))
    db.session.remove()
    if left:
        raise SystemExit(f"{left} events still pending after the relay")
    return elapsed, len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgresql://... (a fresh database is created on that server)")
    parser.add_argument("--backlogs", default="50,200,1000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-relay-") as tmp:
        database = FreshDatabase(args.database_url, Path(tmp))
        try:
            build_app(database.url, Path(tmp))
            print(f"database: {database.label}; load average {os.getloadavg()[0]:.2f}")
            print("| backlog | ms | µs/event | statements | µs/event vs smallest |\n|---:|---:|---:|---:|---:|")
            baseline = None
            for size in (int(b) for b in args.backlogs.split(",")):
                elapsed, statements = relay_once(size)
                per_event = elapsed / size * 1e6
                baseline = baseline or per_event
                print(f"| {size} | {elapsed * 1e3:.1f} | {per_event:.0f} | {statements} "
                      f"| {per_event / baseline:.2f}x |")
        finally:
            database.drop()


if __name__ == "__main__":
    main()
