"""Trend cells: what grouping a common word's matches per UTC day, source and language needs

Keeping a word's counts groups its matches (half a million for the commonest at a million articles) per
day, source and language.

SQLite: with 0006's dates in the narrow index, each match had its day parsed from text (date()) and
sorted on a text key. `trend_day`, the Julian day number of the article's UTC day, is computed by SQLite (a
virtual column: nothing more is stored in the row) and kept in the index instead: the first count of «он»
went from 0.65-0.73 to 0.34-0.42 s (2 cores).

PostgreSQL: it did not know how many (day, source, language) groups there are and took each match for one,
so it sorted half a million rows (or hashed them into a table sized for as many groups). Statistics on the
three (PostgreSQL 14 or newer) give it the few thousand groups there are, which it hashes: the first ask of
«он» 0.54-0.65 -> 0.48-0.54 s in a new process after VACUUM ANALYZE.

Both: trend_counts loses its foreign key to trend_keys. Its check, one per inserted count, took 45-100 ms of
a first count's 0.4-0.5 s on PostgreSQL (14,600 counts for a year of 40 sources); the repository deletes a
key's counts itself before the key.

Revision ID: 0008_trend_day
Revises: 0007_narrow_article_rows
Create Date: 2026-11-27 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_trend_day"
down_revision = "0007_narrow_article_rows"
branch_labels = None
depends_on = None

OLD_INDEX, OLD_COLUMNS = "ix_articles_trend_scan", ["id", "published_at", "stored_at", "source", "language"]
INDEX, COLUMNS = "ix_articles_trend_days", ["id", "trend_day", "source", "language"]
# julianday() of midnight is N - 0.5 for the day numbered N: + 0.5 and truncation give N all day long.
TREND_DAY = "CAST(julianday(coalesce(published_at, stored_at)) + 0.5 AS INTEGER)"
# The expression must be the one the count groups on (newsmon.storage.search period_start) to be matched.
STATISTICS = "articles_trend_cells"
PG_DAY = "CAST(timezone('UTC', coalesce(published_at, stored_at)) AS DATE)"


# Names SQLite's unnamed foreign key (as 0005 made it) when the table is copied without it; one this
# migration's downgrade made has a name of its own.
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
UNNAMED_KEY = "fk_trend_counts_key_id_trend_keys"


def upgrade() -> None:
    bind = op.get_bind()
    keys = [key["name"] or UNNAMED_KEY for key in sa.inspect(bind).get_foreign_keys("trend_counts")]
    with op.batch_alter_table("trend_counts", naming_convention=NAMING) as batch:
        for name in keys:
            batch.drop_constraint(name, "foreignkey")
    if bind.dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE articles ADD COLUMN trend_day INTEGER GENERATED ALWAYS AS ({TREND_DAY}) VIRTUAL"
        )
        op.create_index(INDEX, "articles", COLUMNS)
        op.drop_index(OLD_INDEX, table_name="articles")
    elif bind.dialect.name == "postgresql" and bind.dialect.server_version_info >= (14,):
        op.execute(
            f"CREATE STATISTICS {STATISTICS} (ndistinct) ON ({PG_DAY}), source, language FROM articles"
        )
        stored = bind.execute(sa.text("SELECT EXISTS (SELECT 1 FROM articles)")).scalar()
        if stored:  # the statistics of the articles there are, not at autovacuum's next pass
            op.execute("ANALYZE articles")


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("trend_counts") as batch:
        batch.create_foreign_key(
            "trend_counts_key_id_fkey", "trend_keys", ["key_id"], ["id"], ondelete="CASCADE"
        )
    if bind.dialect.name == "sqlite":
        op.create_index(OLD_INDEX, "articles", OLD_COLUMNS)
        op.drop_index(INDEX, table_name="articles")
        op.execute("ALTER TABLE articles DROP COLUMN trend_day")
    elif bind.dialect.name == "postgresql":
        op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
