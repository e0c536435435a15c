"""Crawling a news agency through robots.txt, a sitemap index, a gzip sitemap and a Google News sitemap."""

from __future__ import annotations

import pytest

from tests.crawlers.conftest import CrawlResult, write_definition
from tests.crawlers.portal_server import PortalServer

CONFERENCE = "/ru/news/v-zhambylskoy-oblasti-proshla-konferenciya-a4101"
AIRPORT = "/ru/news/tarazskiy-aeroport-otkryl-novyy-reys-a4102"
SUGAR = "/ru/news/v-shu-zapustili-sahar-zavod-a4103"
GAS = "/ru/news/kordayskiy-rayon-gazifikaciya-a4104"
OLD = "/ru/news/staraya-statya-iz-arhiva-a3001"


@pytest.fixture(scope="module")
def agency(portals) -> PortalServer:
    return portals("agency")


@pytest.fixture(scope="module")
def result(agency, module_crawl) -> CrawlResult:
    """The sitemap spider with no sitemap named: it must find the index in robots.txt."""
    text = f"name: agency\nhome: {agency.url}/\nlanguages: [ru]\nregion: national\n"
    definition = write_definition(module_crawl.workdir / "agency.yaml", text)
    return module_crawl("sitemap", sources_file=definition, since="7d")


def test_recent_sitemap_articles_are_collected(agency, result):
    assert result.returncode == 0, result.log
    assert set(result.by_path(agency.url)) == {CONFERENCE, AIRPORT, SUGAR, GAS}
    assert all(item["discovered_by"] == "sitemap" for item in result.items)
    assert result.stat("newsmon/discovery/sitemaps_found") == 1
    assert {"/sitemap/index.xml", "/sitemap/news.xml", "/sitemap/articles-recent.xml.gz"} <= set(
        agency.paths()
    )


def test_old_sitemaps_and_entries_are_not_fetched(agency, result):
    assert "/sitemap/articles-2020.xml" not in agency.paths()
    assert OLD not in agency.paths()
    assert result.stat("newsmon/sitemap/old_sitemap") == 1
    assert result.stat("newsmon/sitemap/too_old") == 1


def test_news_sitemap_gives_the_date_a_page_lacks(agency, result):
    airport = result.by_path(agency.url)[AIRPORT]
    assert airport["published"] is not None
    assert airport["date_source"] == "sitemap"


def test_url_in_two_sitemaps_is_fetched_once(agency, result):
    assert agency.paths().count(CONFERENCE) == 1


def test_named_sitemap_and_since_window_from_arguments(agency, crawl, tmp_path):
    text = f"name: agency\nhome: {agency.url}/\nsitemaps: [/sitemap/news.xml]\n"
    definition = write_definition(tmp_path / "agency.yaml", text)
    result = crawl("sitemap", sources_file=definition, since="6h")

    # Only the conference (about 5 hours old) is inside a 6-hour window.
    assert set(result.by_path(agency.url)) == {CONFERENCE}
