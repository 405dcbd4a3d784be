"""Migration 0014: orders placed before it learn whether they are periodic (from their billing JSON), the
renewal table arrives, and everything goes back down to 0013. Run on a database of its own."""
from alembic import command
from sqlalchemy import create_engine, inspect, text

from app.adapters.alembic import alembic_config, upgrade
from tests.integration.test_instance_kind_migration import AT

ORDER = """INSERT INTO orders (id, order_no, request_hash, buyer, seller, product, delivery_type, supervised,
           billing, amount_paid, paid_at, status, rejection_count, created_at)
           VALUES (:id, :id, :hash, 'alice', 'acme', '{}', 'saas', :no, :billing, 10, :at, 'completed', 0, :at)"""


def test_existing_periodic_orders_are_marked_and_the_migration_goes_back_down(blank_url):
    upgrade(blank_url, "0013")
    engine = create_engine(blank_url)
    try:
        with engine.begin() as connection:
            for order_id, billing in (("p" * 32, '{"mode": "periodic", "period": "P1M"}'),
                                      ("o" * 32, '{"mode": "one_off"}')):
                connection.execute(text(ORDER), {"id": order_id, "hash": "0" * 64, "no": False, "billing": billing,
                                                 "at": AT})
        upgrade(blank_url, "0014")
        with engine.connect() as connection:
            rows = dict(connection.execute(text("SELECT id, periodic FROM orders")).all())
            assert {k: bool(v) for k, v in rows.items()} == {"p" * 32: True, "o" * 32: False}
            assert connection.execute(text("SELECT count(*) FROM renewal")).scalar() == 0
        command.downgrade(alembic_config(blank_url), "0013")
        columns = {c["name"] for c in inspect(engine).get_columns("orders")}
        assert "periodic" not in columns and "renewal" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
