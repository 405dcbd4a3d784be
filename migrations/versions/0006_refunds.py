"""refunds, the buyers' account ledger, appeals on refunds; one supervision instance per order (refund runs repeat)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:30:00.000000
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('pending_seller', 'awaiting_return', 'awaiting_inspection', 'refunding')")
SUPERVISION_ONLY = sa.text("kind = 'supervision'")
UTC = app.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_constraint('uq_process_instance_order_kind', type_='unique')
    op.create_index('uq_process_instance_order_supervision', 'process_instance', ['order_id'], unique=True,
                    sqlite_where=SUPERVISION_ONLY, postgresql_where=SUPERVISION_ONLY)

    op.create_table('refund',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('order_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('goods', sa.String(length=20), nullable=True),
    sa.Column('share_contact', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('process_instance_id', sa.Integer(), nullable=True),
    sa.Column('return_logistics', sa.JSON(), nullable=True),
    sa.Column('quota_year', sa.Integer(), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('decided_at', UTC, nullable=True),
    sa.Column('refunding_at', UTC, nullable=True),
    sa.Column('refunded_at', UTC, nullable=True),
    sa.Column('reminded_at', UTC, nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refund_order_id_orders')),
    sa.ForeignKeyConstraint(['process_instance_id'], ['process_instance.id'],
                            name=op.f('fk_refund_process_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund'))
    )
    op.create_index(op.f('ix_refund_order_id'), 'refund', ['order_id'], unique=False)
    op.create_index('ix_refund_status_refunding', 'refund', ['status', 'refunding_at'], unique=False)
    op.create_index('uq_refund_open_order', 'refund', ['order_id'], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)

    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=False),
    sa.Column('balance', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account')),
    sa.UniqueConstraint('owner', name=op.f('uq_account_owner'))
    )
    op.create_table('account_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('balance_after', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('refund_id', sa.String(length=32), nullable=True),
    sa.Column('order_id', sa.String(length=32), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_account_entry_account_id_account')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_account_entry_order_id_orders')),
    sa.ForeignKeyConstraint(['refund_id'], ['refund.id'], name=op.f('fk_account_entry_refund_id_refund')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_entry')),
    sa.UniqueConstraint('refund_id', name=op.f('uq_account_entry_refund_id'))
    )
    op.create_index(op.f('ix_account_entry_account_id'), 'account_entry', ['account_id'], unique=False)

    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refund_id', sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_appeal_refund_id_refund'), 'refund', ['refund_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_appeal_refund_id'), ['refund_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeal_refund_id'))
        batch_op.drop_constraint(batch_op.f('fk_appeal_refund_id_refund'), type_='foreignkey')
        batch_op.drop_column('refund_id')
    op.drop_index(op.f('ix_account_entry_account_id'), table_name='account_entry')
    op.drop_table('account_entry')
    op.drop_table('account')
    op.drop_index('uq_refund_open_order', table_name='refund')
    op.drop_index('ix_refund_status_refunding', table_name='refund')
    op.drop_index(op.f('ix_refund_order_id'), table_name='refund')
    op.drop_table('refund')
    op.execute("DELETE FROM task WHERE process_instance_id IN (SELECT id FROM process_instance WHERE kind <> 'supervision')")
    op.execute("DELETE FROM process_instance WHERE kind <> 'supervision'")
    op.drop_index('uq_process_instance_order_supervision', table_name='process_instance')
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_process_instance_order_kind', ['order_id', 'kind'])
