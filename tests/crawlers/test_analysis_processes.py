"""A big crawl analyses its articles in a process of its own where NEWSMON_PREPARE_PROCESSES asks for one,
and in threads of the crawl process where it asks for none (the default on a two-core host); either way
every article is stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsmon.storage.repository import Repository
from tests.crawlers.conftest import Crawler, write_definition
from tests.crawlers.portal_server import PortalServer
from tests.crawlers.test_shared_crawl import (
    ARTICLES,
    WITH_STORAGE,
    article_path,
    build_portal,
    upgrade_database,
)

STARTED = "article analysis: 1 process(es) started"


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[PortalServer]:
    build_portal(tmp_path / "portal")
    server = PortalServer(tmp_path / "portal")
    yield server
    server.stop()


@pytest.mark.parametrize(("setting", "in_process"), [("1", True), ("0", False)])
def test_every_article_is_stored_with_or_without_the_analysis_process(
    tmp_path: Path, portal: PortalServer, setting: str, in_process: bool
) -> None:
    definition = write_definition(
        tmp_path / "portal.yaml", f"name: portal\nhome: {portal.url}/\nfeeds: ['{portal.url}/rss.xml']\n"
    )
    upgrade_database(tmp_path / "data")
    settings = {**WITH_STORAGE, "NEWSMON_PREPARE_PROCESSES": setting}
    crawl = Crawler(tmp_path)("source", sources_file=definition, settings=settings, timeout=180)
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert (STARTED in crawl.log) is in_process

    repository = Repository.from_url(f"sqlite:///{tmp_path / 'data' / 'newsmon.db'}")
    stored = list(repository.articles_since(datetime(2000, 1, 1, tzinfo=UTC)))
    repository.dispose()
    assert sorted(article.url.removeprefix(portal.url) for article in stored) == sorted(
        map(article_path, range(1, ARTICLES + 1))
    )


def test_a_malformed_setting_stops_the_crawl_at_once_naming_it(tmp_path: Path, portal: PortalServer) -> None:
    definition = write_definition(tmp_path / "portal.yaml", f"name: portal\nhome: {portal.url}/\n")
    upgrade_database(tmp_path / "data")
    settings = {**WITH_STORAGE, "NEWSMON_PREPARE_PROCESSES": "many"}
    crawl = Crawler(tmp_path)("source", sources_file=definition, settings=settings)
    assert "NEWSMON_PREPARE_PROCESSES must be a number or 'auto', not 'many'" in crawl.log
    assert crawl.stat("downloader/request_count") == 0
