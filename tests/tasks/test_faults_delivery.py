"""Nothing lost, nothing twice, with real worker processes on Redis and PostgreSQL: a receiver that fails
before it succeeds, and a worker killed with SIGKILL in the middle of a send."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsmon.models import Article, Channel, Watch
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.migrate import upgrade
from pipelines.outbox import MatchQueue
from tests.tasks.processes import WebhookReceiver, beat, settings_env, wait_for, worker

TEXT = "В Таразе прошла конференция, посвящённая проекту «Бейбітшілік пен келісім»."


@pytest.fixture
def repo(postgres_url: str) -> Iterator[Repository]:
    repo = Repository.from_url(postgres_url)
    upgrade(repo.engine)
    yield repo
    repo.dispose()


def setup_watch(repo: Repository, url: str) -> None:
    repo.upsert_channel(Channel(id=0, name="hook", kind="webhook", target=url))
    repo.add_watch(Watch(id=0, name="project", query='"Бейбітшілік пен келісім"', channels=("hook",)))


def store_and_enqueue(repo: Repository, broker_url: str, url: str = "https://akimat.kz/ru/news/1") -> int:
    article = Article(
        url=url, text=TEXT, title="Конференция", language="ru", published=datetime(2026, 11, 20, tzinfo=UTC)
    )
    stored = repo.store_article(ArticleToStore(article, url, f"hash-{url}"))
    queue = MatchQueue(broker_url)
    assert queue.enqueue([stored.article_id])
    queue.close()
    return stored.article_id


def test_receiver_failing_three_times_then_succeeding_gets_one_alert(
    repo: Repository, postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    with WebhookReceiver(failures=3) as receiver:
        setup_watch(repo, receiver.url)
        service = worker(settings_env(postgres_url, redis_url, tmp_path / "data"), tmp_path / "worker.log")
        try:
            store_and_enqueue(repo, redis_url)
            assert wait_for(lambda: repo.count_alerts("sent") == 1), service.output()
        finally:
            service.kill()
        assert len(receiver.requests) == 4  # three 500s, then one success
        assert len(set(receiver.keys())) == 1  # one idempotency key across every attempt
        assert receiver.requests[-1]["body"]["watch_name"] == "project"
    assert repo.list_alerts("sent")[0].attempts == 4


def test_worker_killed_mid_send_is_retried_after_the_lease_with_the_same_key(
    repo: Repository, postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    env = settings_env(postgres_url, redis_url, tmp_path / "data", alert_lease_seconds="3")
    with WebhookReceiver(hangs=1) as receiver:
        setup_watch(repo, receiver.url)
        first = worker(env, tmp_path / "worker-1.log")
        try:
            store_and_enqueue(repo, redis_url)
            assert wait_for(lambda: len(receiver.requests) == 1), first.output()  # inside send, hanging
        finally:
            first.kill()
        [alert] = repo.list_alerts()
        assert alert.status == "sending"  # the killed worker never recorded an outcome

        second, scheduler = worker(env, tmp_path / "worker-2.log"), beat(env, tmp_path / "beat.log")
        try:
            assert wait_for(lambda: repo.count_alerts("sent") == 1, timeout=50), (
                second.output() + scheduler.output()
            )
            wait_for(lambda: len(receiver.requests) > 2, timeout=3)  # nothing more may arrive
        finally:
            scheduler.kill()
            second.kill()
    keys = receiver.keys()
    assert len(keys) == 2 and keys[0] == keys[1] == alert.idempotency_key
    sent = repo.get_alert(alert.id)
    assert sent is not None and sent.status == "sent" and sent.attempts == 2
    assert repo.count_alerts() == 1
