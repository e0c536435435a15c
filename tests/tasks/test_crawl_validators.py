"""Whose validators a crawl sends: a 304 never hides articles that the crawl should take.

A weekly portal is found through its feed only, and every item of the feed is ten days old or older: a crawl
with a shorter since-window takes none of them, yet reads the feed and gets its ETag.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsmon.models import Source
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from tests.conftest import FIXTURES
from tests.crawlers.portal_server import PortalServer, Route
from tests.newsmon_env import newsmon_settings

FEED = "/rss.xml"


@pytest.fixture
def weekly() -> Iterator[PortalServer]:
    server = PortalServer(FIXTURES / "portals" / "weekly")
    yield server
    server.stop()


def register(sqlite_url: str, portal: PortalServer, *names: str) -> Repository:
    """Sources of the same portal, each reading the same feed URL."""
    repo = Repository.from_url(sqlite_url)
    upgrade(repo.engine)
    for name in names:
        repo.upsert_source(Source(name=name, home=portal.url + "/", feeds=(portal.url + FEED,)))
    return repo


def crawl_by_hand(name: str, since: str | None = None) -> dict[str, Any]:
    """What `newsmon crawl NAME [--since ...]` runs."""
    from tasks.crawl import CrawlOptions, crawl_source

    return crawl_source(name, CrawlOptions(since=since, enqueue_matching=False))


def scheduled_crawl(name: str, since: str) -> dict[str, Any]:
    """What the scheduler runs: a cheap poll first, then, if it must, a crawl."""
    from tasks.crawl import CrawlOptions, crawl_source

    return crawl_source(name, CrawlOptions(since=since, enqueue_matching=False, poll_first=True))


def asked_since(portal: PortalServer, start: int, path: str | None = None) -> list[tuple[str | None, int]]:
    """(If-None-Match sent, status answered) of each request for `path` (every path) after the first `start`."""
    hits = portal.hits[start:]
    return [
        (next((v for k, v in hit.headers.items() if k.lower() == "if-none-match"), None), hit.status)
        for hit in hits
        if path is None or hit.path == path
    ]


def test_a_crawl_by_hand_with_no_bound_takes_the_feed_items_a_narrower_crawl_left_out(
    weekly: PortalServer, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url, since_days="3"):
        repo = register(sqlite_url, weekly, "weekly")
        # Given a crawl with the default window (3 days), which read the feed and left out all its items
        first = crawl_by_hand("weekly")
        assert (first["status"], first["reason"]) == ("ok", "finished"), first
        assert first["stats"]["newsmon/feed/too_old"] == 3
        assert repo.count_articles() == 0

        # When the source is crawled by hand with no bound
        mark = len(weekly.hits)
        second = crawl_by_hand("weekly", since="0")

        # Then the feed is read in full, and its articles are stored
        assert (second["status"], second["reason"]) == ("ok", "finished"), second
        assert asked_since(weekly, mark, FEED) == [(None, 200)]
        assert second["stats"]["newsmon/store/new"] == 3
        assert repo.count_articles() == 3


def test_a_new_source_never_sends_the_validators_another_source_saved(
    weekly: PortalServer, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url):
        register(sqlite_url, weekly, "d1", "d2")
        # Given a source whose scheduled crawl read the feed and saved its validators
        assert scheduled_crawl("d1", "36500d")["reason"] == "finished"
        assert asked_since(weekly, 0, FEED) == [(None, 200)]

        # When another source with the same feed URL is crawled on its schedule for the first time
        mark = len(weekly.hits)
        second = scheduled_crawl("d2", "36500d")

        # Then it sends no validators at all, and reads the feed
        assert (second["status"], second["reason"]) == ("ok", "finished"), second
        assert asked_since(weekly, mark, FEED) == [(None, 200)]
        assert {sent for sent, _ in asked_since(weekly, mark)} == {None}
        assert second["stats"]["newsmon/feed/read"] == 1


def test_only_scheduled_crawls_send_validators(
    weekly: PortalServer, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A home page without validators: no cheap poll can skip a crawl, so every scheduled crawl runs in full.
    weekly.routes["/"] = Route(file="index.html", etag=False)
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url):
        repo = register(sqlite_url, weekly, "weekly")
        assert scheduled_crawl("weekly", "36500d")["reason"] == "finished"
        assert repo.count_articles() == 3

        # A crawl by hand reads the feed in full...
        mark = len(weekly.hits)
        by_hand = crawl_by_hand("weekly", since="36500d")
        assert by_hand["reason"] == "finished"
        assert asked_since(weekly, mark, FEED) == [(None, 200)]

        # ...and the scheduled crawl after it sends the validators it saved, and gets its 304.
        mark = len(weekly.hits)
        scheduled = scheduled_crawl("weekly", "36500d")
        assert scheduled["reason"] == "finished"
        [(sent, status)] = asked_since(weekly, mark, FEED)
        assert sent and sent.startswith('"') and status == 304
        assert scheduled["stats"]["newsmon/conditional/not_modified"] == 1
        assert repo.count_articles() == 3


def test_a_scheduled_crawl_reaching_further_back_is_not_stopped_by_a_narrower_crawls_validators(
    weekly: PortalServer, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url):
        repo = register(sqlite_url, weekly, "weekly")
        # Given a scheduled crawl with a two-day window, which read the feed and left out all its items
        narrow = scheduled_crawl("weekly", "2d")
        assert narrow["reason"] == "finished" and narrow["stats"]["newsmon/feed/too_old"] == 3
        assert repo.count_articles() == 0

        # When the window is widened: neither the cheap poll nor the crawl sends those validators
        mark = len(weekly.hits)
        wider = scheduled_crawl("weekly", "36500d")
        assert (wider["status"], wider["reason"]) == ("ok", "finished"), wider
        assert asked_since(weekly, mark, FEED) == [(None, 200)]
        assert wider["stats"]["newsmon/conditional/narrower_window"] == 2  # the home page and the feed
        assert repo.count_articles() == 3

        # Then the validators of the wider crawl hold for the same window and for a narrower one
        assert scheduled_crawl("weekly", "36500d")["reason"] == "not modified"
        assert scheduled_crawl("weekly", "2d")["reason"] == "not modified"
