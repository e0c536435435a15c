"""Nothing lost when the broker goes away: Redis (a server of the test's own) stops while articles are stored,
comes back empty, and the beat sweeper finds the unmatched articles in the database; every alert arrives once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsmon.models import Article, Channel, Watch
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from pipelines.dedupe import Deduplicator
from pipelines.near_duplicate import MemoryIndex, NearDuplicateDetector
from pipelines.outbox import MatchQueue
from pipelines.store import Storer
from tests.tasks.processes import RedisServer, WebhookReceiver, beat, wait_for, worker

STORIES = [
    "Аким Жамбылской области открыл новую школу в Таразе на 1200 мест.",
    "В Жамбылской области завершили ремонт дороги Тараз — Каратау протяжённостью 48 километров.",
    "Фермеры Жамбылской области собрали рекордный урожай сахарной свёклы в этом году.",
]


def article(number: int, text: str) -> Article:
    return Article(
        url=f"https://ztgzt.kz/news/{number}",
        text=text,
        title=f"Новость {number}",
        language="ru",
        source="ztgzt",
        published=datetime(2026, 11, 20, number, tzinfo=UTC),
    )


def test_alerts_arrive_after_redis_is_stopped_and_started_again(
    postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    repo = Repository.from_url(postgres_url)
    upgrade(repo.engine)
    redis = RedisServer(tmp_path)
    redis.start()
    env = {
        "NEWSMON_DATABASE_URL": postgres_url,
        "NEWSMON_BROKER_URL": redis.url,
        "NEWSMON_DATA_DIR": str(tmp_path / "data"),
        "NEWSMON_MATCH_GRACE_SECONDS": "1",
        "NEWSMON_ALERT_BACKOFF_SECONDS": "0.2",
    }
    services = []
    queue = MatchQueue(redis.url)
    with WebhookReceiver() as receiver:
        repo.upsert_channel(Channel(id=0, name="hook", kind="webhook", target=receiver.url))
        repo.add_watch(Watch(id=0, name="region", query='"Жамбылская область"', channels=("hook",)))
        try:
            services = [worker(env, tmp_path / "worker.log"), beat(env, tmp_path / "beat.log")]
            assert services[0].wait_until_logged("ready."), services[0].output()
            assert services[1].wait_until_logged("beat: Starting"), services[1].output()
            deduplicator = Deduplicator(repo, NearDuplicateDetector(MemoryIndex()))
            storer = Storer(repo, MemoryIndex(), queue, deduplicator)

            redis.stop()
            with caplog.at_level(logging.WARNING, logger="pipelines.outbox"):
                for number, text in enumerate(STORIES, 1):
                    storer.store(deduplicator.decide(article(number, text)))
            assert caplog.text.count("could not enqueue matching") == len(STORIES)
            assert repo.count_articles() == len(STORIES) and repo.count_alerts() == 0

            redis.start()  # same port, empty: every message sent before is gone
            arrived = wait_for(lambda: len(receiver.requests) >= len(STORIES), timeout=50)
            assert arrived, "\n".join(s.output(2500) for s in services)
            wait_for(lambda: len(receiver.requests) > len(STORIES), timeout=2)  # and nothing twice
        finally:
            for service in services:
                service.kill()
            queue.close()
            redis.stop()
    urls = sorted(r["body"]["url"] for r in receiver.requests)
    assert urls == [f"https://ztgzt.kz/news/{n}" for n in range(1, len(STORIES) + 1)]
    assert len(set(receiver.keys())) == len(STORIES)
    assert repo.count_alerts("sent") == len(STORIES)
    repo.dispose()
