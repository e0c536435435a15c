"""Search queries: full-text candidates ranked by the backend, story members, counts over time, streams.

The full-text condition arrives already written for this backend (newsmon.search.fts renders it): an
FTS5 MATCH expression on SQLite, scored with bm25(); a tsquery on PostgreSQL, scored with ts_rank().
Scores are "lower is better" on both (ts_rank is negated), so one cursor rule fits both. An article's
date is its publication time, or the time it was stored when the portal gave none.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    String,
    and_,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    type_coerce,
)
from sqlalchemy.sql import ColumnElement, Select, column

from newsmon.storage.tables import ArticleRow
from newsmon.storage.trendrows import day_counts, from_julian_day, reads_trend_rows

ARTICLES = ArticleRow.__table__
FTS_TABLE = table("articles_fts", column("rowid"))
PERIODS = ("day", "week")
SORTS = ("relevance", "date")


@dataclass(frozen=True, slots=True)
class MetaFilter:
    """`source:`/`lang:` from a query, with the matcher's meaning (a source matches its subdomains)."""

    field: str  # source | lang
    value: str  # lowercase
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class ArticleSelection:
    """Which articles a search looks at. `match` is the backend's full-text expression (None: all)."""

    match: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    sources: tuple[str, ...] = ()  # any of these source names
    languages: tuple[str, ...] = ()  # any of these stored languages
    meta: tuple[MetaFilter, ...] = ()  # all of these


@dataclass(frozen=True, slots=True)
class Candidate:
    """An article the full-text index found, with its sort key."""

    id: int
    story_id: int | None
    score: float
    date: datetime


@dataclass(frozen=True, slots=True)
class Document:
    """An article as search, verification and export read it."""

    id: int
    story_id: int | None
    url: str
    canonical_url: str
    source: str | None
    language: str | None
    title: str | None
    text: str
    description: str | None
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    section: str | None
    published: datetime | None
    stored_at: datetime
    version: int
    score: float = 0.0

    @property
    def date(self) -> datetime:
        """The publication time, or the storing time when the portal gave none (as `article_date()`)."""
        return self.published or self.stored_at


_DOCUMENT_COLUMNS = (
    ARTICLES.c.id,
    ARTICLES.c.story_id,
    ARTICLES.c.url,
    ARTICLES.c.canonical_url,
    ARTICLES.c.source,
    ARTICLES.c.language,
    ARTICLES.c.title,
    ARTICLES.c.text,
    ARTICLES.c.description,
    type_coerce(ARTICLES.c.authors, String),  # decoded in _document only when not empty
    type_coerce(ARTICLES.c.tags, String),
    ARTICLES.c.section,
    ARTICLES.c.published_at,
    ARTICLES.c.stored_at,
    ARTICLES.c.version,
)


def _document(row: Any) -> Document:
    values = list(row)
    values[9], values[10] = _string_list(values[9]), _string_list(values[10])
    return Document(*values)


def _string_list(value: Any) -> tuple[str, ...]:
    """A JSON list column: text on SQLite (skip json.loads for the common "[]"), a list on PostgreSQL."""
    if not value or value == "[]":
        return ()
    return tuple(json.loads(value) if isinstance(value, str) else value)


def article_date() -> ColumnElement[datetime]:
    return func.coalesce(ARTICLES.c.published_at, ARTICLES.c.stored_at)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _meta_condition(item: MetaFilter) -> ColumnElement[bool]:
    if item.field == "lang":
        language = func.lower(ARTICLES.c.language)
        if item.prefix:
            return language.like(_like_escape(item.value) + "%", escape="\\")
        return language == item.value
    source, value = func.lower(ARTICLES.c.source), _like_escape(item.value.removeprefix("www."))
    if item.prefix:
        return or_(source.like(value + "%", escape="\\"), source.like("www." + value + "%", escape="\\"))
    return or_(
        source == item.value,
        source == "www." + item.value,
        source.like("%." + value, escape="\\"),
        source.like(value + ".%", escape="\\"),
    )


