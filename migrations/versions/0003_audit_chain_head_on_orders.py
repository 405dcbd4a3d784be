"""audit chain head on orders

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 18:57:22.000472
"""
from alembic import op
import sqlalchemy as sa
import app.models.base


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_head_seq', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('audit_head_hash', sa.String(length=64), nullable=True))
    # existing chains: their head is their last event
    op.execute("""
        UPDATE orders SET
          audit_head_seq = COALESCE((SELECT MAX(seq) FROM audit_event WHERE audit_event.order_id = orders.id), 0),
          audit_head_hash = (SELECT hash FROM audit_event WHERE audit_event.order_id = orders.id
                             ORDER BY seq DESC LIMIT 1)
    """)


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('audit_head_hash')
        batch_op.drop_column('audit_head_seq')

