"""Kept trend counts: articles per UTC day, source and language for the query words common enough to be slow

A kept key is a set of index terms (one query word's terms, or an OR of words); the database keeps, for
every (day, source, language), how many articles hold any of them. The repository updates the counts in
the transaction that stores an article or a new version, so a trend of a word found in half the archive
reads a few thousand rows instead of counting half a million matches.

Revision ID: 0005_trend_counts
Revises: 0004_watch_aliases
Create Date: 2026-11-28 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_trend_counts"
down_revision = "0004_watch_aliases"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "trend_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("terms", name="uq_trend_keys_terms"),
    )
    op.create_table(
        "trend_key_terms",
        sa.Column("term", sa.String(length=1000), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["trend_keys.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("term", "key_id"),
    )
    op.create_table(
        "trend_counts",
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["trend_keys.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key_id", "day", "source", "language"),
    )
    if op.get_bind().dialect.name == "sqlite":  # each index term with its document count
        op.execute("CREATE VIRTUAL TABLE articles_fts_vocab USING fts5vocab(articles_fts, row)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS articles_fts_vocab")
    op.drop_table("trend_counts")
    op.drop_table("trend_key_terms")
    op.drop_table("trend_keys")
