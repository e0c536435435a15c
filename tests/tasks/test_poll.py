"""A scheduled crawl of a portal where nothing changed is a few 304s, not a crawl; anything new is crawled."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsmon.models import Source
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from tests.fixtures.portal_builder import SAMPLE, SPORT, build_portal
from tests.newsmon_env import newsmon_settings


class Portal(ThreadingHTTPServer):
    """A portal served from files (Last-Modified and 304 as any static server); remembers what was asked."""

    daemon_threads = True

    def __init__(self, root: Path, validators: bool = True) -> None:
        super().__init__(("127.0.0.1", 0), partial(_Handler, directory=str(root)))
        self.root, self.validators = root, validators
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.requests: list[tuple[str, int]] = []

    def publish(self, articles: list[tuple[str, str, str]]) -> None:
        """Write the portal's pages, dated a little later than any earlier version."""
        build_portal(self.root, self.url, "Портал", articles)
        later = time.time() + 5 * (len(self.requests) + 1)
        for path in self.root.rglob("*"):
            os.utime(path, (later, later))

    def asked(self, prefix: str) -> list[int]:
        return [status for path, status in self.requests if path.startswith(prefix)]


class _Handler(SimpleHTTPRequestHandler):
    server: Portal

    def send_response(self, code: int, message: str | None = None) -> None:
        self.server.requests.append((self.path, code))
        super().send_response(code, message)

    def send_header(self, keyword: str, value: str) -> None:
        if keyword == "Last-Modified" and not self.server.validators:
            return
        super().send_header(keyword, value)

    def send_head(self):  # type: ignore[no-untyped-def]
        if not self.server.validators:  # without validators a server cannot answer 304
            del self.headers["If-Modified-Since"]
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:
        pass


ARTICLES = [("conference", "Конференция", SAMPLE.read_text(encoding="utf-8")), ("sport", "Футбол", SPORT)]


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    (tmp_path / "portal").mkdir()
    server = Portal(tmp_path / "portal")
    server.publish(ARTICLES[:1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def scheduled_crawl() -> dict[str, object]:
    from tasks.crawl import CrawlOptions, crawl_source

    return crawl_source("portal", CrawlOptions(since="36500d", enqueue_matching=False, poll_first=True))


def prepare(sqlite_url: str, portal: Portal) -> Repository:
    repo = Repository.from_url(sqlite_url)
    upgrade(repo.engine)
    repo.upsert_source(Source(name="portal", home=portal.url + "/", feeds=(portal.url + "/rss.xml",)))
    return repo


def test_an_unchanged_portal_is_polled_and_a_changed_one_crawled(
    portal: Portal, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url):
        repo = prepare(sqlite_url, portal)
        first = scheduled_crawl()
        assert first["status"] == "ok" and first["reason"] == "finished"
        assert repo.count_articles() == 1

        portal.requests.clear()
        second = scheduled_crawl()
        assert (second["status"], second["reason"]) == ("ok", "not modified")
        assert portal.asked("/news/") == [] and set(portal.asked("/")) == {304}
        run = repo.recent_runs("portal")[0]
        assert run.finish_reason == "not modified" and run.stats["summary"]["new"] == 0

        portal.publish(ARTICLES)  # a new article: the feed and the home page change
        third = scheduled_crawl()
        assert third["reason"] == "finished" and third["stats"]["newsmon/store/new"] == 1
        assert repo.count_articles() == 2
        assert scheduled_crawl()["reason"] == "not modified"


def test_a_crawl_asked_for_by_hand_or_overdue_is_full(
    portal: Portal, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tasks.crawl import CrawlOptions, crawl_source

    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url, full_crawl_every="0"):
        prepare(sqlite_url, portal)
        scheduled_crawl()
        assert scheduled_crawl()["reason"] == "finished"  # full_crawl_every=0: never skipped
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url, full_crawl_every="3600"):
        assert scheduled_crawl()["reason"] == "not modified"
        by_hand = crawl_source("portal", CrawlOptions(since="36500d", enqueue_matching=False))
        assert by_hand["reason"] == "finished"
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url, full_crawl_every="5"):
        time.sleep(5)  # the last full crawl started more than full_crawl_every ago
        assert scheduled_crawl()["reason"] == "finished"


def test_pages_without_validators_are_always_crawled(
    portal: Portal, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal.validators = False
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url):
        prepare(sqlite_url, portal)
        assert scheduled_crawl()["reason"] == "finished"
        assert scheduled_crawl()["reason"] == "finished"
