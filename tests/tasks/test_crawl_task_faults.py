"""The crawl task under faults, with real processes: a portal that hangs, a crawl over its memory cap, a worker
stopped with SIGTERM and one killed outright, the database restarted mid-crawl. Each run is recorded with its
reason and the lock is freed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsmon.models import Source
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from tests.conftest import ROOT
from tests.fixtures.portal_builder import SAMPLE, build_portal
from tests.newsmon_env import newsmon_settings
from tests.tasks.processes import PostgresServer


class SlowPortal(ThreadingHTTPServer):
    """Serves a feed-backed portal whose article pages answer after `delay` seconds, or sooner once released
    (a hanging portal: a long delay, released when the test ends)."""

    daemon_threads = True

    def __init__(self, root: Path, delay: float) -> None:
        super().__init__(("127.0.0.1", 0), partial(_SlowHandler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.delay = delay
        self.release = threading.Event()
        self.article_requests = 0


class _SlowHandler(SimpleHTTPRequestHandler):
    server: SlowPortal

    def do_GET(self) -> None:
        if self.path.startswith("/news/"):
            self.server.article_requests += 1
            self.server.release.wait(self.server.delay)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_portal(root: Path, delay: float, articles: list[tuple[str, str, str]]) -> SlowPortal:
    root.mkdir()
    server = SlowPortal(root, delay)
    build_portal(root, server.url, "Портал", articles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop_portal(server: SlowPortal) -> None:
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[SlowPortal]:
    """A portal of one article that hangs until the test ends."""
    server = serve_portal(
        tmp_path / "portal", 120, [("conference", "Конференция", SAMPLE.read_text(encoding="utf-8"))]
    )
    yield server
    stop_portal(server)


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def prepare(database_url: str, portal: SlowPortal) -> Repository:
    repo = Repository.from_url(database_url)
    upgrade(repo.engine)
    repo.upsert_source(Source(name="portal", home=portal.url + "/", feeds=(portal.url + "/rss.xml",)))
    return repo


def crawl_env(tmp_path: Path, database_url: str, **values: str) -> dict[str, str]:
    env = {"NEWSMON_DATA_DIR": str(tmp_path / "data"), "NEWSMON_DATABASE_URL": database_url}
    env.update({f"NEWSMON_{k.upper()}": v for k, v in values.items()})
    return env


def lock_is_free(repo: Repository) -> bool:
    if not repo.acquire_lock("crawl:portal", "the-test", timedelta(seconds=1)):
        return False
    repo.release_lock("crawl:portal", "the-test")
    return True


def start_crawl_process(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """A process standing in for a worker: it runs the crawl task in its main thread, as a pool process does."""
    code = (
        "from tasks.crawl import CrawlOptions, crawl_source\n"
        "crawl_source('portal', CrawlOptions(since='36500d', enqueue_matching=False))\n"
    )
    log = (cwd / "worker.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def crawl_processes(data_dir: Path) -> list[int]:
    """Crawl processes started for this test, and crawl launchers (found by the data directory in their
    environment; a launcher's forks share its command line)."""
    found = []
    marker = f"NEWSMON_DATA_DIR={data_dir}".encode()
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and any(
                    name in (entry / "cmdline").read_bytes() for name in (b"scrapy", b"crawlers.launcher")
                )
                and marker in (entry / "environ").read_bytes().split(b"\0")
            ):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_hanging_portal_is_stopped_at_the_time_limit(
    portal: SlowPortal, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tasks.crawl import CrawlOptions, crawl_source

    values = {"database_url": sqlite_url, "crawl_time_limit": "10", "download_timeout": "100"}
    with newsmon_settings(monkeypatch, tmp_path / "data", **values):
        repo = prepare(sqlite_url, portal)
        result = crawl_source("portal", CrawlOptions(since="36500d", enqueue_matching=False))
        assert (result["status"], result["reason"]) == ("timeout", "time limit of 10s reached")
        run = repo.recent_runs("portal")[0]
        assert run.status == "timeout" and run.finished_at is not None
        assert lock_is_free(repo)
        schedule = repo.source_schedule("portal")
        assert schedule is not None and schedule.next_run_at is not None  # the next tick runs it again
        assert schedule.next_run_at > datetime.now(UTC)


def test_a_crawl_over_its_memory_cap_is_recorded_as_such(
    portal: SlowPortal, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tasks.crawl import CrawlOptions, crawl_source

    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url, crawl_memory_mb="64"):
        repo = prepare(sqlite_url, portal)
        result = crawl_source("portal", CrawlOptions(since="36500d", enqueue_matching=False))
        assert result["status"] == "failed" and result["reason"] == "memory cap of 64 MiB exceeded"
        assert repo.recent_runs("portal")[0].finish_reason == "memory cap of 64 MiB exceeded"
        assert lock_is_free(repo)


def test_sigterm_stops_the_crawl_cleanly_and_records_it_interrupted(
    portal: SlowPortal, postgres_url: str, tmp_path: Path
) -> None:
    database_url = postgres_url
    repo = prepare(database_url, portal)
    worker = start_crawl_process(crawl_env(tmp_path, database_url, crawl_time_limit="120"), tmp_path)
    try:
        assert wait_for(lambda: portal.article_requests > 0), (tmp_path / "worker.log").read_text()
        assert not lock_is_free(repo)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    finally:
        worker.kill()
    run = repo.recent_runs("portal")[0]
    assert (run.status, run.finish_reason) == ("interrupted", "worker shutdown")
    assert lock_is_free(repo)
    schedule = repo.source_schedule("portal")
    assert schedule is not None and schedule.next_run_at is not None
    assert schedule.next_run_at <= datetime.now(UTC)  # due at the next tick, going on from what was stored
    assert wait_for(lambda: not crawl_processes(tmp_path / "data"), 30)
    repo.dispose()


def test_a_killed_worker_leaves_a_lease_that_runs_out_and_the_next_tick_runs_the_source_again(
    portal: SlowPortal, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url = postgres_url
    repo = prepare(database_url, portal)
    assert repo.claim_due_sources(datetime.now(UTC), timedelta(hours=1)) == ["portal"]  # as a tick claims it
    worker = start_crawl_process(
        crawl_env(tmp_path, database_url, crawl_time_limit="15", download_timeout="100"), tmp_path
    )
    try:
        assert wait_for(lambda: portal.article_requests > 0), (tmp_path / "worker.log").read_text()
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        worker.kill()
    assert not lock_is_free(repo)
    assert repo.recent_runs("portal")[0].status == "running"
    # The crawl process dies with its supervisor (within its shutdown grace) instead of running on unsupervised.
    assert wait_for(lambda: not crawl_processes(tmp_path / "data"), 30)
    assert wait_for(lambda: lock_is_free(repo), 40)  # the 15 s lease ran out
    from tasks.scheduling import schedule_crawls

    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=database_url, crawl_time_limit="15"):
        enqueued: list[str] = []
        result = schedule_crawls(datetime.now(UTC), lambda names, expires: enqueued.extend(names))
    run = repo.recent_runs("portal")[0]
    assert (run.status, run.finish_reason) == ("interrupted", "worker lost")
    assert result["lost_runs"] == 1 and enqueued == ["portal"]  # claimed an hour ahead, yet crawled again now
    repo.dispose()


@pytest.fixture
def slow_portal(tmp_path: Path) -> Iterator[SlowPortal]:
    """A portal of eight articles, each page taking a second."""
    body = SAMPLE.read_text(encoding="utf-8")
    articles = [(f"item-{i}", f"Новость номер {i}", f"Сообщение {i}. {body[i * 200 :]}") for i in range(8)]
    server = serve_portal(tmp_path / "slow-portal", 1.0, articles)
    yield server
    stop_portal(server)


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.remove()


def test_a_database_restart_during_a_crawl_is_recorded_and_the_next_run_stores_what_it_cost(
    slow_portal: SlowPortal, own_postgres: PostgresServer, tmp_path: Path
) -> None:
    repo = prepare(own_postgres.url, slow_portal)
    worker = start_crawl_process(crawl_env(tmp_path, own_postgres.url, crawl_time_limit="90"), tmp_path)
    try:
        assert wait_for(lambda: slow_portal.article_requests > 0), (tmp_path / "worker.log").read_text()
        own_postgres.restart(downtime=3)
        worker.wait(timeout=120)
    finally:
        worker.kill()
    assert worker.returncode == 0, (tmp_path / "worker.log").read_text()[-3000:]
    run = repo.recent_runs("portal")[0]
    assert run.status != "running" and run.finish_reason, run
    assert lock_is_free(repo)
    # Every article the outage kept from being stored is counted as a store error of the run.
    stored_first = repo.count_articles()
    assert run.stats["summary"]["errors"].get("store", 0) == 8 - stored_first > 0, run.stats["summary"]

    # The next run (as the next tick would start it) reads the feed in full and stores every article.
    again = start_crawl_process(crawl_env(tmp_path, own_postgres.url, crawl_time_limit="90"), tmp_path)
    again.wait(timeout=120)
    assert repo.count_articles() == 8, (stored_first, (tmp_path / "worker.log").read_text()[-3000:])
    assert repo.recent_runs("portal")[0].status == "ok"
    repo.dispose()
