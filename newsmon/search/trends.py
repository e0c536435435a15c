"""How often a query's articles appear over time: counts per UTC day or ISO week, optionally per source.

A query the index decides exactly (plain words joined by AND/OR, source:/lang:) is counted by the
database in one GROUP BY; anything else (phrases, NEAR, =exact, prefixes, fields, NOT) is verified
article by article on the text, which is exact but reads every candidate. A word (or an OR of words) in
more than KEEP_MIN_MATCHES articles has its counts kept per day by the database from the first time it
is asked for (newsmon.storage.trendcounts), so its trend reads those instead of every match.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from newsmon.search.fts import AnyOf, TermGroup, render
from newsmon.search.options import SearchError, SearchFilters, check_sources
from newsmon.search.service import PreparedQuery, prepare_query
from newsmon.storage import Repository
from newsmon.storage.search import PERIODS, ArticleSelection

log = logging.getLogger(__name__)
BLOCKS = "▁▂▃▄▅▆▇█"
# Matches above which a word's counts are kept per day: counting this many takes about 50 ms on SQLite
# and 150 ms on PostgreSQL (2 cores); each kept key adds to what storing a batch costs.
KEEP_MIN_MATCHES = 20_000
# Words in this many articles take about half a second or more to count on PostgreSQL (2 cores); the
# commonest of them are kept ahead of the first time they are asked for (`keep_common_words`, daily on
# beat, `newsmon db keep-trends`). A million Russian articles hold about 100 such words; the rest of
# MAX_KEPT_KEYS is left for the words analysts ask for.
KEEP_AHEAD_MATCHES = 5 * KEEP_MIN_MATCHES
KEEP_AHEAD_WORDS = 100
# Index terms the upkeep reads as query words, commonest first, to find the words above.
SCANNED_TERMS = 2_000
# Periods in one trend at most: 27 years by day, 190 by week (a chart and a table stay readable).
MAX_PERIODS = 10_000


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: date  # the UTC day, or the Monday of the ISO week
    count: int
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Trend:
    """Counts of matching articles per period (every period between the first and last, zeros included)."""

    query: str
    by: str
    per_source: bool
    points: tuple[TrendPoint, ...]
    verified: bool = False  # counted by reading each article rather than by the index alone
    periods: tuple[date, ...] = field(default=())

    def series(self) -> dict[str | None, list[int]]:
        """Source (None when not split) -> counts aligned with `periods`."""
        index = {period: i for i, period in enumerate(self.periods)}
        out: dict[str | None, list[int]] = {}
        for point in self.points:
            row = out.setdefault(point.source, [0] * len(self.periods))
            row[index[point.period]] += point.count
        return out

    def total(self) -> int:
        return sum(point.count for point in self.points)

    def to_dicts(self) -> list[dict[str, Any]]:
        return [{"period": p.period.isoformat(), "source": p.source, "count": p.count} for p in self.points]

    def to_pandas(self) -> Any:
        from newsmon.search.frames import data_frame

        return data_frame(self.to_dicts())


def sparkline(values: list[int]) -> str:
    """One unicode block per value, scaled to the largest (zero is the lowest block)."""
    top = max(values, default=0)
    if top <= 0:
        return BLOCKS[0] * len(values)
    return "".join(BLOCKS[min(len(BLOCKS) - 1, round(v / top * (len(BLOCKS) - 1)))] for v in values)


def period_of(moment: datetime, by: str) -> date:
    return _period_of_day(moment.astimezone(UTC).date(), by)


def _period_of_day(day: date, by: str) -> date:
    return day - timedelta(days=day.weekday()) if by == "week" else day


def trends(
    repo: Repository,
    query: str,
    *,
    by: str = "day",
    per_source: bool = False,
    filters: SearchFilters | None = None,
    aliases: Mapping[str, str] | None = None,
) -> Trend:
    """Counts over time of the articles matching `query` (all copies count: a trend measures coverage)."""
    if by not in PERIODS:
        raise SearchError(f"by: {by!r} is not a period; use {' or '.join(PERIODS)}", "by")
    filters = filters or SearchFilters()
    prepared = prepare_query(query, aliases)
    check_sources(repo, filters)
    selection = prepared.selection(filters, repo.full_text_dialect)
    if prepared.translation.exact:
        rows = _counted(repo, prepared, selection, by, per_source)
    else:
        counts: Counter[tuple[date, str | None]] = Counter()
        for doc in repo.iter_selected(selection):
            if prepared.match(doc) is not None:
                counts[(period_of(doc.date, by), doc.source if per_source else None)] += 1
        rows = [(period, source, n) for (period, source), n in counts.items()]
    # One order whichever way the counts came (PostgreSQL sorts a missing source last, SQLite first).
    points = tuple(TrendPoint(period, n, source) for period, source, n in sorted(rows, key=_order))
    first = period_of(filters.since, by) if filters.since else None
    last = period_of(filters.until - timedelta(microseconds=1), by) if filters.until else None
    return Trend(
        query, by, per_source, points, not prepared.translation.exact, _periods(points, by, first, last)
    )


def _counted(
    repo: Repository, prepared: PreparedQuery, selection: ArticleSelection, by: str, per_source: bool
) -> list[tuple[date, str | None, int]]:
    """Counts from the kept counts where the query is a kept (or common enough) set of terms, else by the
    index; the parts of the first and last day outside whole UTC days are counted by the index."""
    terms = _countable_terms(prepared)
    start, end = _whole_days(selection)
    other_meta = any(item.field != "lang" or item.prefix for item in selection.meta)
    if terms is None or other_meta or (start and end and start >= end):
        return repo.count_by_period(selection, by, per_source)
    key = repo.trend_key(terms)
    if key is None:
        match = render(TermGroup(terms), repo.full_text_dialect)
        assert match is not None
        matches = repo.estimate_matches(match)
        if matches < KEEP_MIN_MATCHES:
            return repo.count_by_period(selection, by, per_source)
        try:
            key = repo.keep_trend_counts(terms, match, matches)
        except SQLAlchemyError as exc:  # a read-only database user, say: the trend is still answered
            log.warning("cannot keep trend counts for %s (%s); counting by the index", " ".join(terms), exc)
            return repo.count_by_period(selection, by, per_source)
    counts: Counter[tuple[date, str | None]] = Counter()
    languages = _languages(selection)
    for day, source, n in repo.kept_counts(key, start, end, selection.sources, languages, per_source):
        counts[(_period_of_day(day, by), source)] += n
    edges = []
    if selection.since is not None and start is not None and selection.since < _midnight(start):
        edges.append(replace(selection, until=_midnight(start)))
    if selection.until is not None and end is not None and _midnight(end) < selection.until:
        edges.append(replace(selection, since=_midnight(end)))
    for edge in edges:
        for day, source, n in repo.count_window_by_day(edge, per_source):
            counts[(_period_of_day(day, by), source)] += n
    return [(period, source, n) for (period, source), n in counts.items()]


def keep_common_words(
    repo: Repository, min_articles: int = KEEP_AHEAD_MATCHES, limit: int = KEEP_AHEAD_WORDS
) -> list[str]:
    """Keep the counts of the query words that look up the commonest index terms; returns those newly kept.

    A word's trend is then fast from its first ask. Which common words analysts will chart cannot be
    known, so the commonest are kept, function words included; MAX_KEPT_KEYS bounds what that costs.
    A word looks up every term of its forms («днем»: день, днем; «нем»: нем, немой, он, оно), so a word
    rarer than `min_articles` can still match as many articles as its commonest term: keys are ranked by
    that term, and «нем» is kept with the words of «он»'s rank."""
    scanned = repo.common_terms(min(KEEP_MIN_MATCHES, min_articles), SCANNED_TERMS)
    articles = dict(scanned)
    ranked: dict[tuple[str, ...], tuple[int, str]] = {}
    for term, _n in scanned:
        try:
            terms = _countable_terms(prepare_query(term))
        except SearchError:
            continue
        if terms is None or terms in ranked:
            continue
        at_least = max(articles.get(t, 0) for t in terms)  # the union holds its commonest term's articles
        if at_least >= min_articles:
            ranked[terms] = (at_least, term)
    kept = []
    for terms, (at_least, word) in sorted(ranked.items(), key=lambda item: -item[1][0])[:limit]:
        if repo.trend_key(terms) is not None:
            continue
        match = render(TermGroup(terms), repo.full_text_dialect)
        assert match is not None
        repo.keep_trend_counts(terms, match, at_least)
        kept.append(word)
    return kept


