"""Beat's daily trend upkeep, run by real beat and worker processes on Redis and PostgreSQL: the commonest
words' counts are kept, and a trend read from them equals the index's count."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsmon.models import Article
from newsmon.search import prepare_query, trends
from newsmon.search.trends import _countable_terms
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.migrate import upgrade
from pipelines.dedupe import content_hash, search_terms
from tests.tasks.processes import beat, settings_env, wait_for, worker

trend_module = importlib.import_module("newsmon.search.trends")  # the package exports a function of that name
TEXTS = [
    "В Таразе открыли новую школу на двести мест.",
    "Аким Тараза встретился с жителями микрорайона.",
    "В Таразе прошла конференция «Бейбітшілік пен келісім».",
    "В Шу отремонтировали дорогу к вокзалу.",
]


def test_beat_keeps_the_common_words_counts_and_the_trend_reads_them(
    postgres_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repository.from_url(postgres_url)
    upgrade(repo.engine)
    start = datetime(2026, 11, 20, 9, tzinfo=UTC)
    for number, text in enumerate(TEXTS):
        url = f"https://taraz.kz/news/{number}"
        published = start + timedelta(days=number)
        article = Article(
            url=url, text=text, title=None, source="taraz.kz", language="ru", published=published
        )
        item = ArticleToStore(article, url, content_hash(text), search_terms=search_terms(article))
        repo.store_article(item)
    terms = _countable_terms(prepare_query("в"))
    assert terms is not None and repo.trend_key(terms) is None
    monkeypatch.setattr(trend_module, "KEEP_MIN_MATCHES", 10**9)  # counted by the index, nothing kept
    by_index = trends(repo, "в", by="day")
    assert by_index.total() == 3  # «в» is in three of the four

    env = settings_env(
        postgres_url, redis_url, tmp_path / "data", trends_keep_every="1", trends_keep_min_articles="3"
    )
    services = [worker(env, tmp_path / "worker.log", queues="process"), beat(env, tmp_path / "beat.log")]
    try:
        kept = wait_for(lambda: repo.trend_key(terms) is not None, timeout=60)
        assert kept, "".join(service.output() for service in services)
    finally:
        for service in services:
            service.kill()

    kept_trend = trends(repo, "в", by="day")  # read from the kept counts now
    assert kept_trend.points == by_index.points and kept_trend.periods == by_index.periods
    repo.dispose()