class SearchQueries:
    """Repository mixin: the queries behind search, trends, stories and exports."""

    engine: Any
    reading: Any
    reading_rows: Any

    @property
    def full_text_dialect(self) -> str:
        """ "sqlite" or "postgresql": which full-text syntax `ArticleSelection.match` must be written in."""
        return "postgresql" if self.engine.dialect.name == "postgresql" else "sqlite"

    # --- building blocks ------------------------------------------------------------------------
    def _base(
        self, selection: ArticleSelection, *columns: Any, scored: bool = True
    ) -> tuple[Select[Any], ColumnElement[float]]:
        """SELECT columns (+ score) FROM articles (joined to the index) WHERE the selection holds."""
        conditions = self._filters(selection)
        if selection.match is None:
            score: ColumnElement[float] = literal(0.0, Float)
            query = select(*columns, *_score(score, scored)).select_from(ARTICLES)
        elif self.full_text_dialect == "postgresql":
            vector, tsquery = SEARCH_VECTOR, ts_query(selection.match)
            score = cast(-func.ts_rank(vector, tsquery), Float)
            query = select(*columns, *_score(score, scored)).select_from(ARTICLES)
            conditions.append(vector.op("@@")(tsquery))
        else:
            score = cast(func.bm25(literal_column("articles_fts")), Float)
            joined = FTS_TABLE.join(ARTICLES, ARTICLES.c.id == FTS_TABLE.c.rowid)
            query = select(*columns, *_score(score, scored)).select_from(joined)
            conditions.append(literal_column("articles_fts").op("MATCH")(literal(selection.match, String)))
        return query.where(and_(*conditions)), score

    @staticmethod
    def _filters(selection: ArticleSelection) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if selection.since is not None:
            conditions.append(article_date() >= selection.since)
        if selection.until is not None:
            conditions.append(article_date() < selection.until)
        if selection.sources:
            conditions.append(ARTICLES.c.source.in_(selection.sources))
        if selection.languages:
            conditions.append(func.lower(ARTICLES.c.language).in_([x.lower() for x in selection.languages]))
        conditions.extend(_meta_condition(item) for item in selection.meta)
        return conditions

    # --- search ---------------------------------------------------------------------------------
    def search_candidates(
        self,
        selection: ArticleSelection,
        sort: str = "relevance",
        after: tuple[Any, int] | None = None,
        limit: int = 50,
    ) -> list[Candidate]:
        """Articles in sort order (relevance: best score first; date: newest first) after a sort key."""
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}, got {sort!r}")
        when = article_date()
        query, score = self._base(selection, ARTICLES.c.id, ARTICLES.c.story_id, when.label("date"))
        article_id = ARTICLES.c.id
        if sort == "relevance":
            if after is not None:
                query = query.where(or_(score > after[0], and_(score == after[0], article_id > after[1])))
            query = query.order_by(score, article_id)
        else:
            if after is not None:
                query = query.where(or_(when < after[0], and_(when == after[0], article_id < after[1])))
            query = query.order_by(when.desc(), article_id.desc())
        with self.reading_rows() as s:
            rows = s.execute(query.limit(limit)).all()
        return [Candidate(r.id, r.story_id, float(r.score), r.date) for r in rows]

    def story_members(self, story_ids: Sequence[int]) -> dict[int, list[int]]:
        """Article ids of each story (all copies, matching or not)."""
        found: dict[int, list[int]] = {}
        with self.reading_rows() as s:
            for i in range(0, len(story_ids), 500):
                chunk = list(story_ids[i : i + 500])
                rows = s.execute(
                    select(ARTICLES.c.story_id, ARTICLES.c.id)
                    .where(ARTICLES.c.story_id.in_(chunk))
                    .order_by(ARTICLES.c.id)
                )
                for story_id, article_id in rows:
                    found.setdefault(story_id, []).append(article_id)
        return found

    def search_documents(self, selection: ArticleSelection, article_ids: Sequence[int]) -> list[Document]:
        """These articles, where the selection holds, with their texts and scores."""
        if not article_ids:
            return []
        out: list[Document] = []
        with self.reading_rows() as s:
            for i in range(0, len(article_ids), 500):
                chunk = list(article_ids[i : i + 500])
                query, _ = self._base(selection, *_DOCUMENT_COLUMNS)
                for row in s.execute(query.where(ARTICLES.c.id.in_(chunk))):
                    out.append(_document(row))
        return out

    # --- sources --------------------------------------------------------------------------------
    def any_source_has_articles(self, names: Sequence[str]) -> bool:
        """Whether a stored article comes from one of these sources: the source index's first hit, however
        many articles a source has, in one query however many names."""
        query = select(ARTICLES.c.id).where(ARTICLES.c.source.in_(list(names))).limit(1)
        with self.reading() as s:
            return s.scalar(query) is not None

    def article_sources(self) -> list[str]:
        """Every source name stored articles carry, sorted (a scan of the source index: for error messages)."""
        query = select(ARTICLES.c.source).where(ARTICLES.c.source.is_not(None)).distinct()
        with self.reading() as s:
            return sorted(s.scalars(query))

    # --- counts and streams ---------------------------------------------------------------------
    def count_selected(self, selection: ArticleSelection) -> int:
        query, _ = self._base(selection, ARTICLES.c.id, scored=False)
        with self.reading() as s:
            return int(s.scalar(select(func.count()).select_from(query.subquery())) or 0)

    def count_by_period(
        self, selection: ArticleSelection, by: str = "day", per_source: bool = False
    ) -> list[tuple[date, str | None, int]]:
        """(period start, source or None, articles) for every period with at least one article."""
        if by not in PERIODS:
            raise ValueError(f"period must be one of {PERIODS}, got {by!r}")
        if reads_trend_rows(self.full_text_dialect, selection):
            return self._count_by_period_from_trend_rows(selection, by, per_source)
        return self._count_by_period_from_articles(selection, by, per_source)

    def _count_by_period_from_articles(
        self, selection: ArticleSelection, by: str, per_source: bool
    ) -> list[tuple[date, str | None, int]]:
        bucket = self.period_start(by)
        source = ARTICLES.c.source if per_source else literal(None, String)
        query, _ = self._base(selection, bucket.label("period"), source.label("src"), scored=False)
        inner = query.subquery()
        counted = (
            select(inner.c.period, inner.c.src, func.count())
            .group_by(inner.c.period, inner.c.src)
            .order_by(inner.c.period, inner.c.src)
        )
        with self.reading() as s:
            if selection.match is not None:
                use_full_text_index(s, self.full_text_dialect)
            rows = s.execute(counted).all()
        return [(as_date(period), src, int(n)) for period, src, n in rows if period is not None]

    def _count_by_period_from_trend_rows(
        self, selection: ArticleSelection, by: str, per_source: bool
    ) -> list[tuple[date, str | None, int]]:
        """SQLite: the same counts from the matches' trend rows (newsmon.storage.trendrows), weeks folded here."""
        with self.reading() as s:
            rows = s.execute(day_counts(selection, article_date(), per_source)).all()
        counts: Counter[tuple[date, str | None]] = Counter()
        for number, source, n in rows:
            day = from_julian_day(number)
            period = day - timedelta(days=day.weekday()) if by == "week" else day
            counts[(period, source or None)] += n
        return [(period, source, n) for (period, source), n in sorted(counts.items(), key=_by_period)]

    def period_start(self, by: str) -> ColumnElement[Any]:
        """The UTC day (or the Monday of the UTC week) an article's date falls in."""
        when = article_date()
        if self.full_text_dialect == "postgresql":
            utc = func.timezone("UTC", when)
            # The cast is the day, a tenth or more cheaper than date_trunc over half a million rows.
            return cast(utc if by == "day" else func.date_trunc(by, utc), Date)
        if by == "week":
            return func.date(when, "-6 days", "weekday 1")
        return func.date(when)

    def iter_selected(self, selection: ArticleSelection, batch_size: int = 5000) -> Iterator[Document]:
        """Every selected article in id order, in constant memory.

        PostgreSQL streams one query through a server-side cursor; SQLite reads id-ordered chunks, each in
        a short transaction of its own, so a long export never holds the database lock.
        """
        columns = _DOCUMENT_COLUMNS
        if self.full_text_dialect == "postgresql":
            query, _ = self._base(selection, *columns, scored=False)
            with self.engine.connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=batch_size).execute(
                    query.order_by(ARTICLES.c.id)
                )
                for row in result:
                    yield _document(row)
            return
        last = 0
        # Keyset on the index's own rowid when there is a MATCH, so each chunk starts where the last ended.
        key = FTS_TABLE.c.rowid if selection.match is not None else ARTICLES.c.id
        while True:
            query, _ = self._base(selection, *columns, scored=False)
            query = query.where(key > last).order_by(key).limit(batch_size)
            with self.reading() as s:
                rows = s.execute(query).all()
            for row in rows:
                yield _document(row)
            if len(rows) < batch_size:
                return
            last = rows[-1].id


