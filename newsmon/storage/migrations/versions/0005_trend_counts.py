"""Kept trend counts: articles per UTC day, source and language for the query words common enough to be slow

A kept key is a set of index terms (one query word's terms, or an OR of words); the database keeps, for
every (day, source, language), how many articles hold any of them. Triggers on `articles` keep the counts
exact as articles are stored, changed or removed, so a trend of a word found in half the archive reads a
few hundred rows instead of counting half a million matches.

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

# What the full-text index splits a term at (hyphens and apostrophes join the parts of one word; FTS5's
# unicode61 tokenizer and PostgreSQL's parser see separate tokens), so «нур-султан» holds the term «нур».
_SQLITE_TOKENS = "' ' || {terms} || ' '"
for _joiner in ("-", "\u2010", "\u2011", "''", "\u2019", "\u02bc"):
    _SQLITE_TOKENS = _SQLITE_TOKENS.replace("{terms}", f"replace({{terms}}, '{_joiner}', ' ')")


def _sqlite_keys(row: str) -> str:
    tokens = _SQLITE_TOKENS.replace("{terms}", f"{row}.search_terms")
    return f"SELECT DISTINCT key_id FROM trend_key_terms WHERE instr({tokens}, ' ' || term || ' ') > 0"


def _sqlite_cell(row: str) -> str:
    return (
        f"date(coalesce({row}.published_at, {row}.stored_at)), coalesce({row}.source, ''), "
        f"lower(coalesce({row}.language, ''))"
    )


def _sqlite_remove(row: str) -> str:
    return (
        f"UPDATE trend_counts SET n = n - 1 WHERE (day, source, language) = ({_sqlite_cell(row)}) "
        f"AND key_id IN ({_sqlite_keys(row)});"
    )


def _sqlite_add(row: str) -> str:
    return (
        f"INSERT INTO trend_counts (key_id, day, source, language, n) "
        f"SELECT key_id, {_sqlite_cell(row)}, 1 FROM ({_sqlite_keys(row)}) WHERE true "
        "ON CONFLICT (key_id, day, source, language) DO UPDATE SET n = n + 1;"
    )


_WATCHED = "search_terms, published_at, stored_at, source, language"
SQLITE_TRIGGERS = [
    "CREATE TRIGGER articles_trend_ai AFTER INSERT ON articles "
    f"WHEN EXISTS (SELECT 1 FROM trend_key_terms) BEGIN {_sqlite_add('new')} END",
    "CREATE TRIGGER articles_trend_ad AFTER DELETE ON articles "
    f"WHEN EXISTS (SELECT 1 FROM trend_key_terms) BEGIN {_sqlite_remove('old')} END",
    f"CREATE TRIGGER articles_trend_au AFTER UPDATE OF {_WATCHED} ON articles "
    f"WHEN EXISTS (SELECT 1 FROM trend_key_terms) BEGIN {_sqlite_remove('old')} {_sqlite_add('new')} END",
]

_PG_CELL = "(coalesce({r}.published_at, {r}.stored_at) AT TIME ZONE 'UTC')::date, coalesce({r}.source, ''), lower(coalesce({r}.language, ''))"
_PG_KEYS = "SELECT DISTINCT key_id FROM trend_key_terms WHERE term = ANY (tsvector_to_array({r}.search_vector))"
POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION newsmon_trend_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM trend_key_terms) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    UPDATE trend_counts SET n = n - 1
    WHERE (day, source, language) = ({_PG_CELL.format(r="OLD")}) AND key_id IN ({_PG_KEYS.format(r="OLD")});
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO trend_counts AS c (key_id, day, source, language, n)
    SELECT key_id, {_PG_CELL.format(r="NEW")}, 1 FROM ({_PG_KEYS.format(r="NEW")}) AS k
    ON CONFLICT (key_id, day, source, language) DO UPDATE SET n = c.n + 1;
  END IF;
  RETURN NULL;
END $$""",
    f"CREATE TRIGGER articles_trend_counts AFTER INSERT OR DELETE OR UPDATE OF {_WATCHED} ON articles "
    "FOR EACH ROW EXECUTE FUNCTION newsmon_trend_counts()",
]


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
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_TRIGGERS if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("articles_trend_ai", "articles_trend_ad", "articles_trend_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS articles_trend_counts ON articles")
        op.execute("DROP FUNCTION IF EXISTS newsmon_trend_counts()")
    op.drop_table("trend_counts")
    op.drop_table("trend_key_terms")
    op.drop_table("trend_keys")
