"""The floor of bench/actions.py: one authenticated POST that commits one row, on the same app, server and
database, plus SQL statements and ORM flushes counted in the bench process (the server runs in it).

The floor route is registered by the bench on its own app object (never part of app/): `POST /bench/floor`
authenticates the bearer token exactly as the API does (app.api.auth.authenticated: its own read
transaction), then one write transaction inserts one notification row for the caller and commits."""
import time
from collections import Counter

from sqlalchemy import event
from sqlalchemy.orm import Session

FLOOR_PATH = "/bench/floor"


def install_floor(app) -> None:
    """Register the floor route on `app` (before it serves its first request)."""
    from flask import jsonify

    from app.api.auth import actor, authenticated
    from app.extensions import runtime
    from app.models import Notification
    from app.services.core.transaction import transaction

    @authenticated()
    def floor():
        with transaction() as session:
            row = Notification(recipient=actor().name, kind="bench", message="floor",
                               created_at=runtime.clock.now())
            session.add(row)
            session.flush()
            row_id = row.id
        return jsonify({"id": row_id}), 201

    app.add_url_rule(FLOOR_PATH, "bench_floor", floor, methods=["POST"])


class SqlCounter:
    """Statements (by first keyword) sent by `engine` and non-empty ORM flushes while active; each `with`
    counts one request (the bench counts requests of a warm-up order, one at a time, not the timed ones)."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: Counter = Counter()
        self.flushes = self.requests = 0

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        self.statements[statement.lstrip().split(None, 1)[0].upper()] += 1

    def _flush(self, session, flush_context, instances):
        self.flushes += 1

    def __enter__(self):
        self.requests += 1
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(Session, "before_flush", self._flush)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(Session, "before_flush", self._flush)

    def per_request(self) -> str:
        operations = self.requests
        total = sum(self.statements.values())
        kinds = ", ".join(f"{n / operations:.1f} {kind}" for kind, n in self.statements.most_common())
        return (f"{total / operations:.1f} SQL statements ({kinds}), "
                f"{self.flushes / operations:.1f} ORM flushes")


def floor_request(http, base: str, headers: dict) -> float:
    """One floor request on the client's requests.Session: its latency in seconds."""
    started = time.perf_counter()
    response = http.post(f"{base}{FLOOR_PATH}", headers=headers)
    elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise SystemExit(f"floor: expected 201, got {response.status_code}: {response.text[:300]}")
    return elapsed


def print_cost(actions, floor, action_sql: SqlCounter, floor_sql: SqlCounter) -> None:
    """The issue-13 target: action p50 <= 2x floor p50, with statements and flushes per request."""
    action_p50, floor_p50 = actions.row()[3], floor.row()[3]
    ratio = action_p50 / floor_p50
    print(f"\naction cost: action p50 {action_p50:.2f} ms / floor p50 {floor_p50:.2f} ms = {ratio:.2f}x "
          f"(target <= 2x: {'met' if ratio <= 2 else 'NOT met'})")
    print(f"  per action: {action_sql.per_request()}")
    print(f"  per floor request: {floor_sql.per_request()}")
