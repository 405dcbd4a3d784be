"""the Weaver cloud store: tenants, apps, purchase applications, entitlements; instances and tasks without an order

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 13:10:00.000000
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_SUPERVISION_ONLY = sa.text("kind = 'supervision'")
_UTC = app.models.base.UTCDateTime(timezone=True)


def _create_store_tables() -> None:
    op.create_table('tenant',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('cloud', sa.String(length=10), nullable=False),
    sa.Column('environment', sa.String(length=100), nullable=True),
    sa.Column('supervisor', sa.Boolean(), nullable=False),
    sa.Column('created_at', _UTC, nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_tenant'))
    )
    op.create_index(op.f('ix_tenant_environment'), 'tenant', ['environment'], unique=False)
    op.create_index('uq_tenant_environment_supervisor', 'tenant', ['environment'], unique=True,
                    sqlite_where=sa.text('supervisor'), postgresql_where=sa.text('supervisor'))
    op.create_table('store_app',
    sa.Column('app_id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('publisher', sa.String(length=100), nullable=False),
    sa.Column('special', sa.Boolean(), nullable=False),
    sa.Column('trial', sa.Boolean(), nullable=False),
    sa.Column('contact', sa.JSON(), nullable=False),
    sa.Column('created_at', _UTC, nullable=False),
    sa.PrimaryKeyConstraint('app_id', name=op.f('pk_store_app'))
    )
    op.create_table('purchase_application',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('app_id', sa.String(length=100), nullable=False),
    sa.Column('tenant', sa.String(length=100), nullable=False),
    sa.Column('applicant', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('contact', sa.JSON(), nullable=False),
    sa.Column('pc_seats', sa.Integer(), nullable=True),
    sa.Column('mobile_seats', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decision', sa.JSON(), nullable=True),
    sa.Column('created_at', _UTC, nullable=False),
    sa.Column('decided_at', _UTC, nullable=True),
    sa.ForeignKeyConstraint(['app_id'], ['store_app.app_id'], name=op.f('fk_purchase_application_app_id_store_app')),
    sa.ForeignKeyConstraint(['tenant'], ['tenant.name'], name=op.f('fk_purchase_application_tenant_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_application'))
    )
    op.create_index(op.f('ix_purchase_application_app_id'), 'purchase_application', ['app_id'], unique=False)
    op.create_index(op.f('ix_purchase_application_tenant'), 'purchase_application', ['tenant'], unique=False)
    op.create_index('uq_purchase_application_trial', 'purchase_application', ['app_id', 'tenant'], unique=True,
                    sqlite_where=sa.text("kind = 'trial'"), postgresql_where=sa.text("kind = 'trial'"))
    op.create_table('entitlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('app_id', sa.String(length=100), nullable=False),
    sa.Column('tenant', sa.String(length=100), nullable=False),
    sa.Column('environment', sa.String(length=100), nullable=True),
    sa.Column('covers_environment', sa.Boolean(), nullable=False),
    sa.Column('pc_seats', sa.Integer(), nullable=False),
    sa.Column('mobile_seats', sa.Integer(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('trial', sa.Boolean(), nullable=False),
    sa.Column('seats_pending_adjustment', sa.Boolean(), nullable=False),
    sa.Column('application_id', sa.String(length=32), nullable=False),
    sa.Column('updated_at', _UTC, nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['store_app.app_id'], name=op.f('fk_entitlement_app_id_store_app')),
    sa.ForeignKeyConstraint(['application_id'], ['purchase_application.id'],
                            name=op.f('fk_entitlement_application_id_purchase_application')),
    sa.ForeignKeyConstraint(['tenant'], ['tenant.name'], name=op.f('fk_entitlement_tenant_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entitlement')),
    sa.UniqueConstraint('app_id', 'tenant', name='uq_entitlement_app_tenant')
    )
    op.create_index(op.f('ix_entitlement_environment'), 'entitlement', ['environment'], unique=False)
    op.create_index(op.f('ix_entitlement_tenant'), 'entitlement', ['tenant'], unique=False)


def upgrade() -> None:
    _create_store_tables()
    with op.batch_alter_table('principal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tenant', sa.String(length=100), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_principal_tenant_tenant'), 'tenant', ['tenant'], ['name'])
    # the partial unique index is dropped around the table rebuild and made again exactly as it was
    op.drop_index('uq_process_instance_order_supervision', table_name='process_instance')
    for table in ('process_instance', 'task'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('order_id', existing_type=sa.String(length=32), nullable=True)
            batch_op.add_column(sa.Column('application_id', sa.String(length=32), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_application_id_purchase_application'),
                                        'purchase_application', ['application_id'], ['id'])
            batch_op.create_index(batch_op.f(f'ix_{table}_application_id'), ['application_id'], unique=False)
    op.create_index('uq_process_instance_order_supervision', 'process_instance', ['order_id'], unique=True,
                    sqlite_where=_SUPERVISION_ONLY, postgresql_where=_SUPERVISION_ONLY)


def downgrade() -> None:
    op.execute("DELETE FROM task WHERE order_id IS NULL")
    op.execute("DELETE FROM process_instance WHERE order_id IS NULL")
    op.drop_index('uq_process_instance_order_supervision', table_name='process_instance')
    for table in ('task', 'process_instance'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_application_id'))
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_application_id_purchase_application'),
                                     type_='foreignkey')
            batch_op.drop_column('application_id')
            batch_op.alter_column('order_id', existing_type=sa.String(length=32), nullable=False)
    op.create_index('uq_process_instance_order_supervision', 'process_instance', ['order_id'], unique=True,
                    sqlite_where=_SUPERVISION_ONLY, postgresql_where=_SUPERVISION_ONLY)
    with op.batch_alter_table('principal', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_principal_tenant_tenant'), type_='foreignkey')
        batch_op.drop_column('tenant')
    for table in ('entitlement', 'purchase_application', 'store_app', 'tenant'):
        op.drop_table(table)
