"""billing policies are cached per API process: any committed change of the table notifies every process

``shared.billing.policy.load_policy`` answers from a per-process read cache (``shared/cache.py``) that also holds
"no policy written" (the defaults), so an INSERT must notify as well as an UPDATE or DELETE. The cache is emptied
whole (policies are few and small), hence a statement-level trigger and a payload of the table name alone.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 21:40:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION fotogen_notify_invalidate_table() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('fotogen_invalidate', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER billing_policies_invalidate AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON billing_policies "
        "FOR EACH STATEMENT EXECUTE FUNCTION fotogen_notify_invalidate_table()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER billing_policies_invalidate ON billing_policies")
    op.execute("DROP FUNCTION fotogen_notify_invalidate_table()")
