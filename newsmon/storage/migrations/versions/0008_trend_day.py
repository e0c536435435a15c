"""SQLite: each article's UTC day as a number in the narrow trend index (replaces 0006's dates)

Keeping a common word's counts groups its matches per day, source and language. With the dates in the
index, each of half a million matches had its day parsed from text (date()) and sorted on a text key:
0.45-0.55 s at a million articles. `trend_day` is the Julian day number of the article's UTC day, computed
by SQLite (a virtual column: nothing more is stored in the row) and stored only in the index, which is read
in id order beside the full-text index's matches: 0.29-0.33 s for the same count (2 cores).

Revision ID: 0008_trend_day
Revises: 0007_narrow_article_rows
Create Date: 2026-11-27 14:00:00
"""

from alembic import op

revision = "0008_trend_day"
down_revision = "0007_narrow_article_rows"
branch_labels = None
depends_on = None

OLD_INDEX, OLD_COLUMNS = "ix_articles_trend_scan", ["id", "published_at", "stored_at", "source", "language"]
INDEX, COLUMNS = "ix_articles_trend_days", ["id", "trend_day", "source", "language"]
# julianday() of midnight is N - 0.5 for the day numbered N: + 0.5 and truncation give N all day long.
TREND_DAY = "CAST(julianday(coalesce(published_at, stored_at)) + 0.5 AS INTEGER)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE articles ADD COLUMN trend_day INTEGER GENERATED ALWAYS AS ({TREND_DAY}) VIRTUAL")
        op.create_index(INDEX, "articles", COLUMNS)
        op.drop_index(OLD_INDEX, table_name="articles")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(OLD_INDEX, "articles", OLD_COLUMNS)
        op.drop_index(INDEX, table_name="articles")
        op.execute("ALTER TABLE articles DROP COLUMN trend_day")
