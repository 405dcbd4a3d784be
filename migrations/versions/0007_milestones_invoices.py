"""invoice table (milestone acceptance times live in the existing orders.milestones JSON)

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-02 09:13:58.556979
"""
from alembic import op
import sqlalchemy as sa
import app.models.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invoice',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('order_id', sa.String(length=32), nullable=False),
    sa.Column('issuer', sa.String(length=20), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('tax_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('applied_by', sa.String(length=100), nullable=False),
    sa.Column('applied_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('invoice_no', sa.String(length=64), nullable=True),
    sa.Column('issued_by', sa.String(length=100), nullable=True),
    sa.Column('issued_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deducted', sa.Boolean(), nullable=True),
    sa.Column('return_tracking_no', sa.String(length=100), nullable=True),
    sa.Column('red_letter_form', sa.String(length=32), nullable=True),
    sa.Column('return_submitted_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned_by', sa.String(length=100), nullable=True),
    sa.Column('returned_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_invoice_order_id_orders')),
    sa.ForeignKeyConstraint(['red_letter_form'], ['attachment.id'], name=op.f('fk_invoice_red_letter_form_attachment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice'))
    )
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_order_status', ['order_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_order_status')

    op.drop_table('invoice')
