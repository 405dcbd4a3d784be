"""Migration 0018: orders frozen before it take their supervision instance's frozen_at (a frozen refund run
does not freeze its order), and the column goes back down with 0017. Run on a database of its own."""
from alembic import command
from sqlalchemy import create_engine, inspect, text

from app.adapters.alembic import alembic_config, upgrade
from tests.integration.test_instance_kind_migration import AT, DEFINITION, ORDER

INSTANCE = """INSERT INTO process_instance (id, order_id, kind, definition_id, state, status, updated_at, version_id,
              frozen_at) VALUES (:id, :order_id, :kind, 1, '{}', 'running', :at, 1, :frozen_at)"""
FROZE = "2026-01-06 09:30:00"


def test_frozen_supervisions_freeze_their_orders_and_the_migration_goes_back_down(blank_url):
    upgrade(blank_url, "0017")
    engine = create_engine(blank_url)
    # an order frozen by an appeal, one whose refund run is frozen, one not frozen at all
    instances = (("a" * 32, "supervision", FROZE), ("b" * 32, "supervision", None), ("b" * 32, "refund", FROZE),
                 ("c" * 32, "supervision", None))
    try:
        with engine.begin() as connection:
            connection.execute(text(DEFINITION), {"hash": "0" * 64, "at": AT})
            for order_id in ("a" * 32, "b" * 32, "c" * 32):
                connection.execute(text(ORDER), {"id": order_id, "hash": "0" * 64, "yes": True, "at": AT})
            for n, (order_id, kind, frozen_at) in enumerate(instances, start=1):
                connection.execute(text(INSTANCE), {"id": n, "order_id": order_id, "kind": kind, "at": AT,
                                                    "frozen_at": frozen_at})
        upgrade(blank_url, "0018")
        with engine.connect() as connection:
            rows = dict(connection.execute(text("SELECT id, frozen_at FROM orders")).all())
        assert {k for k, v in rows.items() if v is not None} == {"a" * 32}
        assert str(rows["a" * 32]).startswith("2026-01-06 09:30:00")
        command.downgrade(alembic_config(blank_url), "0017")
        assert "frozen_at" not in {c["name"] for c in inspect(engine).get_columns("orders")}
    finally:
        engine.dispose()
