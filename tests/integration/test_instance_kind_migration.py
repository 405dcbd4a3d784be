"""Migration 0005: existing instances become `supervision` ones and their order's tasks name them; an
order may then hold a second instance of another kind. Run on a database of its own."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from app.adapters.alembic import upgrade

AT = "2026-01-05 08:00:00"
ORDER = """INSERT INTO orders (id, order_no, request_hash, buyer, seller, product, delivery_type, supervised,
           billing, amount_paid, paid_at, status, rejection_count, created_at)
           VALUES (:id, :id, :hash, 'alice', 'acme', '{}', 'manual_service', :yes, '{}', 10, :at, 'processing',
                   0, :at)"""
DEFINITION = """INSERT INTO process_definition (id, key, version, sha256, xml, deployed_at, status)
                VALUES (1, 'k', 1, :hash, '<x/>', :at, 'current')"""
INSTANCE = """INSERT INTO process_instance (id, order_id, definition_id, state, status, updated_at, version_id)
              VALUES (:id, :order_id, 1, '{}', 'running', :at, 1)"""
TASK = """INSERT INTO task (id, order_id, node_id, name, role, actions, forms, status, created_at)
          VALUES (:id, :order_id, 'deliver', 'Deliver', 'seller', '[]', '{}', :status, :at)"""


def test_existing_instances_become_supervision_and_their_tasks_name_them(blank_url):
    upgrade(blank_url, "0004")
    engine = create_engine(blank_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(DEFINITION), {"hash": "0" * 64, "at": AT})
            for n, order_id in enumerate(("a" * 32, "b" * 32), start=1):
                connection.execute(text(ORDER), {"id": order_id, "hash": "0" * 64, "yes": True, "at": AT})
                connection.execute(text(INSTANCE), {"id": n, "order_id": order_id, "at": AT})
                connection.execute(text(TASK), {"id": f"t{n}-open", "order_id": order_id, "status": "ready", "at": AT})
                connection.execute(text(TASK), {"id": f"t{n}-done", "order_id": order_id, "status": "completed",
                                                "at": AT})
        upgrade(blank_url, "0005")
        with engine.connect() as connection:
            kinds = dict(connection.execute(text("SELECT id, kind FROM process_instance")).all())
            owners = dict(connection.execute(text("SELECT id, process_instance_id FROM task")).all())
            outbox = connection.execute(text("SELECT count(*) FROM outbox")).scalar()
        with engine.begin() as connection:  # a second kind on one order is allowed...
            connection.execute(text("INSERT INTO process_instance (id, order_id, kind, definition_id, state, status,"
                                    " updated_at, version_id) VALUES (3, :o, 'refund', 1, '{}', 'running', :at, 1)"),
                               {"o": "a" * 32, "at": AT})
        with pytest.raises(IntegrityError), engine.begin() as connection:  # ...a second supervision is not
            connection.execute(text(INSTANCE), {"id": 4, "order_id": "a" * 32, "at": AT})
    finally:
        engine.dispose()
    assert kinds == {1: "supervision", 2: "supervision"}
    assert owners == {"t1-open": 1, "t1-done": 1, "t2-open": 2, "t2-done": 2}
    assert outbox == 0