def _by_period(item: tuple[tuple[date, str | None], int]) -> tuple[date, bool, str]:
    """Period, then source with none first, as SQLite orders the counts."""
    (period, source), _n = item
    return period, source is not None, source or ""


def _score(score: ColumnElement[float], scored: bool) -> tuple[Any, ...]:
    return (score.label("score"),) if scored else ()


SEARCH_VECTOR = literal_column("articles.search_vector")


def use_full_text_index(s: Any, dialect: str) -> None:
    """Have PostgreSQL find a common word's articles with the GIN index in this transaction (counts, trends,
    the ids an export reads).

    The planner prices testing a row's tsvector as cheap, but the vector is TOASTed: for a word in a tenth
    of the archive or more it would read and decompress every article's vector, where the index answers
    plain terms exactly. With the default 4 MB of work_mem the bitmap of that many rows turns lossy and
    each row of a lossy page is tested against its vector again, so the transaction gets 64 MB. At a
    million articles (2 cores) a word in 540,000 of them is counted per day in 1.7 s instead of 6.7 s,
    one in 100,000 in 0.5 s instead of 1.6 s (`benchmarks/bench_search.py`).

    With sequential scans priced out, a small table read in the same transaction (the kept trend keys)
    looks to the planner like it costs 10^10, far past the thresholds of JIT compilation: a query on five
    rows was compiled, inlined and optimised for 8-65 ms. JIT is off for the transaction."""
    if dialect == "postgresql":
        s.execute(text("SET LOCAL enable_seqscan = off"))
        s.execute(text("SET LOCAL work_mem = '64MB'"))
        s.execute(text("SET LOCAL jit = off"))


def ts_query(match: str) -> ColumnElement[Any]:
    """PostgreSQL: the tsquery of a rendered full-text expression (`ArticleSelection.match`)."""
    return func.to_tsquery(literal_column("'simple'::regconfig"), literal(match, String))


def as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


__all__ = [
    "ArticleSelection",
    "Candidate",
    "Document",
    "MetaFilter",
    "SearchQueries",
]
