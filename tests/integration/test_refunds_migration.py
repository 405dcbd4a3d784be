"""Migration 0006: refund runs may repeat on an order (a second `refund` instance is allowed, a second
supervision still is not), one open refund per order, and back down to 0005. Run on a database of its own."""
import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from app.adapters.alembic import alembic_config, upgrade
from tests.integration.test_instance_kind_migration import AT, DEFINITION, INSTANCE, ORDER

KIND_INSTANCE = """INSERT INTO process_instance (id, order_id, kind, definition_id, state, status, updated_at,
                   version_id) VALUES (:id, :order_id, :kind, 1, '{}', 'running', :at, 1)"""
REFUND = """INSERT INTO refund (id, order_id, kind, amount, reason, share_contact, status, created_at)
            VALUES (:id, :order_id, 'negotiated', 10, 'r', :no, :status, :at)"""
A = "a" * 32


def test_refund_runs_repeat_supervision_does_not_and_one_refund_is_open_at_a_time(blank_url):
    upgrade(blank_url, "0005")
    engine = create_engine(blank_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(DEFINITION), {"hash": "0" * 64, "at": AT})
            connection.execute(text(ORDER), {"id": A, "hash": "0" * 64, "yes": True, "at": AT})
            connection.execute(text(INSTANCE), {"id": 1, "order_id": A, "at": AT})
        upgrade(blank_url, "0006")
        with engine.begin() as connection:
            for n in (2, 3):
                connection.execute(text(KIND_INSTANCE), {"id": n, "order_id": A, "kind": "refund", "at": AT})
            connection.execute(text(REFUND), {"id": "r1", "order_id": A, "no": False, "status": "rejected", "at": AT})
            connection.execute(text(REFUND), {"id": "r2", "order_id": A, "no": False, "status": "pending_seller",
                                              "at": AT})
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(KIND_INSTANCE), {"id": 4, "order_id": A, "kind": "supervision", "at": AT})
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(REFUND), {"id": "r3", "order_id": A, "no": False, "status": "refunding",
                                              "at": AT})
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM process_instance")).scalar() == 3
        command.downgrade(alembic_config(blank_url), "0005")  # refund runs go, the supervision stays
        with engine.connect() as connection:
            assert connection.execute(text("SELECT id, kind FROM process_instance")).all() == [(1, "supervision")]
    finally:
        engine.dispose()
