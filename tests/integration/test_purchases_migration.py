"""Migration 0013: process instances and tasks bound to a purchase application have no order, the order's
single supervision stays unique (uq_process_instance_order_supervision), one trial per app and tenant
(weaver-purchase.zh.txt 四.5, also against racing requests), and back down to 0012 (the
applications' instances go, the orders' stay). Run on a database of its own."""
import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from app.adapters.alembic import alembic_config, upgrade
from tests.integration.test_instance_kind_migration import AT, DEFINITION, INSTANCE, ORDER

A = "a" * 32
P = "p" * 32
STORE = ["INSERT INTO tenant (name, cloud, environment, supervisor, created_at) VALUES ('t', 'public', NULL, "
         ":no, :at)",
         "INSERT INTO store_app (app_id, name, publisher, special, trial, contact, created_at) VALUES ('crm', 'CRM', "
         "'acme', :no, :no, '{}', :at)",
         "INSERT INTO purchase_application (id, app_id, tenant, applicant, kind, status, contact, created_at) "
         "VALUES (:p, 'crm', 't', 'bob', 'purchase', 'pending', '{}', :at)"]
APPLICATION_INSTANCE = """INSERT INTO process_instance (id, order_id, application_id, kind, definition_id, state,
                          status, updated_at, version_id) VALUES (2, NULL, :p, 'purchase', 1, '{}', 'running', :at, 1)"""
APPLICATION_TASK = """INSERT INTO task (id, order_id, application_id, process_instance_id, node_id, name, role,
                      actions, forms, status, created_at)
                      VALUES ('t1', NULL, :p, 2, 'review_application', 'Review', 'business', '[]', '{}', 'ready', :at)"""


def test_application_instances_have_no_order_and_the_supervision_stays_unique(blank_url):
    upgrade(blank_url, "0012")
    engine = create_engine(blank_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(DEFINITION), {"hash": "0" * 64, "at": AT})
            connection.execute(text(ORDER), {"id": A, "hash": "0" * 64, "yes": True, "at": AT})
            connection.execute(text(INSTANCE), {"id": 1, "order_id": A, "at": AT})
        upgrade(blank_url, "0013")
        with engine.begin() as connection:
            for statement in STORE:
                connection.execute(text(statement), {"no": False, "at": AT, "p": P})
            connection.execute(text(APPLICATION_INSTANCE), {"p": P, "at": AT})
            connection.execute(text(APPLICATION_TASK), {"p": P, "at": AT})
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(INSTANCE), {"id": 3, "order_id": A, "at": AT})  # a second supervision
        trial = STORE[2].replace("'purchase'", "'trial'").replace(":p,", ":id,")
        with engine.begin() as connection:
            connection.execute(text(trial), {"id": "t" * 32, "at": AT})
        with pytest.raises(IntegrityError), engine.begin() as connection:  # a second trial of the app by 't'
            connection.execute(text(trial), {"id": "u" * 32, "at": AT})
        command.downgrade(alembic_config(blank_url), "0012")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT id, order_id FROM process_instance")).all() == [(1, A)]
            assert connection.execute(text("SELECT count(*) FROM task")).scalar() == 0
    finally:
        engine.dispose()
