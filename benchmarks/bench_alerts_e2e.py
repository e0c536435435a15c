"""End to end on Redis and PostgreSQL: an article stored -> its alert received by a webhook, with real workers.

Articles are stored at a steady rate (the way crawls deliver them), each followed by the pipeline's enqueue
after commit; a worker process matches them against 50 watches and delivers one webhook per article to a
receiver on 127.0.0.1. Printed: p50/p95/p99 of stored -> received, and where the time goes (stored ->
alert row, alert row -> sent, sent -> received), next to the same steps done in one process with no broker
(the baseline: what the work itself costs). Target: p95 <= 2 s.

    .venv/bin/python benchmarks/bench_alerts_e2e.py [--articles 1000] [--rate 10] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg

from newsmon.models import Article, Channel, Watch
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.migrate import upgrade
from pipelines.outbox import MatchQueue

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "samples" / "zhambyl-conference.ru.txt"
PG_ADMIN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
OTHER_WATCHES = ["Сапарбаев", "Карашукеев", '"Жамбыл облысы"', "Мерке NEAR/3 аким", "Кордай -спорт"]


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.daemon_threads = True
        self.received: dict[int, float] = {}
        self.duplicates = 0
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        article_id = int(body.get("article_id") or 0)
        if article_id in self.server.received:
            self.server.duplicates += 1
        self.server.received.setdefault(article_id, time.time())
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def article(number: int, text: str) -> Article:
    return Article(
        url=f"https://ztgzt.kz/bench/{number}",
        text=f"{text}\nМатериал номер {number}.",
        title=f"Конференция {number}",
        language="ru",
        source="ztgzt",
        published=datetime(2026, 11, 20, tzinfo=UTC),
    )


def percentiles(values: list[float]) -> str:
    if not values:
        return "no values"
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return f"p50 {pick(0.5):6.3f}s  p95 {pick(0.95):6.3f}s  p99 {pick(0.99):6.3f}s  max {ordered[-1]:6.3f}s"


def store_at_rate(repo: Repository, broker: str, texts: list[Article], rate: float) -> None:
    queue = MatchQueue(broker)
    started = time.monotonic()
    for number, item in enumerate(texts):
        time.sleep(max(0.0, started + number / rate - time.monotonic()))
        stored = repo.store_article(ArticleToStore(item, item.url, f"bench-{item.url}"))
        queue.enqueue([stored.article_id])
    queue.close()


def baseline(repo_url: str, receiver: Receiver, sample: str, count: int) -> list[float]:
    """The same steps in one process, no broker: store, match (all watches), render and post the webhook."""
    os.environ["NEWSMON_DATABASE_URL"] = repo_url
    from tasks import context
    from tasks.delivery import deliver_alert
    from tasks.matching import match_articles

    repo = context.repository()
    took = []
    for number in range(count):
        item = article(100_000 + number, sample)
        started = time.perf_counter()
        stored = repo.store_article(ArticleToStore(item, item.url, f"base-{item.url}"))
        for alert_id in match_articles([stored.article_id], enqueue=False):
            deliver_alert(alert_id)
        took.append(time.perf_counter() - started)
    return took


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0, help="articles stored per second")
    parser.add_argument("--concurrency", type=int, default=4)
    options = parser.parse_args()
    if shutil.which("redis-server") is None:
        print("redis-server is not installed; skipped")
        return 0
    sample = SAMPLE.read_text(encoding="utf-8")[:2000]
    database = f"newsmon_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    repo_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    work = Path(tempfile.mkdtemp(prefix="newsmon-bench-"))
    port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        cwd=work,
    )
    broker = f"redis://127.0.0.1:{port}/0"
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    worker = None
    try:
        repo = Repository.from_url(repo_url)
        upgrade(repo.engine)
        repo.upsert_channel(Channel(id=0, name="hook", kind="webhook", target=receiver.url))
        repo.add_watch(Watch(id=0, name="project", query='"Бейбітшілік пен келісім"', channels=("hook",)))
        for number in range(49):
            query = OTHER_WATCHES[number % len(OTHER_WATCHES)]
            repo.add_watch(Watch(id=0, name=f"other-{number}", query=query, channels=("hook",)))
        env = {
            **os.environ,
            "NEWSMON_DATABASE_URL": repo_url,
            "NEWSMON_BROKER_URL": broker,
            "NEWSMON_DATA_DIR": str(work / "data"),
            "NEWSMON_LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "newsmon.cli", "worker", "-Q", "process,alerts"]
        command += ["-c", str(options.concurrency), "--loglevel", "WARNING"]
        with (work / "worker.log").open("wb") as log:
            worker = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        time.sleep(1)
        warm = [article(-1 - n, sample) for n in range(5)]
        store_at_rate(repo, broker, warm, 5)  # the worker's first matcher build is not part of the figures
        deadline = time.monotonic() + 60
        while len(receiver.received) < len(warm) and time.monotonic() < deadline:
            time.sleep(0.2)
        receiver.received.clear()

        items = [article(n, sample) for n in range(options.articles)]
        started = time.monotonic()
        store_at_rate(repo, broker, items, options.rate)
        stored_for = time.monotonic() - started
        deadline = time.monotonic() + 120
        while len(receiver.received) < len(items) and time.monotonic() < deadline:
            time.sleep(0.2)
        report(repo, receiver, items, options, stored_for)
        print("\nbaseline, one process, no broker (store + match 50 watches + render + POST), 100 articles:")
        print(f"  {percentiles(baseline(repo_url, receiver, sample, 100))}")
        repo.dispose()
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        redis.terminate()
        redis.wait()
        receiver.shutdown()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
    return 0


def report(
    repo: Repository, receiver: Receiver, items: list[Article], options: argparse.Namespace, stored_for: float
) -> None:
    alerts = {a.article_id: a for a in repo.list_alerts("sent", limit=len(items) * 2) if a.article_id}
    articles = {a.url: a for a in repo.articles_since(datetime(2000, 1, 1, tzinfo=UTC), limit=len(items) * 2)}
    total, to_alert, to_sent, to_received = [], [], [], []
    for item in items:
        stored = articles.get(item.url)
        if stored is None or stored.id not in receiver.received or stored.stored_at is None:
            continue
        received = receiver.received[stored.id]
        total.append(received - stored.stored_at.timestamp())
        alert = alerts.get(stored.id)
        if alert is not None and alert.created_at and alert.sent_at:
            to_alert.append((alert.created_at - stored.stored_at).total_seconds())
            to_sent.append((alert.sent_at - alert.created_at).total_seconds())
            to_received.append(received - alert.sent_at.timestamp())
    print(
        f"{len(items)} articles stored at {options.rate:g}/s in {stored_for:.1f}s; worker -c {options.concurrency}"
    )
    print(f"received {len(total)} of {len(items)}, duplicates {receiver.duplicates}")
    print(f"stored -> webhook received: {percentiles(total)}   (target p95 <= 2 s)")
    print("where the time goes:")
    print(f"  stored -> alert row (enqueue, match): {percentiles(to_alert)}")
    print(f"  alert row -> sent (enqueue, send):    {percentiles(to_sent)}")
    print(f"  sent -> received (commit order):      {percentiles(to_received)}")
    if total:
        print(f"mean {statistics.mean(total):.3f}s")


if __name__ == "__main__":
    sys.exit(main())
