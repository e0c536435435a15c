"""The export read: every selected article as a plain tuple, in id order, in batches.

An export writes every row it reads, so it skips what search needs per article (a `Document`, parsed
datetimes, decoded lists): the database returns the export columns only, in `EXPORT_COLUMNS` order, with
the dates already written as ISO 8601 UTC text (as `datetime.isoformat()` writes an aware UTC value) and
`authors`/`tags` as the stored JSON array text. The writer then turns each tuple into a line directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import (
    LargeBinary,
    Select,
    String,
    Text,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.elements import Label

from newsmon.storage.search import ARTICLES, FTS_TABLE, ArticleSelection, use_full_text_index

EXPORT_COLUMNS = (
    "id",
    "story_id",
    "published",
    "source",
    "language",
    "url",
    "canonical_url",
    "title",
    "description",
    "authors",
    "tags",
    "section",
    "version",
    "stored_at",
    "text",
)
# A progress total the PostgreSQL planner expects to be larger than this is its estimate (count_export).
EXACT_COUNT_UP_TO = 100_000
# One article in EXPORT_COLUMNS order: ints, text or None; authors and tags as JSON array text.
ExportRow = Sequence[Any]


def _iso_sqlite(column: Any) -> ColumnElement[str]:
    """SQLite keeps UTC as 'YYYY-MM-DD HH:MM:SS.ffffff'; isoformat() has a 'T', the zone, no zero fraction."""
    raw = func.replace(type_coerce(column, String), " ", "T", type_=String) + literal("+00:00")
    return func.replace(raw, ".000000+", "+", type_=String)


def _iso_postgresql(column: Any) -> ColumnElement[str]:
    """The same text from a timestamptz, whatever the session's time zone (one to_char per date)."""
    utc = func.timezone("UTC", column)
    raw = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS.US+00:00', type_=String)
    return func.replace(raw, ".000000+", "+", type_=String)


def _columns(dialect: str) -> tuple[Any, ...]:
    iso = _iso_postgresql if dialect == "postgresql" else _iso_sqlite

    def json_text(column: Any) -> Any:
        # SQLite stores JSON as text already; PostgreSQL would hand psycopg a json value to decode.
        return cast(column, Text) if dialect == "postgresql" else type_coerce(column, String)

    c = ARTICLES.c
    return (
        c.id,
        c.story_id,
        iso(c.published_at).label("published"),
        c.source,
        c.language,
        c.url,
        c.canonical_url,
        c.title,
        c.description,
        json_text(c.authors).label("authors"),
        json_text(c.tags).label("tags"),
        c.section,
        c.version,
        iso(c.stored_at).label("stored_at"),
        c.text,
    )


def _json_line() -> ColumnElement[bytes]:
    """An article's JSON line (newline included) as SQLite's json_object writes it, in EXPORT_COLUMNS
    order, returned as a BLOB so that it reaches Python as UTF-8 bytes without being decoded."""
    values = dict(zip(EXPORT_COLUMNS, _columns("sqlite"), strict=True))
    for listed in ("authors", "tags"):
        values[listed] = _json_array(ARTICLES.c[listed])
    pairs = [part for name, value in values.items() for part in (literal(name), _unlabelled(value))]
    return cast(func.json_object(*pairs, type_=Text) + literal("\n"), LargeBinary)


def _json_array(column: Any) -> ColumnElement[str]:
    """A stored JSON array of text as an array with its non-ASCII letters written as they are: the stored
    text escapes them (\\u04d8...), so a non-empty array is taken apart and put together again."""
    items = func.json_each(column).table_valued("value")
    rebuilt = select(func.json_group_array(items.c.value)).scalar_subquery()
    return func.json(case((func.coalesce(column, "[]") == "[]", literal("[]")), else_=rebuilt))


def _unlabelled(column: Any) -> Any:
    return column.element if isinstance(column, Label) else column


