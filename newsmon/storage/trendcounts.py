"""Kept trend counts: per-day article counts for query words too common to count match by match.

Counting a word found in half of a million articles means reading half a million rows (1-3 s); its kept
counts are a few thousand rows. A key is a set of index terms (what one query word, or an OR of words,
looks up); once kept, the repository adds and removes its counts in the transaction that stores an
article or a new version (`_update_kept_counts`), so the counts are always those the index would give.
Per stored batch that is one read of the key terms and one upsert of the batch's summed counts.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Text,
    and_,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
)

from newsmon.storage.records import utcnow
from newsmon.storage.search import (
    FTS_TABLE,
    SEARCH_VECTOR,
    ArticleSelection,
    as_date,
    ts_query,
    use_full_text_index,
)
from newsmon.storage.tables import ArticleRow, TrendCountRow, TrendKeyRow, TrendKeyTermRow
from newsmon.storage.trendrows import KEEP_COUNTS, reads_trend_rows

# Each kept key costs every stored batch a little (bench_store --kept-words); beyond this the oldest go.
# KEEP_AHEAD_WORDS of them are the daily upkeep's, the rest the words asked for.
MAX_KEPT_KEYS = 150
# PostgreSQL: a word in at least this many articles is counted by a query that parallel workers may share.
PARALLEL_MATCHES = 400_000
ARTICLES = ArticleRow.__table__


# What the full-text index splits a term at: hyphens and apostrophes join the parts of one word, but
# FTS5's unicode61 tokenizer and PostgreSQL's parser also index the parts («нур-султан» holds «нур»).
_TOKEN_BREAK = re.compile(r"[\W_]+")


_PG_ADD_COUNTS = text(
    "INSERT INTO trend_counts (key_id, day, source, language, n) "
    "SELECT * FROM unnest(CAST(:k AS integer[]), CAST(:d AS date[]), CAST(:s AS varchar[]), "
    "CAST(:l AS varchar[]), CAST(:n AS integer[])) "
    "ON CONFLICT (key_id, day, source, language) DO UPDATE SET n = trend_counts.n + excluded.n"
)


_PG_INSERT_CELLS = text(
    "INSERT INTO trend_counts (key_id, day, source, language, n) "
    "SELECT :k, * FROM unnest(CAST(:d AS date[]), CAST(:s AS varchar[]), CAST(:l AS varchar[]), "
    "CAST(:n AS integer[]))"
)


def key_text(terms: Sequence[str]) -> str:
    return " ".join(sorted(set(terms)))


@dataclass(frozen=True, slots=True)
class CountedArticle:
    """What kept counts need of one article: its index terms and its (day, source, language) cell."""

    search_terms: str
    day: date
    source: str
    language: str

    @classmethod
    def of(cls, row: ArticleRow) -> CountedArticle:
        return cls._of(row.search_terms, row.published_at or row.stored_at, row.source, row.language)

    @classmethod
    def of_values(cls, values: Mapping[str, Any]) -> CountedArticle:
        """The same from the plain values of a row being inserted."""
        when = values["published_at"] or values["stored_at"]
        return cls._of(values["search_terms"], when, values["source"], values["language"])

    @classmethod
    def _of(
        cls, terms: str | None, when: datetime, source: str | None, language: str | None
    ) -> CountedArticle:
        return cls(terms or "", when.astimezone(UTC).date(), source or "", (language or "").lower())


class TrendCountQueries:
    """Repository mixin: find, keep and read kept trend counts."""

    engine: Any
    reading: Any
    session: Any
    full_text_dialect: str
    _base: Any
    _filters: Any
    period_start: Any
    _insert_ignore: Any
    _count_by_period_from_trend_rows: Any

    def trend_key(self, terms: Sequence[str]) -> int | None:
        """The id of the kept key for exactly these terms, or None."""
        with self.reading() as s:
            return s.scalar(select(TrendKeyRow.id).where(TrendKeyRow.terms == key_text(terms)))

    def estimate_matches(self, match: str) -> int:
        """About how many articles a full-text expression matches, without counting them one by one."""
        if self.full_text_dialect == "postgresql":
            plan = text(
                "EXPLAIN (FORMAT JSON) SELECT 1 FROM articles "
                "WHERE search_vector @@ to_tsquery('simple'::regconfig, :match)"
            )
            with self.reading() as s:
                found = s.execute(plan, {"match": match}).scalar()
            found = json.loads(found) if isinstance(found, str) else found
            return int(found[0]["Plan"]["Plan Rows"])
        with self.reading() as s:
            count = text("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :match")
            return int(s.execute(count, {"match": match}).scalar() or 0)

    def common_terms(self, min_articles: int, limit: int) -> list[tuple[str, int]]:
        """(index term, articles holding it) for the commonest terms in at least `min_articles` articles.

        SQLite reads each term's document count from the index (fts5vocab; seconds at a million articles);
        PostgreSQL counts terms in a sample of about 20,000 articles and scales the counts up."""
        if self.full_text_dialect == "postgresql":
            with self.reading() as s:
                rows = s.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'articles'")) or 0
                if rows < min_articles:  # never analysed (-1), or last analysed when it was small
                    rows = s.scalar(text("SELECT count(*) FROM articles")) or 0
                if rows < min_articles:
                    return []
                percent = min(100.0, 100.0 * 20_000 / rows)
                sample = f"SELECT search_vector FROM articles TABLESAMPLE SYSTEM ({percent:.4f})"
                found = s.execute(
                    text(
                        "SELECT word, ndoc FROM ts_stat(:sample) WHERE ndoc >= :least ORDER BY ndoc DESC LIMIT :n"
                    ),
                    {"sample": sample, "least": max(1, int(min_articles * percent / 100)), "n": limit},
                ).all()
            return [(word, round(n * 100 / percent)) for word, n in found]
        with self.reading() as s:
            found = s.execute(
                text(
                    "SELECT term, doc FROM articles_fts_vocab WHERE doc >= :least ORDER BY doc DESC LIMIT :n"
                ),
                {"least": min_articles, "n": limit},
            ).all()
        return [(term, int(n)) for term, n in found]

    def keep_trend_counts(self, terms: Sequence[str], match: str, matches: int = 0) -> int:
        """Start keeping counts for `terms` (their full-text expression is `match`): count what is stored
        now, in a transaction that holds stores back so none is counted twice or missed; returns the key.
        `matches`: about how many articles match (`estimate_matches`), if known."""
        key = key_text(terms)
        with self.session() as s:
            if self.full_text_dialect == "postgresql":
                s.execute(text("LOCK TABLE articles IN SHARE MODE"))
            use_full_text_index(s, self.full_text_dialect)
            existing = s.scalar(select(TrendKeyRow.id).where(TrendKeyRow.terms == key))
            if existing is not None:
                return int(existing)
            self._drop_oldest_keys(s, MAX_KEPT_KEYS - 1)
            # Core inserts (the tables, not the classes): the ORM's took ~40 ms to compile on a process's first ask.
            key_id = int(
                s.scalar(
                    insert(TrendKeyRow.__table__)
                    .values(terms=key, created_at=utcnow())
                    .returning(TrendKeyRow.id)
                )
            )
            s.execute(insert(TrendKeyTermRow.__table__), [{"term": t, "key_id": key_id} for t in key.split()])
            if self.full_text_dialect == "postgresql":
                self._keep_counts_postgresql(s, key_id, match, matches)
            else:
                s.execute(KEEP_COUNTS, {"key_id": key_id, "match": match})
            return key_id

    def _keep_counts_postgresql(self, s: Any, key_id: int, match: str, matches: int) -> None:
        """INSERT ... SELECT for most words. PostgreSQL plans a statement that writes without parallel
        workers, so the count of a word in a large part of the archive is read by a SELECT (which a worker
        shares) and written back, the cells travelling as the text of four arrays: for a word in half of a
        million articles 0.37-0.40 s instead of 0.43-0.44 s on 2 cores (docs/search.md). Below
        PARALLEL_MATCHES the planner mostly scans alone anyway, and the round trip only adds 30-50 ms."""
        selection = ArticleSelection(match=match)
        if matches < PARALLEL_MATCHES:
            counted = self._by_day(selection, literal(key_id), per_language=True)
            columns = ["key_id", "day", "source", "language", "n"]
            s.execute(insert(TrendCountRow.__table__).from_select(columns, counted))
            return
        cells = self._by_day(selection, per_language=True).subquery("cells")
        packed = select(*(cast(func.array_agg(column), Text) for column in cells.c))
        days, sources, languages, counts = s.execute(packed).one()
        if days is not None:
            arrays = {"d": days, "s": sources, "l": languages, "n": counts}
            s.execute(_PG_INSERT_CELLS, {"k": key_id, **arrays})

    def count_window_by_day(
        self, selection: ArticleSelection, per_source: bool
    ) -> list[tuple[date, str | None, int]]:
        """(UTC day, source or None, articles) for a short since..until window (a kept word's part days). SQLite
        reads the matches' trend rows. PostgreSQL finds the articles of the window by date first and checks
        each against the index, instead of reading every match of a common word and dropping the rest."""
        assert selection.since is not None and selection.until is not None
        if reads_trend_rows(self.full_text_dialect, selection):
            # The matches' trend rows, as for a count by the index: 5-18 times faster for a part day of a word
            # in 40,000-80,000 of a million articles, as fast for one in half of them.
            return self._count_by_period_from_trend_rows(selection, "day", per_source)
        query = self._by_day(selection, per_source=per_source)
        with self.reading() as s:
            rows = s.execute(query).all()
        return [(as_date(row[0]), (row[1] or None) if per_source else None, int(row[-1])) for row in rows]

    def _by_day(
        self,
        selection: ArticleSelection,
        *leading: Any,
        per_source: bool = True,
        per_language: bool = False,
    ) -> Any:
        """SELECT leading..., day[, source][, language], count of the selection, grouped; a window is
        matched on the date indexes (published, else stored), the full-text condition row by row.

        The rows are grouped on the stored source and language, and the groups then folded to lower case
        and '' for none: that is done to a few thousand groups rather than to every match (a tenth of the
        count for half a million matches)."""
        raw = [self.period_start("day").label("day")]
        if per_source:
            raw.append(ARTICLES.c.source)
        if per_language:
            raw.append(ARTICLES.c.language)
        unbounded = replace(selection, since=None, until=None, match=None)
        conditions = self._filters(unbounded)
        window = selection.since is not None and selection.until is not None
        if window:
            published, stored = ARTICLES.c.published_at, ARTICLES.c.stored_at
            conditions.append(
                or_(
                    and_(published >= selection.since, published < selection.until),
                    and_(published.is_(None), stored >= selection.since, stored < selection.until),
                )
            )
        if selection.match is not None:
            conditions.append(self._matches(selection.match, row_by_row=window))
        query = select(*raw, func.count().label("n")).select_from(ARTICLES).where(and_(*conditions))
        groups = query.group_by(*raw).subquery("groups")
        cell = [groups.c.day]
        if per_source:
            cell.append(func.coalesce(groups.c.source, ""))
        if per_language:
            cell.append(func.lower(func.coalesce(groups.c.language, "")))
        return select(*leading, *cell, cast(func.sum(groups.c.n), Integer)).group_by(*cell)

    def _matches(self, match: str, row_by_row: bool) -> Any:
        if self.full_text_dialect == "postgresql":
            return SEARCH_VECTOR.op("@@")(ts_query(match))
        matched = literal_column("articles_fts").op("MATCH")(literal(match, String))
        if row_by_row:
            found = (
                select(literal(1)).select_from(FTS_TABLE).where(matched, FTS_TABLE.c.rowid == ARTICLES.c.id)
            )
            return exists(found)
        return ARTICLES.c.id.in_(select(FTS_TABLE.c.rowid).where(matched))

    def _update_kept_counts(
        self, s: Any, added: Sequence[CountedArticle], removed: Sequence[CountedArticle] = ()
    ) -> None:
        """Count stored articles in (and removed versions out of) every kept key they hold a term of.

        Called after the articles are written, so on PostgreSQL a key kept meanwhile has either counted
        them already (its backfill ran first) or waits for this transaction (its table lock)."""
        keys_of: defaultdict[str, list[int]] = defaultdict(list)
        for term, key_id in s.execute(select(TrendKeyTermRow.term, TrendKeyTermRow.key_id)):
            keys_of[term].append(key_id)
        if not keys_of:
            return
        delta: Counter[tuple[int, date, str, str]] = Counter()
        for sign, articles in ((1, added), (-1, removed)):
            for article in articles:
                found = {
                    k
                    for term in set(_TOKEN_BREAK.split(article.search_terms))
                    if term in keys_of
                    for k in keys_of[term]
                }
                for key_id in found:
                    delta[(key_id, article.day, article.source, article.language)] += sign
        rows = [(k, day, src, lang, n) for (k, day, src, lang), n in sorted(delta.items()) if n]
        if not rows:
            return
        if self.full_text_dialect == "postgresql":  # one statement for the batch, not one per row
            s.execute(
                _PG_ADD_COUNTS,
                dict(zip(("k", "d", "s", "l", "n"), map(list, zip(*rows, strict=True)), strict=True)),
            )
            return
        upsert = self._insert_ignore(TrendCountRow)
        upsert = upsert.on_conflict_do_update(
            index_elements=["key_id", "day", "source", "language"],
            set_={"n": TrendCountRow.n + upsert.excluded.n},
        )
        s.execute(
            upsert,
            [dict(zip(("key_id", "day", "source", "language", "n"), row, strict=True)) for row in rows],
        )

    def _drop_oldest_keys(self, s: Any, keep: int) -> None:
        ids = s.scalars(select(TrendKeyRow.id).order_by(TrendKeyRow.created_at.desc(), TrendKeyRow.id.desc()))
        for key_id in list(ids)[keep:]:
            self._drop_key(s, key_id)

    @staticmethod
    def _drop_key(s: Any, key_id: int) -> None:
        for kept in (TrendCountRow, TrendKeyTermRow):
            s.execute(delete(kept).where(kept.key_id == key_id))
        s.execute(delete(TrendKeyRow).where(TrendKeyRow.id == key_id))

    def forget_trend_counts(self) -> int:
        """Stop keeping every key (they are kept again when next asked for); returns how many there were."""
        with self.session() as s:
            ids = list(s.scalars(select(TrendKeyRow.id)))
            for key_id in ids:
                self._drop_key(s, key_id)
        return len(ids)

    def kept_counts(
        self,
        key_id: int,
        first: date | None,
        end: date | None,
        sources: Sequence[str] = (),
        languages: Sequence[str] | None = None,
        per_source: bool = False,
    ) -> list[tuple[date, str | None, int]]:
        """(UTC day, source or None, articles) from `first` up to `end` (exclusive), days with articles only.

        `languages` None means any language; an empty sequence means none."""
        if languages is not None and not languages:
            return []
        keys = (TrendCountRow.day, TrendCountRow.source) if per_source else (TrendCountRow.day,)
        query = select(*keys, func.sum(TrendCountRow.n)).where(TrendCountRow.key_id == key_id)
        if first is not None:
            query = query.where(TrendCountRow.day >= first)
        if end is not None:
            query = query.where(TrendCountRow.day < end)
        if sources:
            query = query.where(TrendCountRow.source.in_(sources))
        if languages is not None:
            query = query.where(TrendCountRow.language.in_([lang.lower() for lang in languages]))
        query = query.group_by(*keys).order_by(*keys)
        with self.reading() as s:
            rows = s.execute(query).all()
        return [(row[0], (row[1] or None) if per_source else None, int(row[-1])) for row in rows if row[-1]]


__all__ = ["MAX_KEPT_KEYS", "CountedArticle", "TrendCountQueries", "key_text"]
