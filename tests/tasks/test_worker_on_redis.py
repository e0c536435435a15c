"""Real Celery worker processes on Redis and PostgreSQL: a stored article reaches a webhook exactly once,
through failures of the receiver."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsmon.models import Article, Channel, Watch
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.migrate import upgrade
from pipelines.outbox import MatchQueue


class FlakyReceiver(ThreadingHTTPServer):
    """A webhook receiver that answers 500 to the first `failures` requests, then 200."""

    def __init__(self, failures: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.failures = failures
        self.requests: list[dict] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: FlakyReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append({"key": self.headers.get("Idempotency-Key"), "body": json.loads(body)})
        status = 500 if len(self.server.requests) <= self.server.failures else 200
        self.send_response(status)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[FlakyReceiver]:
    server = FlakyReceiver(failures=3)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def start_worker(env: dict[str, str], cwd: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "newsmon.cli",
        "worker",
        "-Q",
        "process,alerts",
        "-c",
        "2",
        "--loglevel",
        "INFO",
    ]
    log = (cwd / "worker.log").open("wb")
    return subprocess.Popen(command, env={**os.environ, **env}, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_article_reaches_webhook_once_through_receiver_failures(
    postgres_url: str, redis_url: str, receiver: FlakyReceiver, tmp_path: Path
) -> None:
    repo = Repository.from_url(postgres_url)
    upgrade(repo.engine)
    repo.upsert_channel(Channel(id=0, name="hook", kind="webhook", target=receiver.url))
    repo.add_watch(Watch(id=0, name="project", query='"Бейбітшілік пен келісім"', channels=("hook",)))
    env = {
        "NEWSMON_DATABASE_URL": postgres_url,
        "NEWSMON_BROKER_URL": redis_url,
        "NEWSMON_DATA_DIR": str(tmp_path / "data"),
        "NEWSMON_ALERT_BACKOFF_SECONDS": "1",
    }
    worker = start_worker(env, tmp_path)
    try:
        text = "В Таразе прошла конференция, посвящённая проекту «Бейбітшілік пен келісім»."
        article = Article(
            url="https://akimat.kz/ru/news/1",
            text=text,
            title="Конференция",
            language="ru",
            published=datetime(2025, 2, 10, 5, tzinfo=UTC),
        )
        stored = repo.store_article(ArticleToStore(article, article.url, "h1"))
        assert MatchQueue(redis_url).enqueue([stored.article_id])
        assert wait_for(lambda: repo.count_alerts("sent") == 1), (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert len(receiver.requests) == 4  # three 500s, then one success
    assert len({r["key"] for r in receiver.requests}) == 1  # one idempotency key across every attempt
    assert receiver.requests[-1]["body"]["watch_name"] == "project" or "project" in json.dumps(
        receiver.requests[-1]
    )
    alert = repo.list_alerts("sent")[0]
    assert alert.attempts == 4
    repo.dispose()
