"""Two worker processes (standing in for two hosts) and one beat on Redis and PostgreSQL, 20 loopback portals,
two scheduler rounds: each source crawled once per round, each article stored once, each alert sent once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsmon.models import Channel, Watch
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from tests.conftest import ROOT
from tests.fixtures.portal_builder import SAMPLE, build_portal

# Crawls fork from each worker process's warm launcher, so 20 portals take about 70 s; NEWSMON_TEST_PORTALS
# sizes the scenario up or down.
PORTALS = int(os.environ.get("NEWSMON_TEST_PORTALS", "20"))
SOURCES = [f"s{i:02d}" for i in range(PORTALS)]
ROUND_SECONDS = 60 + 30 * PORTALS


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.keys: list[str] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.keys.append(self.headers.get("Idempotency-Key", ""))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def own_redis(redis_url: str) -> Iterator[str]:
    """A Redis database of this test's own: workers of other tests on the shared fixture database would take
    its crawl messages."""
    import redis

    url = redis_url.rsplit("/", 1)[0] + "/7"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def article_text(seed: str) -> str:
    """Distinct text per article (no two are near-duplicates), in the words of the real sample."""
    words = SAMPLE.read_text(encoding="utf-8").split()
    random.Random(seed).shuffle(words)
    paragraphs = [" ".join(words[i : i + 50]) + "." for i in range(0, len(words), 50)]
    return f"Конференция, выпуск {seed}.\n" + "\n".join(paragraphs)


def write_portals(root: Path, base: str, count: int) -> None:
    for name in SOURCES:
        articles = [
            (f"{name}-{n}", f"Новость {name} номер {n}", article_text(f"{name}-{n}")) for n in range(count)
        ]
        build_portal(root / name, f"{base}/{name}", name, articles)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")


def write_sources(directory: Path, base: str) -> None:
    """The local portals, and every shipped source switched off (no crawl leaves the machine)."""
    from crawlers.sources import load_sources

    directory.mkdir()
    for name in SOURCES:
        feed = f"{base}/{name}/rss.xml"
        text = f"name: {name}\nhome: {base}/{name}/\nlanguages: [ru]\nfeeds: [{feed}]\n"
        (directory / f"{name}.yaml").write_text(text, encoding="utf-8")
    for source in load_sources(directory):
        if source.name not in SOURCES:
            text = f"name: {source.name}\nhome: {source.home}\nenabled: false\n"
            (directory / f"off-{source.name}.yaml").write_text(text, encoding="utf-8")


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    full = [sys.executable, "-m", "newsmon.cli", *command]
    return subprocess.Popen(
        full, env={**os.environ, **env}, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
    )


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def finished_runs(repo: Repository) -> dict[str, list[str]]:
    runs: dict[str, list[str]] = {}
    for run in repo.recent_runs(limit=1000):
        if run.status != "running" and run.source in SOURCES:
            runs.setdefault(run.source, []).append(run.status)
    return runs


def logs(tmp_path: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2500:]}" for p in tmp_path.glob("*.log"))


@pytest.mark.timeout(120 + 70 * PORTALS)
def test_two_workers_one_beat_crawl_each_source_once_per_round(
    postgres_url: str, own_redis: str, static_server: type, receiver: Receiver, tmp_path: Path
) -> None:
    portals = tmp_path / "portals"
    portals.mkdir()
    server = static_server(portals)
    write_portals(portals, server.url, 1)
    write_sources(tmp_path / "sources", server.url)
    repo = Repository.from_url(postgres_url)
    upgrade(repo.engine)
    repo.upsert_channel(Channel(id=0, name="hook", kind="webhook", target=receiver.url))
    repo.add_watch(Watch(id=0, name="conference", query="конференция", channels=("hook",)))
    env = {
        "NEWSMON_DATABASE_URL": postgres_url,
        "NEWSMON_BROKER_URL": own_redis,
        "NEWSMON_SOURCES_DIR": str(tmp_path / "sources"),
        "NEWSMON_SCHEDULE_TICK": "2",
        "NEWSMON_SCHEDULE_INTERVAL": "3600",
        "NEWSMON_SCHEDULE_MIN_INTERVAL": "3600",
        "NEWSMON_SCHEDULE_JITTER": "0",
        "NEWSMON_SINCE_DAYS": "36500",
        "NEWSMON_AUTOTHROTTLE": "false",
        "NEWSMON_DOWNLOAD_DELAY": "0",
        "NEWSMON_ALERT_BACKOFF_SECONDS": "1",
    }
    worker = ["worker", "-Q", "crawl,process,alerts", "-c", "2"]
    processes = [
        start(worker, {**env, "NEWSMON_DATA_DIR": str(tmp_path / "host-a")}, tmp_path / "host-a.log"),
        start(worker, {**env, "NEWSMON_DATA_DIR": str(tmp_path / "host-b")}, tmp_path / "host-b.log"),
        start(["beat"], {**env, "NEWSMON_DATA_DIR": str(tmp_path / "beat")}, tmp_path / "beat.log"),
    ]
    try:
        done_round = lambda n: (  # noqa: E731
            all(len(finished_runs(repo).get(s, [])) >= n for s in SOURCES)
            and repo.count_alerts("sent") >= PORTALS * n
        )
        assert wait_for(lambda: done_round(1), ROUND_SECONDS), logs(tmp_path)
        write_portals(portals, server.url, 2)  # one new article on every portal
        repo.make_due(SOURCES, datetime.now(UTC))  # what `newsmon schedule now --all` does
        assert wait_for(lambda: done_round(2), ROUND_SECONDS), logs(tmp_path)
        time.sleep(6)  # three more ticks: nothing is due, nothing more runs
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
    runs = finished_runs(repo)
    assert {s: runs.get(s) for s in SOURCES} == {s: ["ok", "ok"] for s in SOURCES}, logs(tmp_path)
    assert repo.count_articles() == 2 * PORTALS
    assert repo.count_alerts("sent") == 2 * PORTALS
    assert len(receiver.keys) == 2 * PORTALS and len(set(receiver.keys)) == 2 * PORTALS
    for host in ("host-a", "host-b"):  # both hosts took crawls
        assert "crawl of s" in (tmp_path / f"{host}.log").read_text(errors="replace")
    repo.dispose()
