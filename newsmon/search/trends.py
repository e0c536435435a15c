"""How often a query's articles appear over time: counts per UTC day or ISO week, optionally per source.

A query the index decides exactly (plain words joined by AND/OR, source:/lang:) is counted by the
database in one GROUP BY; anything else (phrases, NEAR, =exact, prefixes, fields, NOT) is verified
article by article on the text, which is exact but reads every candidate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from newsmon.search.options import SearchError, SearchFilters
from newsmon.search.service import prepare_query
from newsmon.storage import Repository
from newsmon.storage.search import PERIODS

BLOCKS = "▁▂▃▄▅▆▇█"


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
    day = moment.astimezone(UTC).date()
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
    selection = prepared.selection(filters, repo.full_text_dialect)
    if prepared.translation.exact:
        rows = repo.count_by_period(selection, by, per_source)
    else:
        counts: Counter[tuple[date, str | None]] = Counter()
        for doc in repo.iter_selected(selection):
            if prepared.match(doc) is not None:
                counts[(period_of(doc.date, by), doc.source if per_source else None)] += 1
        rows = [(period, source, n) for (period, source), n in sorted(counts.items(), key=_order)]
    points = tuple(TrendPoint(period, n, source) for period, source, n in rows)
    first = period_of(filters.since, by) if filters.since else None
    last = period_of(filters.until - timedelta(microseconds=1), by) if filters.until else None
    return Trend(
        query, by, per_source, points, not prepared.translation.exact, _periods(points, by, first, last)
    )


def _order(item: tuple[tuple[date, str | None], int]) -> tuple[date, str]:
    return item[0][0], item[0][1] or ""


def _periods(
    points: tuple[TrendPoint, ...], by: str, first: date | None, last: date | None
) -> tuple[date, ...]:
    seen = [p.period for p in points]
    start = first or min(seen, default=None)
    end = last or max(seen, default=None)
    if start is None or end is None:
        return ()
    if seen:
        start, end = min(start, *seen), max(end, *seen)
    step = timedelta(days=7 if by == "week" else 1)
    out, current = [], start
    while current <= end and len(out) < 10_000:
        out.append(current)
        current += step
    return tuple(out)
