"""PostgreSQL: article rows of a few hundred bytes, their long values (text, index terms, vector) in TOAST

A trend or an export of a common word visits the heap row of every match. With the default
toast_tuple_target (about 2 KB) the body, the index terms and the tsvector of a short article stay in its
row: four rows to an 8 KB page, and a word in half of a million articles read 2 GB of pages. Moved out, the
rows of a million articles take 244 MB instead of 1,952, and counting that word per day takes 0.33-0.47 s
instead of 1.1-1.2 s (2 cores, benchmarks/bench_search.py --wide-rows for the old layout). The values are
read from TOAST only where a query needs them (a result's text, a snippet). The setting applies to rows
written from now on; `VACUUM FULL articles` rewrites the stored ones (docs/deployment.md). SQLite keeps
its narrow index instead (0006).

Revision ID: 0007_narrow_article_rows
Revises: 0006_trend_scan_index
Create Date: 2026-11-27 11:00:00
"""

from alembic import op

revision = "0007_narrow_article_rows"
down_revision = "0006_trend_scan_index"
branch_labels = None
depends_on = None

# PostgreSQL's least is 128. The longest values go out first (body, vector, terms), then the next longest
# (a URL, the title) while the row is still over it; a million rows took 244 MB.
TARGET = 256


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE articles SET (toast_tuple_target = {TARGET})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE articles RESET (toast_tuple_target)")
