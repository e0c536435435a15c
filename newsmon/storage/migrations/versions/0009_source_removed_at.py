"""Sources whose definition is gone: `removed_at` marks the row instead of deleting it

A source's crawl runs and articles refer to it by name, so its row stays when its definition file or entry
disappears; the sync sets `removed_at`, and the scheduler, `sources list` and `schedule` leave the row out.
A definition that comes back clears it.

Revision ID: 0009_source_removed_at
Revises: 0008_trend_day
Create Date: 2026-11-27 21:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_source_removed_at"
down_revision = "0008_trend_day"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("removed_at")
