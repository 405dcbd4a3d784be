"""indexes for the per-node statistics of a process key

Revision ID: 0011
Revises: 0005
Create Date: 2026-12-02 09:20:00.000000
"""
from alembic import op


revision = '0011'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.create_index('ix_process_instance_definition', ['definition_id', 'id'], unique=False)
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_statistics', ['process_instance_id', 'status', 'node_id', 'created_at',
                                                     'closed_at', 'due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_statistics')
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_index('ix_process_instance_definition')
