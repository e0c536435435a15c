"""PostgreSQL: article rows of a few hundred bytes, their long values (text, index terms, vector) in TOAST

A trend or an export of a common word visits the heap row of every match. With the default
toast_tuple_target (about 2 KB) the body, the index terms and the tsvector of an article of a few hundred
words stay in its row: four rows to an 8 KB page, and a word in half of a million articles read nearly
2 GB of pages. Moved out, the rows take 250 MB, and counting that word per day takes a fifth of the time
(benchmarks/bench_search.py). The values are read from TOAST only where a query needs them (a result's
text, a snippet). The setting applies to rows written from now on; `VACUUM FULL articles` rewrites the
stored ones (docs/operations.md). SQLite keeps its narrow index instead (0006).

Revision ID: 0007_narrow_article_rows
Revises: 0006_trend_scan_index
Create Date: 2026-11-27 11:00:00
"""

from alembic import op

revision = "0007_narrow_article_rows"
down_revision = "0006_trend_scan_index"
branch_labels = None
depends_on = None

# PostgreSQL's least is 128; 256 leaves ids, dates, URLs, source and title in the row.
TARGET = 256


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE articles SET (toast_tuple_target = {TARGET})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE articles RESET (toast_tuple_target)")
