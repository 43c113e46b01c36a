"""billing: usage counters on the end user's row (admission in one statement)

Each metered job type gets ``<type>_window`` (the start of the UTC day or month its count belongs to) and
``<type>_used`` (what counts against the quota in that window), and ``open_jobs`` counts jobs not yet
settled. Admission checks and moves them in the same ``UPDATE`` that takes the row lock and the credits, so
it needs no count over ``usage_records`` (which stay: one per job, for settling once). Backfilled from
``usage_records`` for the windows current at upgrade time.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERIODS = {'generation': 'day', 'training': 'month', 'mesh': 'day', 'video': 'day'}


def upgrade() -> None:
    op.add_column('end_users', sa.Column('open_jobs', sa.Integer(), server_default='0', nullable=False))
    for job_type in PERIODS:
        op.add_column('end_users', sa.Column(f'{job_type}_window', sa.DateTime(timezone=True), nullable=True))
        op.add_column('end_users', sa.Column(f'{job_type}_used', sa.BigInteger(), server_default='0', nullable=False))
    op.create_check_constraint(op.f('ck_end_users_open_jobs_not_negative'), 'end_users', 'open_jobs >= 0')
    op.execute(
        "UPDATE end_users e SET open_jobs = "
        "(SELECT count(*) FROM usage_records u WHERE u.end_user_pk = e.pk AND u.status = 'open')"
    )
    for job_type, period in PERIODS.items():
        window = f"date_trunc('{period}', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
        op.execute(
            f"UPDATE end_users e SET {job_type}_window = {window}, {job_type}_used = "
            f"(SELECT coalesce(sum(u.counted), 0) FROM usage_records u WHERE u.end_user_pk = e.pk "
            f"AND u.job_type = '{job_type}' AND u.created_at >= {window})"
        )


def downgrade() -> None:
    op.drop_constraint(op.f('ck_end_users_open_jobs_not_negative'), 'end_users', type_='check')
    for job_type in PERIODS:
        op.drop_column('end_users', f'{job_type}_used')
        op.drop_column('end_users', f'{job_type}_window')
    op.drop_column('end_users', 'open_jobs')
