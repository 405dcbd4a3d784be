"""the order carries its supervision's freeze: orders.frozen_at and the index of the frozen orders

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 13:40:00.000000

GET /orders?frozen=true walked every order newest first and probed its instance (about 12,000 probes for a
page of 21 at a million orders, 3,000 of them frozen); the freeze copied onto the order, with a partial
index of the frozen orders in the listing's order, makes that page one range read (docs/decisions.md,
"Keyset pagination"). Orders frozen before this revision take their supervision instance's frozen_at.
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

FROZEN = sa.text("frozen_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frozen_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE orders SET frozen_at = (SELECT process_instance.frozen_at FROM process_instance"
               " WHERE process_instance.order_id = orders.id AND process_instance.kind = 'supervision')"
               " WHERE id IN (SELECT order_id FROM process_instance"
               " WHERE frozen_at IS NOT NULL AND kind = 'supervision')")
    op.create_index('ix_orders_frozen_created_id', 'orders', ['created_at', 'id'], unique=False,
                    sqlite_where=FROZEN, postgresql_where=FROZEN)


def downgrade() -> None:
    op.drop_index('ix_orders_frozen_created_id', table_name='orders')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('frozen_at')
