"""callbacks: production interfaces, access keys, callbacks, orders.instance_id

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-02 12:52:33.496277
"""
from alembic import op
import sqlalchemy as sa
import app.models.base


revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('access_key', sa.String(length=64), nullable=False),
    sa.Column('principal', sa.String(length=100), nullable=False),
    sa.Column('secret_salt', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_key')),
    sa.UniqueConstraint('access_key', name=op.f('uq_access_key_access_key'))
    )
    with op.batch_alter_table('access_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_key_principal'), ['principal'], unique=False)

    op.create_table('production_interface',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller', sa.String(length=100), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('key_salt', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_production_interface')),
    sa.UniqueConstraint('seller', name=op.f('uq_production_interface_seller'))
    )
    op.create_table('callback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.String(length=32), nullable=False),
    sa.Column('seller', sa.String(length=100), nullable=False),
    sa.Column('activity', sa.String(length=40), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('result_code', sa.String(length=20), nullable=True),
    sa.Column('next_attempt_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_token', sa.String(length=32), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_callback_order_id_orders')),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_callback_outbox_id_outbox')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback')),
    sa.UniqueConstraint('outbox_id', name=op.f('uq_callback_outbox_id'))
    )
    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.create_index('ix_callback_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_callback_order_status', ['order_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_callback_seller_created', ['seller', 'created_at'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instance_id', sa.String(length=64), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('instance_id')

    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.drop_index('ix_callback_seller_created')
        batch_op.drop_index('ix_callback_order_status')
        batch_op.drop_index('ix_callback_due')

    op.drop_table('callback')
    op.drop_table('production_interface')
    with op.batch_alter_table('access_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_key_principal'))

    op.drop_table('access_key')
