"""SQLite: counting a query's matches per UTC day from the trend rows (migration 0012).

Each article has a trend row holding its UTC day number and its (source, language) cell, kept by triggers.
A count that takes the full-text index's matches and looks each up there reads a few bytes per match
instead of the article's wide row: words in 32,000-149,000 articles of a million (1,700-8,100 of them in
the window), counted over 20 days cut at 10:00 and 15:00, in 16-53 ms instead of 71-322 ms with the rows in
memory and 1.3-6.2 s with them on disk. The exact time is read from the article only for matches on the
first and last day of a window that starts or ends within a day. Keeping a common word's counts
(`KEEP_COUNTS`) reads the same rows.
"""

from __future__ import annotations

from datetime import UTC, date, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, and_, exists, func, literal, literal_column, or_, select, table, text
from sqlalchemy.sql import ColumnElement, column

from newsmon.storage.tables import ArticleRow

if TYPE_CHECKING:
    from newsmon.storage.search import ArticleSelection

ARTICLES = ArticleRow.__table__
TREND_ROWS = table("trend_rows", column("id"), column("day"), column("cell"))
TREND_CELLS = table("trend_cells", column("id"), column("source"), column("language"))
FTS = table("articles_fts", column("rowid"))
# date.toordinal() of a day plus this is its Julian day number, as SQLite's julianday() numbers it.
JULIAN_OFFSET = 1_721_425
MIDNIGHT = time(tzinfo=UTC)


# A word kept from now on (a large part of the archive) is counted from the trend rows,
# looked up in id order beside the full-text index's matches: the wide articles table is not read
# (4.5 s from disk for half a million matches). Day and cell are grouped as one integer (cell * DAYS + day;
# day numbers stay below DAYS until the year 6700), which sorts twice as fast as a day and two texts.
DAYS = 1 << 22
KEEP_COUNTS = text(
    "INSERT INTO trend_counts (key_id, day, source, language, n) "
    f"SELECT :key_id, date(cells.key % {DAYS}), trend_cells.source, trend_cells.language, cells.n FROM ("
    f"SELECT trend_rows.cell * {DAYS} + trend_rows.day AS key, count(*) AS n FROM articles_fts "
    "JOIN trend_rows ON trend_rows.id = articles_fts.rowid "
    "WHERE articles_fts MATCH :match GROUP BY 1) AS cells "
    f"JOIN trend_cells ON trend_cells.id = cells.key / {DAYS}"
)


def reads_trend_rows(dialect: str, selection: ArticleSelection) -> bool:
    """Whether a count of `selection` is read from the trend rows: SQLite, a full-text query, no field filters
    (those need the article row)."""
    return dialect == "sqlite" and selection.match is not None and not selection.meta


def julian_day(day: date) -> int:
    return day.toordinal() + JULIAN_OFFSET


def from_julian_day(number: int) -> date:
    return date.fromordinal(number - JULIAN_OFFSET)


def day_counts(selection: ArticleSelection, dated: ColumnElement[Any], per_source: bool) -> Any:
    """SELECT day number, source ('' for none; NULL unless `per_source`), count of the selection's
    articles per day (and source). The selection has a full-text `match` and no `meta` filters; `dated` is
    an article's date as the selection's window compares it."""
    rows, cells = TREND_ROWS, TREND_CELLS
    since, until, sources, languages = (
        selection.since,
        selection.until,
        selection.sources,
        selection.languages,
    )
    assert selection.match is not None and not selection.meta  # see reads_trend_rows
    conditions: list[Any] = [literal_column("articles_fts").op("MATCH")(literal(selection.match, String))]
    if since is not None:
        first = julian_day(since.astimezone(UTC).date())
        on_time = exists().where(ARTICLES.c.id == rows.c.id, dated >= since)
        conditions += [rows.c.day >= first, or_(rows.c.day > first, on_time)]
    if until is not None:
        end = until.astimezone(UTC)
        # A window ending at midnight ends on the day before.
        last = julian_day(end.date()) - (1 if end.timetz() == MIDNIGHT else 0)
        in_time = exists().where(ARTICLES.c.id == rows.c.id, dated < until)
        conditions += [rows.c.day <= last, or_(rows.c.day < last, in_time)]
    if sources:
        conditions.append(cells.c.source.in_(sources))
    if languages:
        conditions.append(cells.c.language.in_([language.lower() for language in languages]))
    joined = FTS.join(rows, rows.c.id == FTS.c.rowid).join(cells, cells.c.id == rows.c.cell)
    source = cells.c.source if per_source else literal(None, String)
    keys = [rows.c.day, cells.c.source] if per_source else [rows.c.day]
    query = select(rows.c.day, source, func.count()).select_from(joined).where(and_(*conditions))
    return query.group_by(*keys)


__all__ = ["KEEP_COUNTS", "day_counts", "from_julian_day", "julian_day", "reads_trend_rows"]
