"""add license hardware saas fields

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 18:13:57.786618
"""
from alembic import op
import sqlalchemy as sa
import app.models.base


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('logistics_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recipient_phone', sa.String(length=30), nullable=True),
    sa.Column('phone_matches', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_logistics_event_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logistics_event'))
    )
    with op.batch_alter_table('logistics_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logistics_event_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('app_info', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('id_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('authcode', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('authcode_claimed_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('authcode_activated_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('negotiated_refund_allowed', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('shipment', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('signed_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_orders_authcode'), ['authcode'])
        batch_op.create_unique_constraint(batch_op.f('uq_orders_id_code'), ['id_code'])



def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_orders_id_code'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_orders_authcode'), type_='unique')
        batch_op.drop_column('signed_at')
        batch_op.drop_column('shipment')
        batch_op.drop_column('negotiated_refund_allowed')
        batch_op.drop_column('authcode_activated_at')
        batch_op.drop_column('authcode_claimed_at')
        batch_op.drop_column('authcode')
        batch_op.drop_column('id_code')
        batch_op.drop_column('app_info')

    with op.batch_alter_table('logistics_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_logistics_event_order_id'))

    op.drop_table('logistics_event')
