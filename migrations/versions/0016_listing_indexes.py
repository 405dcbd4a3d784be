"""listing indexes: each listing's filter + its (sort column, id) order, for keyset pages

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:10:00.000000

The listings read pages in (created_at, id) order (orders, tasks) or (due_at, id) order (appeals); each
index below leads with what a listing filters on and ends with that order, so a page (by cursor or the
first one) is an index range read. The indexes they replace are their prefixes (docs/decisions.md,
"Keyset pagination"). Plain CREATE INDEX: no table is rebuilt.
"""
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# (table, new index, columns, the index it replaces, that index's columns)
INDEXES = (
    ('orders', 'ix_orders_created_id', ['created_at', 'id'], 'ix_orders_created_at', ['created_at']),
    ('orders', 'ix_orders_buyer_created_id', ['buyer', 'created_at', 'id'],
     'ix_orders_buyer_created', ['buyer', 'created_at']),
    ('orders', 'ix_orders_seller_created_id', ['seller', 'created_at', 'id'],
     'ix_orders_seller_created', ['seller', 'created_at']),
    ('orders', 'ix_orders_placed_by_created_id', ['placed_by', 'created_at', 'id'],
     'ix_orders_placed_by_created', ['placed_by', 'created_at']),
    ('orders', 'ix_orders_status_created_id', ['status', 'created_at', 'id'], 'ix_orders_status', ['status']),
    ('orders', 'ix_orders_buyer_status_created_id', ['buyer', 'status', 'created_at', 'id'], None, None),
    ('orders', 'ix_orders_seller_status_created_id', ['seller', 'status', 'created_at', 'id'], None, None),
    ('orders', 'ix_orders_delivery_type_created_id', ['delivery_type', 'created_at', 'id'],
     'ix_orders_delivery_type', ['delivery_type']),
    ('task', 'ix_task_inbox_assignee', ['status', 'role', 'assignee', 'created_at', 'id'],
     'ix_task_inbox', ['status', 'role', 'assignee']),
    ('task', 'ix_task_inbox_review', ['status', 'role', 'review_role', 'created_at', 'id'], None, None),
    ('task', 'ix_task_ready_node', ['status', 'node_id', 'order_id'], None, None),  # GET /orders?node=
    ('appeal', 'ix_appeal_status_due_id', ['status', 'due_at', 'id'], 'ix_appeal_status_due', ['status', 'due_at']),
    ('appeal', 'ix_appeal_due_id', ['due_at', 'id'], None, None),
    ('process_instance', 'ix_process_instance_frozen', ['frozen_at', 'kind', 'order_id'], None, None),
)


def upgrade() -> None:
    for table, name, columns, replaced, _ in INDEXES:
        op.create_index(name, table, columns, unique=False)
        if replaced:
            op.drop_index(replaced, table_name=table)


def downgrade() -> None:
    for table, name, _, replaced, replaced_columns in reversed(INDEXES):
        if replaced:
            op.create_index(replaced, table, replaced_columns, unique=False)
        op.drop_index(name, table_name=table)
