"""notifications readable by their recipients: read_at, ref, once-only dedupe_key; order_id optional

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:05:00.000000
"""
from alembic import op
import sqlalchemy as sa
import app.models.base


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('order_id', existing_type=sa.String(length=32), nullable=True)
        batch_op.add_column(sa.Column('ref', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('read_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint('uq_notification_recipient_dedupe_key', ['recipient', 'dedupe_key'])
        batch_op.create_index('ix_notification_inbox', ['recipient', 'read_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_inbox')
        batch_op.drop_constraint('uq_notification_recipient_dedupe_key', type_='unique')
        batch_op.drop_column('read_at')
        batch_op.drop_column('dedupe_key')
        batch_op.drop_column('ref')
        batch_op.alter_column('order_id', existing_type=sa.String(length=32), nullable=False)
