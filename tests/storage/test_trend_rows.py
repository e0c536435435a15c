"""SQLite counts a query's matches per period from the trend rows (newsmon.storage.trendrows): the same
counts as reading each match's article, at every edge of a window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from newsmon.models import Article
from newsmon.search import build_filters, prepare_query
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.migrate import upgrade
from pipelines.dedupe import content_hash, search_terms

# (published, source, language): both sides of UTC midnight and of a Monday, an offset written in +06:00.
PUBLISHED = [
    ("2025-03-02T23:59:59+00:00", "taraz.kz", "ru"),
    ("2025-03-03T00:00:00+00:00", "taraz.kz", "ru"),
    ("2025-03-03T05:59:59+06:00", "zhambyl.kz", "kk"),
    ("2025-03-03T10:00:00+00:00", "zhambyl.kz", "KK"),
    ("2025-03-03T14:59:59.999999+00:00", None, None),
    ("2025-03-03T15:00:00+00:00", "taraz.kz", "ru"),
    ("2025-03-09T23:59:59+00:00", "taraz.kz", "ru"),
    ("2025-03-10T00:00:00+00:00", "zhambyl.kz", "ru"),
    ("2025-03-21T12:00:00+00:00", "taraz.kz", "ru"),
]


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'rows.db'}")
    upgrade(repo.engine)
    for i, (published, source, language) in enumerate(PUBLISHED):
        body = f"Аким района встретился с жителями, встреча номер {i}."
        article = Article(
            url=f"https://e.kz/{i}",
            text=body,
            source=source,
            language=language,
            published=datetime.fromisoformat(published),
        )
        repo.store_article(
            ArticleToStore(
                article,
                canonical_url=article.url,
                content_hash=content_hash(body),
                search_terms=search_terms(article),
            )
        )
    other = Article(
        url="https://e.kz/other", text="Погода в Таразе.", published=datetime(2025, 3, 3, tzinfo=UTC)
    )
    repo.store_article(
        ArticleToStore(other, canonical_url=other.url, content_hash="x", search_terms=search_terms(other))
    )
    with repo.engine.begin() as conn:  # no publication date: the article counts on the day it was stored
        conn.execute(
            text(
                "UPDATE articles SET published_at = NULL, stored_at = '2025-03-03 12:00:00.000000' "
                "WHERE url = 'https://e.kz/8'"
            )
        )
    yield repo
    repo.dispose()


WINDOWS = [
    (None, None),
    ("2025-03-03T00:00:00+00:00", None),
    ("2025-03-03T10:00:00+00:00", "2025-03-03T15:00:00+00:00"),
    ("2025-03-03T10:00:00+00:00", "2025-03-10T00:00:00+00:00"),
    ("2025-03-02T23:59:59+00:00", "2025-03-09T23:59:59+00:00"),
    ("2025-03-03T06:00:00+06:00", "2025-03-04T00:00:00+06:00"),
    (None, "2025-03-03T15:00:00.000001+00:00"),
]


@pytest.mark.parametrize(("since", "until"), WINDOWS)
@pytest.mark.parametrize("by", ["day", "week"])
@pytest.mark.parametrize("narrowed", [{}, {"source": "taraz.kz"}, {"lang": "kk"}])
def test_counts_from_trend_rows_equal_counts_from_articles(
    repo: Repository, since: str | None, until: str | None, by: str, narrowed: dict[str, str]
) -> None:
    filters = build_filters(
        since=datetime.fromisoformat(since) if since else None,
        until=datetime.fromisoformat(until) if until else None,
        **narrowed,
    )
    selection = prepare_query("аким").selection(filters, "sqlite")
    for per_source in (False, True):
        counted = repo.count_by_period(selection, by, per_source)
        assert counted == repo._count_by_period_from_articles(selection, by, per_source)
        assert counted  # every window holds a match


def test_a_window_cut_within_days_counts_to_the_microsecond(repo: Repository) -> None:
    since, until = datetime(2025, 3, 3, 10, tzinfo=UTC), datetime(2025, 3, 3, 15, tzinfo=UTC)
    selection = prepare_query("аким").selection(build_filters(since=since, until=until), "sqlite")
    counted = repo.count_by_period(selection, "day", per_source=True)
    day = since.date()
    assert counted == [(day, None, 1), (day, "taraz.kz", 1), (day, "zhambyl.kz", 1)]  # 15:00 is not in it
    week = repo.count_by_period(
        prepare_query("аким").selection(build_filters(until=since + timedelta(days=30)), "sqlite"), "week"
    )
    assert [(str(period), n) for period, _source, n in week] == [
        ("2025-02-24", 2), ("2025-03-03", 6), ("2025-03-10", 1),
    ]  # fmt: skip


@pytest.mark.parametrize(("since", "until"), [w for w in WINDOWS if w[0] and w[1]])
def test_a_kept_words_part_days_are_counted_as_from_the_articles(
    repo: Repository, since: str, until: str
) -> None:
    filters = build_filters(since=datetime.fromisoformat(since), until=datetime.fromisoformat(until))
    selection = prepare_query("аким").selection(filters, "sqlite")
    for per_source in (False, True):
        counted = repo.count_window_by_day(selection, per_source)
        assert counted == repo._count_by_period_from_articles(selection, "day", per_source)


def test_a_window_ending_at_the_first_representable_midnight_counts_nothing(repo: Repository) -> None:
    """The day before 0001-01-01 cannot be written as a date: the window's last day is found without it."""
    selection = prepare_query("аким").selection(build_filters(until=datetime(1, 1, 1, tzinfo=UTC)), "sqlite")
    assert repo.count_by_period(selection, "day", per_source=True) == []
