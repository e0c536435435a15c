"""Sources claimed by the scheduler: `claimed_at` says when its crawl message was sent

A claim moves `next_run_at` past the crawl's time limit, so that no second message is sent while the first is
queued. When the broker loses its messages (a Redis restarted without persistence), the scheduler releases the
claims whose crawl never started (`claimed_at` set and no run started since) instead of waiting out the hold.
A finished crawl clears it.

Revision ID: 0011_source_claimed_at
Revises: 0010_watch_language_codes
Create Date: 2026-11-28 03:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_source_claimed_at"
down_revision = "0010_watch_language_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("claimed_at")
