"""When a stored article that no feed or sitemap dates is fetched again for updates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsmon.storage.records import FetchTimes
from pipelines.seen import Recheck

T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAY = Recheck(within=timedelta(hours=24), first=timedelta(minutes=30))


def _schedule(recheck: Recheck, times: FetchTimes, until: datetime) -> list[timedelta]:
    """The moments (from publication) at which a crawl every minute would fetch the article again."""
    fetched = now = times.fetched
    moments: list[timedelta] = []
    while now < until:
        now += timedelta(minutes=1)
        if recheck.due(FetchTimes(fetched, times.stored, times.published), now):
            fetched = now
            moments.append(now - T)
    return moments


def test_the_wait_doubles_with_the_articles_age_and_ends_after_a_day() -> None:
    stored = T + timedelta(minutes=10)  # found ten minutes after it was published
    moments = _schedule(DAY, FetchTimes(stored, stored, T), T + timedelta(days=3))
    hours = [round(m / timedelta(hours=1), 2) for m in moments]
    assert hours == [0.67, 1.33, 2.67, 5.33, 10.67, 21.33]


def test_an_old_article_found_today_is_not_fetched_again() -> None:
    stored = T + timedelta(days=400)
    assert _schedule(DAY, FetchTimes(stored, stored, T), stored + timedelta(days=1)) == []


def test_without_a_publication_date_its_first_store_counts() -> None:
    moments = _schedule(DAY, FetchTimes(T, T, None), T + timedelta(days=2))
    assert moments[0] == timedelta(minutes=30) and len(moments) == 6


def test_zero_hours_never() -> None:
    never = Recheck(within=timedelta(0), first=timedelta(minutes=30))
    assert _schedule(never, FetchTimes(T, T, T), T + timedelta(days=1)) == []