class ExportQueries:
    """Repository mixin: the queries behind exports (with `SearchQueries`, which builds the selection)."""

    engine: Any
    reading: Any
    full_text_dialect: str
    _base: Callable[..., tuple[Select[Any], ColumnElement[float]]]

    def iter_export_batches(
        self, selection: ArticleSelection, batch_size: int = 5000
    ) -> Iterator[Sequence[ExportRow]]:
        """Every selected article in id order, `batch_size` rows at a time, in constant memory.

        PostgreSQL streams one query; SQLite reads id-ordered chunks, each in a short transaction of its
        own, so a long export never holds the database lock.
        """
        dialect = self.full_text_dialect
        if dialect == "postgresql":
            yield from self._stream_postgresql(selection, batch_size)
            return
        yield from self._sqlite_chunks(selection, _columns(dialect), batch_size)

    def iter_export_lines(
        self, selection: ArticleSelection, batch_size: int = 5000
    ) -> Iterator[tuple[int, bytes]]:
        """SQLite only: every selected article as a JSON line, `batch_size` at a time, as (rows, UTF-8
        lines). SQLite's json_object writes each line, so no row becomes Python values: 1.7 times the
        rows per second of reading the columns and encoding them with orjson. The same keys and values
        as the JSONL writer of `newsmon.search.export`, authors and tags as arrays. (CSV records built
        the same way came out slower than Python's: each field's quoting reads its value six times.)"""
        if self.full_text_dialect == "postgresql":
            raise ValueError(
                "iter_export_lines reads SQLite; PostgreSQL exports go through iter_export_batches"
            )
        for rows in self._sqlite_chunks(selection, (ARTICLES.c.id, _json_line()), batch_size):
            yield len(rows), b"".join([line for _id, line in rows])

    def _sqlite_chunks(
        self, selection: ArticleSelection, columns: Sequence[Any], batch_size: int
    ) -> Iterator[list[Any]]:
        """The selected rows of `columns` (the article id first) in id order, in chunks each read in a
        short transaction of its own, so a long export never holds the database lock."""
        query, _ = self._base(selection, *columns, scored=False)
        # Keyset on the index's own rowid when there is a MATCH, so each chunk starts where the last ended.
        key = FTS_TABLE.c.rowid if selection.match is not None else ARTICLES.c.id
        chunk = query.where(key > bindparam("after", 0)).order_by(key).limit(batch_size)
        last = 0
        while True:
            with self.reading() as s:
                # sqlite3's own cursor: plain tuples, a tenth of the time per row that result rows take
                conn = s.connection()
                sql, params = _compiled(conn, chunk.params(after=last))
                rows = conn.connection.driver_connection.execute(sql, params).fetchall()
            if rows:
                yield rows
            if len(rows) < batch_size:
                return
            last = rows[-1][0]

    def count_export(self, selection: ArticleSelection, exact_up_to: int = EXACT_COUNT_UP_TO) -> int:
        """How many articles the selection holds (an export's progress total), read from the index.

        On PostgreSQL, when the planner expects more than `exact_up_to` rows its estimate is the answer: a
        progress bar needs the size, not the exact number, and counting a common word's million matches
        costs a tenth of the export itself. Below that the count is exact, read from the full-text index.
        """
        query, _ = self._base(selection, ARTICLES.c.id, scored=False)
        counted = select(func.count()).select_from(query.subquery())
        with self.reading() as s:
            if self.full_text_dialect != "postgresql":
                return int(s.scalar(counted) or 0)
            estimate = int(_plan(s.connection(), query)["Plan Rows"])
            if estimate > exact_up_to:
                return estimate
            if selection.match is not None:
                use_full_text_index(s, self.full_text_dialect)
            return int(s.scalar(counted) or 0)

    def _stream_postgresql(
        self, selection: ArticleSelection, batch_size: int
    ) -> Iterator[Sequence[ExportRow]]:
        """One query in psycopg's streaming mode rather than through a server-side cursor.

        A cursor's server waits idle while the caller writes each batch it fetched; a stream keeps
        sending rows meanwhile (up to the socket's buffers), so the database and the writer work at the
        same time, and memory stays bounded. An abandoned stream is cancelled by psycopg before the
        connection goes back to the pool.
        """
        import psycopg

        chunk = 1000 if psycopg.pq.version() >= 170000 else 1  # rows per network read needs libpq 17
        with self.engine.connect() as conn:
            sql, params = _compiled(conn, _postgresql_export(conn, self._base, selection))
            cursor = conn.connection.driver_connection.cursor()
            rows = cursor.stream(sql, params, size=chunk)
            while batch := list(islice(rows, batch_size)):
                yield batch


def _postgresql_export(conn: Any, base: Callable[..., Any], selection: ArticleSelection) -> Select[Any]:
    """The export query, and the planner settings it runs with on `conn`.

    For a word in more than about a tenth of the archive the planner walks the primary key in id order
    and tests each article's TOASTed vector, decompressing nearly every one (6.8 s of server time for
    the 216,000 matches of «же» in a million articles, 2 cores). When its plan is that, the matching ids
    are read first from the GIN index (use_full_text_index), sorted, and joined back to their rows:
    2.3 s. For rarer words the planner already reads the index and sorts (1.1 s for 102,000 matches,
    where the ids first would take 1.5 s), so its own plan stands."""
    query, _ = base(selection, *_columns("postgresql"), scored=False)
    query = query.order_by(ARTICLES.c.id)
    if selection.match is None:
        return query
    plan = _plan(conn, query)
    while plan["Node Type"] in ("Gather Merge", "Gather"):  # the same walk, split among workers
        plan = plan["Plans"][0]
    if plan["Node Type"] != "Index Scan" or "search_vector" not in plan.get("Filter", ""):
        return query
    use_full_text_index(conn, "postgresql")
    ids, _ = base(selection, ARTICLES.c.id, scored=False)
    matched = ids.cte("matched").prefix_with("MATERIALIZED")
    joined = matched.join(ARTICLES, ARTICLES.c.id == matched.c.id)
    return select(*_columns("postgresql")).select_from(joined).order_by(matched.c.id)


def _plan(conn: Any, query: Select[Any]) -> dict[str, Any]:
    """The top node of PostgreSQL's plan for `query` (EXPLAIN, not run)."""
    sql, params = _compiled(conn, query)
    cursor = conn.connection.driver_connection.cursor()
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
    return cursor.fetchone()[0][0]["Plan"]


def _compiled(conn: Any, query: Select[Any]) -> tuple[str, Any]:
    """The SQL and parameters the driver's own cursor takes: lists expanded, values converted by their
    types, by name for psycopg and in order for sqlite3."""
    compiled = query.compile(conn, compile_kwargs={"render_postcompile": True})
    params = dict(compiled.params)
    for key, bind in compiled.binds.items():  # the types' own conversions, as execute() applies
        process = bind.type.bind_processor(conn.dialect)
        if process is not None and key in params:
            params[key] = process(params[key])
    if compiled.positional:
        return str(compiled), [params[name] for name in compiled.positiontup or ()]
    return str(compiled), params


__all__ = ["EXPORT_COLUMNS", "ExportQueries", "ExportRow"]
