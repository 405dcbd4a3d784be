"""Migration 0004 records who placed each order: existing orders take the platform principal of their
order_placed event. Run on a database of its own (SQLite file, or a fresh PostgreSQL database)."""
import uuid

from sqlalchemy import create_engine, text

from app.adapters.alembic import upgrade

ORDER = """INSERT INTO orders (id, order_no, request_hash, buyer, seller, product, delivery_type, supervised,
           billing, amount_paid, paid_at, status, rejection_count, created_at)
           VALUES (:id, :no, :hash, 'alice', 'acme', '{}', 'manual_service', :yes, '{}', 10, :at, 'processing',
                   0, :at)"""
EVENT = """INSERT INTO audit_event (order_id, seq, at, actor_name, actor_role, type, data, attachments,
           prev_hash, hash) VALUES (:order_id, :seq, :at, :name, :role, :type, '{}', '[]', :hash, :hash)"""


def _order_with_events(connection, *events: tuple[str, str, str]) -> str:
    order_id, at = uuid.uuid4().hex, "2026-01-05 08:00:00"
    connection.execute(text(ORDER), {"id": order_id, "no": order_id[:16], "hash": "0" * 64, "yes": True, "at": at})
    for seq, (name, role, kind) in enumerate(events, start=1):
        connection.execute(text(EVENT), {"order_id": order_id, "seq": seq, "at": at, "name": name, "role": role,
                                         "type": kind, "hash": "0" * 64})
    return order_id


def test_existing_orders_are_placed_by_the_platform_principal_of_their_order_placed_event(blank_url):
    upgrade(blank_url, "0003")
    engine = create_engine(blank_url)
    try:
        with engine.begin() as connection:
            placed = _order_with_events(connection, ("market-a", "platform", "order_placed"),
                                        ("alice", "buyer", "task_completed"))
            unknown = _order_with_events(connection, ("alice", "buyer", "task_completed"))
        upgrade(blank_url, "0004")
        with engine.connect() as connection:
            rows = dict(connection.execute(text("SELECT id, placed_by FROM orders")).all())
    finally:
        engine.dispose()
    assert rows == {placed: "market-a", unknown: None}
