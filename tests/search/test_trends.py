"""Trends on both backends: counts per day and week, per source, index counts equal verified counts."""

from __future__ import annotations

from datetime import date

import pytest

from newsmon.search import build_filters, prepare_query, sparkline, trends
from newsmon.search.trends import period_of
from tests.search.conftest import StoredArchive


def test_daily_counts_fill_the_range_with_zeros(archive: StoredArchive) -> None:
    trend = trends(archive.repo, "Жамбыл", filters=build_filters(since="2025-03-01", until="2025-03-06"))
    assert not trend.verified  # plain words: the index counts
    assert trend.periods[0] == date(2025, 3, 1) and trend.periods[-1] == date(2025, 3, 6)
    counts = dict(zip(trend.periods, trend.series()[None], strict=True))
    assert counts[date(2025, 3, 1)] == 0
    assert counts[date(2025, 3, 3)] == 2  # gov.kz and ztgzt.kz copies (UTC days)
    assert trend.total() == 7


def test_weeks_start_on_monday_and_split_per_source(archive: StoredArchive) -> None:
    trend = trends(archive.repo, "«Бейбітшілік пен келісім»", by="week", per_source=True)
    assert trend.verified  # a phrase is checked on the text
    assert trend.periods == (date(2025, 3, 3),)
    assert trend.series() == {"aqjolgazet.kz": [1], "gov.kz": [1], "ztgzt.kz": [1]}


@pytest.mark.parametrize("query", ["Жамбылская область", "Тараз OR Мерке", "аким", "Жамбыл облысы", "jambyl"])
def test_index_counts_equal_the_verified_counts(archive: StoredArchive, query: str) -> None:
    prepared = prepare_query(query)
    assert prepared.translation.exact
    by_index = trends(archive.repo, query).total()
    every = prepare_query("Жамбыл OR Тараз OR Алматы OR аким OR погода OR дорога").selection(
        build_filters(), archive.repo.full_text_dialect
    )
    verified = sum(1 for doc in archive.repo.iter_selected(every) if prepared.match(doc) is not None)
    assert by_index == verified


def test_unknown_period_is_refused(archive: StoredArchive) -> None:
    from newsmon.search import SearchError

    with pytest.raises(SearchError) as caught:
        trends(archive.repo, "Тараз", by="month")
    assert caught.value.field == "by"


def test_sparkline_scales_to_the_largest_value() -> None:
    assert sparkline([0, 1, 2, 4]) == "▁▃▅█"
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([]) == ""


def test_period_of_a_moment_is_its_utc_day_or_monday() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    late = datetime(2025, 3, 5, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    assert period_of(late, "day") == date(2025, 3, 4)
    assert period_of(datetime(2025, 3, 9, tzinfo=UTC), "week") == date(2025, 3, 3)
