"""Prometheus metrics from the database and the Redis broker, parsed back as a scraper would read them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from newsmon.config import Settings
from newsmon.metrics import render_metrics
from newsmon.models import Article, Channel, Source
from newsmon.storage import ArticleToStore, NewAlert, Repository
from newsmon.storage.migrate import upgrade


def samples(body: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(body.decode("utf-8")):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


@pytest.fixture
def repo(database_url: str) -> Repository:
    repository = Repository.from_url(database_url)
    upgrade(repository.engine)
    return repository


def test_metrics_count_crawls_articles_alerts_and_schedules(repo: Repository, tmp_path: Path) -> None:
    repo.upsert_source(Source(name="portal", home="http://127.0.0.1:9/"))
    for status in ("ok", "ok", "failed"):
        repo.finish_run(repo.start_run("portal"), status, "finished", {})
    for i in range(3):
        article = Article(url=f"http://127.0.0.1:9/{i}", text="Текст новости. " * 20, title="Новость")
        first = repo.store_article(
            ArticleToStore(article, article.url, f"h{i}", story_id=None if i == 0 else 1)
        )
    channel = repo.upsert_channel(Channel(id=0, name="ops", kind="webhook", target="http://127.0.0.1:9/hook"))
    sent = repo.add_alert(NewAlert(channel.id, "ops:a", {"url": "http://127.0.0.1:9/"}), kind="ops")
    repo.add_alert(NewAlert(channel.id, "ops:b", {"url": "http://127.0.0.1:9/"}), kind="ops")
    assert sent is not None and repo.claim_alert(sent) is not None
    repo.mark_alert_sent(sent)
    repo.reschedule_source("portal", 600, datetime.now(UTC), ran_at=datetime.now(UTC))

    body, content_type = render_metrics(repo, Settings(data_dir=tmp_path))
    assert content_type.startswith("text/plain")
    values = samples(body)
    assert values[("newsmon_crawls_total", (("result", "ok"),))] == 2
    assert values[("newsmon_crawls_total", (("result", "failed"),))] == 1
    assert values[("newsmon_articles_stored_total", ())] == 3
    assert values[("newsmon_duplicates_stored_total", ())] == 2 and first.story_id == 1
    assert values[("newsmon_alerts", (("kind", "ops"), ("status", "sent")))] == 1
    assert values[("newsmon_alerts", (("kind", "ops"), ("status", "pending")))] == 1
    assert values[("newsmon_alert_delivery_latency_seconds_count", ())] == 1
    assert values[("newsmon_source_interval_seconds", (("source", "portal"),))] == 600
    assert not any(name == "newsmon_queue_length" for name, _ in values)  # no Redis broker configured
    repo.dispose()


def test_queue_lengths_come_from_the_redis_broker(sqlite_url: str, redis_url: str, tmp_path: Path) -> None:
    import redis

    repo = Repository.from_url(sqlite_url)
    upgrade(repo.engine)
    redis_url = redis_url.rsplit("/", 1)[0] + "/8"  # a database no worker of another test consumes
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.lpush("crawl", "{}", "{}")
    client.lpush("alerts\x06\x163", "{}")
    body, _ = render_metrics(repo, Settings(data_dir=tmp_path, broker_url=redis_url))
    values = samples(body)
    assert values[("newsmon_queue_length", (("queue", "crawl"),))] == 2
    assert values[("newsmon_queue_length", (("queue", "alerts"),))] == 1
    assert values[("newsmon_queue_length", (("queue", "process"),))] == 0
    client.flushdb()
    client.close()
    repo.dispose()


def test_metrics_command_prints_the_exposition(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from newsmon.cli.main import cli
    from tests.newsmon_env import newsmon_settings

    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url):
        result = CliRunner().invoke(cli, ["metrics"])
    assert result.exit_code == 0, result.output
    assert "newsmon_articles_stored_total 0.0" in result.output
