"""SQLite: a narrow index of what a trend counts (id, dates, source, language)

Counting a common word's articles per day reads each match's date, source and language. Looked up by id in
the articles table, whose rows hold the text, half a million matches cost seconds of random reads (4.4-4.9 s
the first time at a million articles); this index holds those columns in about 80 bytes a row, and one pass
over it takes under a second. PostgreSQL counts from its GIN index and the heap and does not need it.

Revision ID: 0006_trend_scan_index
Revises: 0005_trend_counts
Create Date: 2026-11-27 04:30:00
"""

from alembic import op

revision = "0006_trend_scan_index"
down_revision = "0005_trend_counts"
branch_labels = None
depends_on = None

INDEX = "ix_articles_trend_scan"
COLUMNS = ["id", "published_at", "stored_at", "source", "language"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(INDEX, "articles", COLUMNS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index(INDEX, table_name="articles")
