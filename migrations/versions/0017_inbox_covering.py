"""inbox indexes cover the freeze check: the task's instance id ends the inbox indexes, the instance id ends
the frozen index

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:30:00.000000

GET /tasks leaves out the tasks of frozen instances with `process_instance_id NOT IN (frozen instances)`:
with the instance id in both indexes, a page and its count read the indexes only (docs/decisions.md,
"Keyset pagination"). Each index is dropped and created again under its name with one more column at its
end; the listings' order (created_at, id) stays its prefix. Plain CREATE INDEX: no table is rebuilt, but
writes to a table wait while its index builds, and between the drop and the create the inbox reads without it.
"""
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# (table, index, columns before, the column added at the end)
INDEXES = (
    ('task', 'ix_task_inbox_assignee', ['status', 'role', 'assignee', 'created_at', 'id'], 'process_instance_id'),
    ('task', 'ix_task_inbox_review', ['status', 'role', 'review_role', 'created_at', 'id'], 'process_instance_id'),
    ('process_instance', 'ix_process_instance_frozen', ['frozen_at', 'kind', 'order_id'], 'id'),
)


def upgrade() -> None:
    for table, name, columns, added in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [*columns, added], unique=False)


def downgrade() -> None:
    for table, name, columns, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)
