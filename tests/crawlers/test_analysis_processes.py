"""A crawl analyses each article where it was extracted (NEWSMON_ANALYSE_EXTRACTED, set when the pipelines
are installed) and stores what the pipelines would have made of it on their own. Without that, a big crawl
analyses its articles in a process of its own where NEWSMON_PREPARE_PROCESSES asks for one, and in threads
of the crawl process where it asks for none; either way every article is stored."""

from __future__ import annotations

import re
import sqlite3
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
    settings = {**WITH_STORAGE, "NEWSMON_PREPARE_PROCESSES": setting, "NEWSMON_ANALYSE_EXTRACTED": ""}
    crawl = Crawler(tmp_path)("source", sources_file=definition, settings=settings, timeout=180)
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert (STARTED in crawl.log) is in_process

    repository = Repository.from_url(f"sqlite:///{tmp_path / 'data' / 'newsmon.db'}")
    stored = list(repository.articles_since(datetime(2000, 1, 1, tzinfo=UTC)))
    repository.dispose()
    assert sorted(article.url.removeprefix(portal.url) for article in stored) == sorted(
        map(article_path, range(1, ARTICLES + 1))
    )


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "NEWSMON_PREPARE_PROCESSES",
            "many",
            "NEWSMON_PREPARE_PROCESSES must be a number or 'auto', not 'many'",
        ),
        (
            "NEWSMON_ANALYSE_EXTRACTED",
            "pipelines.preparing.analyse_extractd",
            "NEWSMON_ANALYSE_EXTRACTED: cannot load 'pipelines.preparing.analyse_extractd'",
        ),
    ],
)
def test_a_malformed_setting_stops_the_crawl_at_once_naming_it(
    tmp_path: Path, portal: PortalServer, setting: str, value: str, message: str
) -> None:
    definition = write_definition(tmp_path / "portal.yaml", f"name: portal\nhome: {portal.url}/\n")
    upgrade_database(tmp_path / "data")
    crawl = Crawler(tmp_path)("source", sources_file=definition, settings={**WITH_STORAGE, setting: value})
    assert message in crawl.log
    assert crawl.stat("downloader/request_count") == 0


def _stored(data_dir: Path, prefix: str) -> tuple[list[tuple], set[frozenset[str]]]:
    """Every stored article's values (URLs without the portal's address) and the stories as sets of URLs."""
    with sqlite3.connect(data_dir / "newsmon.db") as db:
        rows = db.execute(
            "SELECT url, canonical_url, title, text, published_at, language, warnings, content_hash, "
            "search_terms, source, discovered_by, story_id FROM articles ORDER BY url"
        ).fetchall()
    stories: dict[int, set[str]] = {}
    for row in rows:
        stories.setdefault(row[-1], set()).add(row[0].removeprefix(prefix))
    values = [tuple(v.replace(prefix, "") if isinstance(v, str) else v for v in row[:-1]) for row in rows]
    return values, {frozenset(urls) for urls in stories.values()}


def test_articles_analysed_where_they_are_extracted_are_stored_as_the_pipelines_make_them(
    tmp_path: Path, portal: PortalServer
) -> None:
    definition = write_definition(
        tmp_path / "portal.yaml", f"name: portal\nhome: {portal.url}/\nfeeds: ['{portal.url}/rss.xml']\n"
    )
    stored = []
    for name, analyse in (("fused", None), ("staged", "")):
        workdir = tmp_path / name
        upgrade_database(workdir / "data")
        settings = {**WITH_STORAGE, **({} if analyse is None else {"NEWSMON_ANALYSE_EXTRACTED": analyse})}
        crawl = Crawler(workdir)("source", sources_file=definition, settings=settings, timeout=180)
        assert crawl.returncode == 0, crawl.log[-3000:]
        assert crawl.stat("newsmon/store/stored") == ARTICLES
        analysed_there = crawl.stat("newsmon/normalise/analysed_with_extraction")
        assert analysed_there == (ARTICLES if analyse is None else 0)
        # The extraction process is asked for once more than 20 pages are on their way: before the 21st
        # page is extracted (the 21st call itself would ask for it otherwise).
        started = re.search(r"extraction: 1 process\(es\) started, asked for after (\d+) calls", crawl.log)
        assert started and int(started.group(1)) <= 20, crawl.log[-3000:]
        stored.append(_stored(workdir / "data", portal.url))
    (fused, fused_stories), (staged, staged_stories) = stored
    assert len(fused) == ARTICLES
    assert fused == staged
    assert fused_stories == staged_stories


def test_a_crawl_of_everything_starts_its_extraction_process_before_its_first_page(
    tmp_path: Path, portal: PortalServer
) -> None:
    """No since-window and no limit: a backfill, whose extraction process is asked for when the spider
    opens, not once 20 pages are on their way (the crawl above, bounded by the default window)."""
    definition = write_definition(
        tmp_path / "portal.yaml", f"name: portal\nhome: {portal.url}/\nfeeds: ['{portal.url}/rss.xml']\n"
    )
    upgrade_database(tmp_path / "data")
    crawl = Crawler(tmp_path)(
        "source", sources_file=definition, since="0", settings=WITH_STORAGE, timeout=180
    )
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.stat("newsmon/store/stored") == ARTICLES
    started = re.search(r"extraction: 1 process\(es\) started, asked for after (\d+) calls", crawl.log)
    assert started and int(started.group(1)) == 0, crawl.log[-3000:]
