"""Listings batch-load what they show: the SQL statements of one page do not grow with its rows.

Counted with a `before_cursor_execute` listener on the application's engine around one real HTTP call;
the counts are printed (`pytest -s`) so a change shows its figures."""
import pytest
from sqlalchemy import event

from tests.conftest import order_body
from tests.helpers import ok, recorded_statements

ORDERS, TASKS, APPEALS = "/api/v1/orders", "/api/v1/tasks", "/api/v1/appeals"
ROWS = 44  # more than the larger page, so both pages are full


def statements(api, who, path: str, page_size: int) -> int:
    with recorded_statements() as seen:
        rows = ok(api.get(path, who.token, params={"page_size": page_size}))
    assert len(rows) == page_size, f"{path}: {len(rows)} rows, the page is not full"
    return len(seen)


@pytest.fixture
def populated(api, cast, place_order):
    """Ready orders of every kind for the buyer; appealed (frozen) orders for the other buyer."""
    for product in [{}] * ROWS + [{"delivery_type": "hardware"}] * 6 + [{"supervised": False}] * 4:
        place_order(**product)
    for i in range(ROWS):
        order = ok(api.post(ORDERS, cast.platform.token, json=order_body(cast.other_buyer.name, cast.seller.name)),
                   201)
        appeal = ok(api.post(f"{ORDERS}/{order['id']}/appeals", cast.other_buyer.token,
                             json={"reason": "No answer", "demand": "Refund"}), 201)
        if i % 4 == 0:
            ok(api.post(f"{APPEALS}/{appeal['id']}/resolve", cast.ops.token, json={"outcome": "resume", "note": ""}))
    return cast


CASES = [("ops", ORDERS), ("buyer", ORDERS), ("other_buyer", ORDERS), ("seller", ORDERS),
         ("buyer", TASKS), ("ops", APPEALS)]


def test_a_page_runs_a_constant_number_of_statements(api, populated):
    counts = {}
    for who, path in CASES:
        principal = getattr(populated, who)
        counts[who, path] = statements(api, principal, path, 10), statements(api, principal, path, 40)
        print(f"\nGET {path} as {who}: {counts[who, path][0]} statements for 10 rows, "
              f"{counts[who, path][1]} for 40", end="")
    assert {case: pair for case, pair in counts.items() if pair[0] != pair[1]} == {}


class FlushCounter:
    """Counts the ORM flushes that had something to write, in any session, while active."""

    def __init__(self):
        self.count = 0

    def _count(self, *args):
        self.count += 1

    def __enter__(self):
        from sqlalchemy.orm import Session
        event.listen(Session, "before_flush", self._count)
        return self

    def __exit__(self, *exc):
        from sqlalchemy.orm import Session
        event.remove(Session, "before_flush", self._count)


def action_cost(api, who, order: dict, action: str, data: dict, attachments: list) -> tuple[int, int]:
    """(statements, flushes) of one order action over HTTP, authentication included; transaction scope
    statements aside (SQLite's BEGIN, the tests' SAVEPOINTs), so both databases count alike."""
    with recorded_statements() as seen, FlushCounter() as flushes:
        ok(api.post(f"{ORDERS}/{order['id']}/actions/{action}", who.token,
                    json={"data": data, "attachments": attachments}))
    return len([s for s in seen if not s.lstrip().upper().startswith(SCOPE)]), flushes.count


SCOPE = ("BEGIN", "SAVEPOINT", "RELEASE")
# statements and flushes of each action of the manual-service flow: token lookup 1; lock (the order, its open
# appeal and whether it has renewals in the same statement: the response reads neither again), task rows (the
# open ones and those of the stored state's tasks: the lookup's and the save's, read once) 2; attachments 1 when
# some are linked (one INSERT ... SELECT of the actor's own uploads the order lacks; the refund check of an
# acceptance 1); the one flush (audit event, order, tasks, instance: 4-6 writes). Accepting completes the order:
# its completion reads the accepting nodes and the chain (this transaction's unflushed events and rows
# from the session) and adds its writes (event, order, outbox) to the same flush; its two audit events go out
# in one INSERT on PostgreSQL (SQLAlchemy's insertmanyvalues), in two on SQLite.
ACTION_COSTS = {"submit_requirement": (9, 1), "deliver": (9, 1), "accept": (12, 1)}
ACCEPT_ON_POSTGRESQL = (11, 1)


def test_an_action_runs_a_constant_number_of_statements_and_one_flush(api, cast, place_order, upload):
    steps = [("submit_requirement", cast.buyer, {"description": "Migrate 2 TB"}, [upload(cast.buyer)]),
             ("deliver", cast.seller, {"note": "done"}, [upload(cast.seller)]),
             ("accept", cast.buyer, {}, [])]
    from app.extensions import db
    expected = ACTION_COSTS | ({"accept": ACCEPT_ON_POSTGRESQL} if db.engine.dialect.name == "postgresql" else {})
    for round_ in range(2):  # the second order's actions cost the same: nothing grows with the history
        order = place_order()
        costs = {action: action_cost(api, who, order, action, data, files) for action, who, data, files in steps}
        print(f"\nround {round_}: (statements, flushes) per action {costs}", end="")
        assert costs == expected


@pytest.mark.committed  # the app's own engine and pool, as a server runs them (no per-test outer transaction)
def test_the_token_lookup_runs_one_statement_outside_any_transaction(app):
    """Every request's authentication: one SELECT, no BEGIN/COMMIT around it (PostgreSQL: the connection is
    in autocommit while it runs; SQLite: no BEGIN is sent), and the connection goes back to the pool as it
    was: the next use case still runs in a transaction of its own."""
    from app.extensions import db
    from app.services.principals import authenticate
    from tests import factories
    who = factories.principal("buyer")
    autocommit: list[bool] = []

    def seen(conn, cursor, statement, *args):
        autocommit.append(getattr(conn.connection.dbapi_connection, "autocommit", None))

    with recorded_statements() as statements:
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            assert authenticate(who.token).name == who.name
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
    assert [s.split()[0] for s in statements] == ["SELECT"]
    if db.is_postgres:
        assert autocommit == [True]
    with db.engine.connect() as connection:  # a pooled connection is transactional again
        connection.exec_driver_sql("SELECT 1")
        assert connection.in_transaction()
        if db.is_postgres:
            assert connection.connection.dbapi_connection.autocommit is False


def test_actions_and_order_reads_do_not_load_the_diagram_xml(api, cast, place_order, upload):
    """A definition's XML (tens of KB) is deferred: loading an instance joins its definition without it."""
    order = place_order()
    with recorded_statements() as seen:
        ok(api.post(f"{ORDERS}/{order['id']}/actions/submit_requirement", cast.buyer.token,
                    json={"data": {"description": "Migrate 2 TB"}, "attachments": [upload(cast.buyer)]}))
        ok(api.get(f"{ORDERS}/{order['id']}", cast.buyer.token))
        ok(api.get(ORDERS, cast.ops.token))
    assert any("process_definition" in s for s in seen)  # the definitions are joined...
    assert not [s for s in seen if ".xml" in s]  # ...without their XML
