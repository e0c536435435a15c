"""Story merges: a story whose copies turned out to belong to an older story points to it

Revision ID: 0003_story_merges
Revises: 0002_api_tokens
Create Date: 2026-11-27 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_story_merges"
down_revision = "0002_api_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stories", sa.Column("merged_into", sa.Integer(), nullable=True))
    op.add_column("stories", sa.Column("merged_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_stories_merged_into", "stories", ["merged_into"])


def downgrade() -> None:
    op.drop_index("ix_stories_merged_into", table_name="stories")
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("merged_at")
        batch.drop_column("merged_into")