def _countable_terms(prepared: PreparedQuery) -> tuple[str, ...] | None:
    """The terms of a query that is any of a few words (each a plain, whole index token), else None."""
    expr = prepared.translation.expr
    groups = expr.items if isinstance(expr, AnyOf) else (expr,)
    if not all(isinstance(group, TermGroup) and not group.prefix for group in groups):
        return None
    terms = sorted({term for group in groups for term in group.terms})  # type: ignore[union-attr]
    return tuple(terms) if terms and all(term.isalnum() for term in terms) else None


def _languages(selection: ArticleSelection) -> tuple[str, ...] | None:
    """The languages kept counts must be read for (None: any); `lang:` filters narrow the filter's."""
    allowed = {lang.lower() for lang in selection.languages} if selection.languages else None
    for item in selection.meta:
        allowed = {item.value} & allowed if allowed is not None else {item.value}
    return tuple(sorted(allowed)) if allowed is not None else None


def _whole_days(selection: ArticleSelection) -> tuple[date | None, date | None]:
    """The first whole UTC day at or after `since` and the day starting at or before `until`."""
    start = end = None
    if selection.since is not None:
        since = selection.since.astimezone(UTC)
        start = since.date() + timedelta(days=1 if since != _midnight(since.date()) else 0)
    if selection.until is not None:
        end = selection.until.astimezone(UTC).date()
    return start, end


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _order(row: tuple[date, str | None, int]) -> tuple[date, str]:
    return row[0], row[1] or ""


def _periods(
    points: tuple[TrendPoint, ...], by: str, first: date | None, last: date | None
) -> tuple[date, ...]:
    """Every period from the first to the last (of the filters' window, widened to the counted points);
    SearchError when there would be more than MAX_PERIODS of them."""
    seen = [p.period for p in points]
    start = first or min(seen, default=None)
    end = last or max(seen, default=None)
    if start is None or end is None:
        return ()
    if seen:
        start, end = min(start, *seen), max(end, *seen)
    step = timedelta(days=7 if by == "week" else 1)
    count = (end - start) // step + 1
    if count > MAX_PERIODS:
        field = "until" if last is not None and last > datetime.now(UTC).date() else "since"
        raise SearchError(
            f"{field}: a trend from {start.isoformat()} to {end.isoformat()} has {count:,} {by}s, more than "
            f"{MAX_PERIODS:,}; narrow the since/until range" + (" or count by week" if by == "day" else ""),
            field,
        )
    return tuple(start + i * step for i in range(count))
