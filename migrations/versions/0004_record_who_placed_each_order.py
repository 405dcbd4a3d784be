"""record who placed each order

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('placed_by', sa.String(length=100), nullable=True))
        batch_op.create_index('ix_orders_placed_by_created', ['placed_by', 'created_at'], unique=False)
    # existing orders: the platform principal named by their order_placed event
    op.execute("""
        UPDATE orders SET placed_by = (
          SELECT actor_name FROM audit_event
          WHERE audit_event.order_id = orders.id AND audit_event.type = 'order_placed'
            AND audit_event.actor_role = 'platform'
          ORDER BY seq LIMIT 1)
    """)


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_placed_by_created')
        batch_op.drop_column('placed_by')
