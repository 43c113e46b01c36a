"""billing: policies, end users, the credit ledger and usage records (handbook section 11)

``end_users`` carries the balance under CHECK constraints (never negative, whatever the code does);
``credit_ledger`` has one entry of each kind per job (a repeated settle writes nothing);
``usage_records`` has one row per job admitted for an end user (quotas, reservations, settling once).
``generation_images`` gains ``withheld``: an output flagged NSFW under ``withhold_nsfw_images`` is stored
nowhere, so its storage columns are null.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 14:56:07.315050+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STORED_COLUMNS = {
    'storage_key': sa.String(length=500),
    'thumbnail_key': sa.String(length=500),
    'width': sa.Integer(),
    'height': sa.Integer(),
    'content_type': sa.String(length=50),
    'size_bytes': sa.BigInteger(),
    'sha256': sa.String(length=64),
}


def upgrade() -> None:
    op.create_table('billing_policies',
    sa.Column('owner_id', sa.String(length=40), nullable=False),
    sa.Column('document', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', name=op.f('pk_billing_policies'))
    )
    op.create_table('end_users',
    sa.Column('pk', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('balance', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('reserved', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('limit_overrides', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('captured_total', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('refunded_total', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_end_users_balance_not_negative')),
    sa.CheckConstraint('reserved >= 0', name=op.f('ck_end_users_reserved_not_negative')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_end_users')),
    sa.UniqueConstraint('owner_id', 'external_id', name=op.f('uq_end_users_owner_id_external_id'))
    )
    op.create_table('credit_ledger',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.String(length=40), nullable=False),
    sa.Column('end_user_pk', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('job_type', sa.String(length=20), nullable=True),
    sa.Column('job_id', sa.String(length=40), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('balance_after', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['end_user_pk'], ['end_users.pk'], name=op.f('fk_credit_ledger_end_user_pk_end_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_ledger'))
    )
    op.create_index('ix_credit_ledger_end_user_pk_id', 'credit_ledger', ['end_user_pk', 'id'], unique=False)
    op.create_index('uq_credit_ledger_job', 'credit_ledger', ['job_type', 'job_id', 'kind'], unique=True, postgresql_where=sa.text('job_id IS NOT NULL'))
    op.create_table('usage_records',
    sa.Column('job_type', sa.String(length=20), nullable=False),
    sa.Column('job_id', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.String(length=40), nullable=False),
    sa.Column('end_user_pk', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['end_user_pk'], ['end_users.pk'], name=op.f('fk_usage_records_end_user_pk_end_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_type', 'job_id', name=op.f('pk_usage_records'))
    )
    op.create_index('ix_usage_records_end_user_pk_job_type_created_at', 'usage_records', ['end_user_pk', 'job_type', 'created_at'], unique=False)
    op.create_index('ix_usage_records_open', 'usage_records', ['end_user_pk'], unique=False, postgresql_where=sa.text("status = 'open'"))
    op.add_column('generation_images', sa.Column('withheld', sa.Boolean(), server_default=sa.false(), nullable=False))
    for column in STORED_COLUMNS:
        op.alter_column('generation_images', column, existing_type=STORED_COLUMNS[column], nullable=True)


def downgrade() -> None:
    # Withheld images have nothing stored: their rows cannot go back under NOT NULL.
    op.execute("DELETE FROM generation_images WHERE withheld")
    for column in STORED_COLUMNS:
        op.alter_column('generation_images', column, existing_type=STORED_COLUMNS[column], nullable=False)
    op.drop_column('generation_images', 'withheld')
    op.drop_index('ix_usage_records_open', table_name='usage_records', postgresql_where=sa.text("status = 'open'"))
    op.drop_index('ix_usage_records_end_user_pk_job_type_created_at', table_name='usage_records')
    op.drop_table('usage_records')
    op.drop_index('uq_credit_ledger_job', table_name='credit_ledger', postgresql_where=sa.text('job_id IS NOT NULL'))
    op.drop_index('ix_credit_ledger_end_user_pk_id', table_name='credit_ledger')
    op.drop_table('credit_ledger')
    op.drop_table('end_users')
    op.drop_table('billing_policies')
