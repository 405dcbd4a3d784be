"""renewals, expiry and trials: the renewal table and the order's lifecycle columns

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 13:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

UTC = app.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('periodic', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('trial', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('trial_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('expiry_policy', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('auto_renewals_left', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('expires_at', UTC, nullable=True))
        batch_op.add_column(sa.Column('expired_at', UTC, nullable=True))
        batch_op.add_column(sa.Column('released_at', UTC, nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_orders_trial_key'), ['trial_key'])
        batch_op.create_index('ix_orders_lifecycle', ['status', 'periodic', 'expires_at'], unique=False)
    _mark_periodic()
    op.create_table('renewal',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('order_id', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('renewal_no', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('amount_paid', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('paid_at', UTC, nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('placed_by', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('refund_id', sa.String(length=32), nullable=True),
    sa.Column('start', UTC, nullable=True),
    sa.Column('end', UTC, nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_renewal_order_id_orders')),
    sa.ForeignKeyConstraint(['refund_id'], ['refund.id'], name=op.f('fk_renewal_refund_id_refund')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_renewal')),
    sa.UniqueConstraint('renewal_no', name=op.f('uq_renewal_renewal_no'))
    )
    with op.batch_alter_table('renewal', schema=None) as batch_op:
        batch_op.create_index('uq_renewal_order_seq', ['order_id', 'seq'], unique=True)


def _mark_periodic() -> None:
    """Orders placed before this revision: `periodic` from their billing JSON (read in Python: portable)."""
    orders = sa.table('orders', sa.column('id', sa.String), sa.column('billing', sa.JSON),
                      sa.column('periodic', sa.Boolean))
    connection = op.get_bind()
    ids = [row.id for row in connection.execute(sa.select(orders.c.id, orders.c.billing))
           if (row.billing or {}).get('mode') == 'periodic']
    for start in range(0, len(ids), 500):
        connection.execute(orders.update().where(orders.c.id.in_(ids[start:start + 500])).values(periodic=True))


def downgrade() -> None:
    with op.batch_alter_table('renewal', schema=None) as batch_op:
        batch_op.drop_index('uq_renewal_order_seq')
    op.drop_table('renewal')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_lifecycle')
        batch_op.drop_constraint(batch_op.f('uq_orders_trial_key'), type_='unique')
        for column in ('released_at', 'expired_at', 'expires_at', 'auto_renewals_left', 'expiry_policy', 'trial_key', 'trial', 'periodic'):
            batch_op.drop_column(column)
