"""SQLite: a trend row per article, its UTC day and (source, language) cell as two integers

Keeping a common word's counts groups its matches per day, source and language; at a million articles the
commonest word has half a million. With 0008's index the group key was a day number and two texts, and
sorting half a million such keys took most of the count. `trend_cells` numbers the (source, language)
pairs, folded as kept counts fold them ('' for none, language in lower case); `trend_rows` holds each
article's day number and cell, written by triggers beside the full-text index's, so no insert path has to
know. The count sorts one integer per match: the count of «он» went from 0.46-0.53 to 0.25-0.29 s
(2 cores, a kept copy of benchmarks/bench_search.py's million articles). The table replaces 0008's index
and virtual column, which nothing else read.

Revision ID: 0012_trend_rows
Revises: 0011_source_claimed_at
Create Date: 2026-11-29 05:00:00
"""

from alembic import op

revision = "0012_trend_rows"
down_revision = "0011_source_claimed_at"
branch_labels = None
depends_on = None

OLD_INDEX, OLD_COLUMNS = "ix_articles_trend_days", ["id", "trend_day", "source", "language"]


def _day(row: str = "") -> str:
    """The Julian day number of the row's UTC day: julianday() of midnight is N - 0.5 for day N."""
    of = f"{row}." if row else ""
    return f"CAST(julianday(coalesce({of}published_at, {of}stored_at)) + 0.5 AS INTEGER)"


def _cell(row: str) -> tuple[str, str]:
    return f"coalesce({row}.source, '')", f"lower(coalesce({row}.language, ''))"


def _cell_id(row: str) -> str:
    source, language = _cell(row)
    return f"(SELECT id FROM trend_cells WHERE source = {source} AND language = {language})"


def _add_cell(row: str) -> str:
    """Numbers the row's cell if it is new. Not INSERT OR IGNORE: an INSERT OR REPLACE into articles would
    make it a REPLACE, renumbering a cell other rows hold."""
    source, language = _cell(row)
    return f"INSERT INTO trend_cells (source, language) SELECT {source}, {language} WHERE {_cell_id(row)} IS NULL; "


TABLES = [
    "CREATE TABLE trend_cells (id INTEGER PRIMARY KEY, source VARCHAR(200) NOT NULL, "
    "language VARCHAR(10) NOT NULL, UNIQUE (source, language))",
    "CREATE TABLE trend_rows (id INTEGER PRIMARY KEY, day INTEGER NOT NULL, cell INTEGER NOT NULL)",
]
TRIGGERS = {
    "trend_rows_ai": "AFTER INSERT ON articles BEGIN "
    + _add_cell("new")
    + f"INSERT INTO trend_rows (id, day, cell) VALUES (new.id, {_day('new')}, {_cell_id('new')}); END",
    "trend_rows_au": "AFTER UPDATE OF published_at, stored_at, source, language ON articles BEGIN "
    + _add_cell("new")
    + f"UPDATE trend_rows SET day = {_day('new')}, cell = {_cell_id('new')} WHERE id = new.id; END",
    "trend_rows_ad": "AFTER DELETE ON articles BEGIN DELETE FROM trend_rows WHERE id = old.id; END",
}
SOURCE, LANGUAGE = _cell("articles")
BACKFILL = [
    f"INSERT INTO trend_cells (source, language) SELECT DISTINCT {SOURCE}, {LANGUAGE} FROM articles",
    f"INSERT INTO trend_rows (id, day, cell) SELECT articles.id, {_day('articles')}, trend_cells.id "
    f"FROM articles JOIN trend_cells ON trend_cells.source = {SOURCE} AND trend_cells.language = {LANGUAGE}",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in TABLES + BACKFILL:
        op.execute(statement)
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.drop_index(OLD_INDEX, table_name="articles")
    op.execute("ALTER TABLE articles DROP COLUMN trend_day")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"ALTER TABLE articles ADD COLUMN trend_day INTEGER GENERATED ALWAYS AS ({_day()}) VIRTUAL")
    op.create_index(OLD_INDEX, "articles", OLD_COLUMNS)
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE trend_rows")
    op.execute("DROP TABLE trend_cells")
