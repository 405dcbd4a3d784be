"""process instances have a kind, tasks belong to an instance, outbox table

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:10:00.000000
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='supervision', nullable=False))
        batch_op.drop_constraint('uq_process_instance_order_id', type_='unique')
        batch_op.create_unique_constraint('uq_process_instance_order_kind', ['order_id', 'kind'])
        batch_op.create_index(batch_op.f('ix_process_instance_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('process_instance_id', sa.Integer(), nullable=True))
    # existing tasks belong to their order's one (supervision) instance
    op.execute("""
        UPDATE task SET process_instance_id = (
          SELECT id FROM process_instance
          WHERE process_instance.order_id = task.order_id AND process_instance.kind = 'supervision')
    """)
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.alter_column('process_instance_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_task_process_instance_id_process_instance'),
                                    'process_instance', ['process_instance_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_task_process_instance_id'), ['process_instance_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=32), nullable=True),
    sa.Column('type', sa.String(length=50), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='pending', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_outbox_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_order_id'), ['order_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_order_id'))
        batch_op.drop_index('ix_outbox_due')
    op.drop_table('outbox')

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_process_instance_id'))
        batch_op.drop_constraint(batch_op.f('fk_task_process_instance_id_process_instance'), type_='foreignkey')
        batch_op.drop_column('process_instance_id')
    op.execute("DELETE FROM process_instance WHERE kind <> 'supervision'")
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_instance_order_id'))
        batch_op.drop_constraint('uq_process_instance_order_kind', type_='unique')
        batch_op.create_unique_constraint('uq_process_instance_order_id', ['order_id'])
        batch_op.drop_column('kind')
