"""Watch aliases: named spellings (`@zhambyl`) that every watch's query may use

Revision ID: 0004_watch_aliases
Revises: 0003_story_merges
Create Date: 2026-11-27 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_watch_aliases"
down_revision = "0003_story_merges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watch_aliases",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("watch_aliases")
