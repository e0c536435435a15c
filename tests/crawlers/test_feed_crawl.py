"""Crawling the akimat portal (Russian and Kazakh, RSS and Atom feeds) with real `scrapy crawl`."""

from __future__ import annotations

import pytest

from tests.crawlers.conftest import CrawlResult, write_definition
from tests.crawlers.portal_server import PortalServer

RU_MEETING = "/ru/news/akim-vstretilsya-s-fermerami-zhualynskogo-rajona-10021"
RU_SCHOOL = "/ru/news/v-taraze-otkryli-novuyu-shkolu-10022"
KK_MEETING = "/kz/news/akim-fermerlermen-kezdesti-10021"
KK_SCHOOL = "/kz/news/tarazda-zhana-mektep-ashyldy-10022"


def _definition(directory, server, extra=""):
    text = f"name: akimat\nhome: {server.url}/\nlanguages: [ru, kk]\nregion: zhambyl\n{extra}"
    return write_definition(directory / "akimat.yaml", text)


@pytest.fixture(scope="module")
def akimat(portals) -> PortalServer:
    return portals("akimat")


@pytest.fixture(scope="module")
def two_runs(akimat, module_crawl) -> tuple[CrawlResult, CrawlResult]:
    """The same source crawled twice with one state directory, as a schedule would."""
    definition = _definition(module_crawl.workdir, akimat)
    first = module_crawl("source", sources_file=definition, since="7d")
    second = module_crawl("source", sources_file=definition, since="7d")
    return first, second


def test_source_crawl_finds_the_feeds_and_collects_both_languages(akimat, two_runs):
    result = two_runs[0]

    assert result.returncode == 0, result.log
    assert result.finish_reason == "finished"
    articles = result.by_path(akimat.url)
    assert set(articles) == {RU_MEETING, RU_SCHOOL, KK_MEETING, KK_SCHOOL}
    assert articles[KK_MEETING]["language"] == "kk"
    assert articles[RU_MEETING]["title"] == "Аким встретился с фермерами Жуалынского района"
    for article in articles.values():
        assert article["source"] == "akimat"
        assert article["discovered_by"] in {"feed", "listing"}
        assert article["fetched_at"] and article["text"]
    # Both feeds were found on the home page (RSS, and Atom sent gzip-compressed).
    assert result.stat("newsmon/discovery/feeds_found") == 2
    assert result.stat("newsmon/feed/read") == 2


def test_feed_item_fills_title_and_date_the_page_lacks(akimat, two_runs):
    school = two_runs[0].by_path(akimat.url)[RU_SCHOOL]

    assert school["title"] == "В Таразе открыли новую школу на 1200 мест"
    assert school["published"] is not None
    assert school["date_source"] == "feed"
    assert "no_date" not in school["warnings"]


def test_bad_feed_items_are_counted_and_old_ones_not_fetched(akimat, two_runs):
    result = two_runs[0]

    assert result.stat("newsmon/fetch/http_404") == 1  # the deleted article
    assert result.stat("newsmon/fetch/not_html") == 1  # the PDF report
    assert result.stat("newsmon/feed/too_old") == 1
    assert "/ru/news/staraya-novost-proshlogo-mesyaca-10001" not in akimat.paths()


def test_second_crawl_gets_304_for_unchanged_feeds(akimat, two_runs):
    first, second = two_runs

    assert first.stat("newsmon/conditional/not_modified") == 0
    assert second.stat("newsmon/conditional/not_modified") == 2
    assert akimat.statuses("/rss/ru.xml") == [200, 304]
    # The Kazakh school article is only in the (unchanged) Atom feed: the second crawl did not fetch it.
    assert KK_SCHOOL not in second.by_path(akimat.url)


def test_feed_that_is_html_or_truncated_is_counted_and_the_crawl_goes_on(akimat, crawl, tmp_path):
    extra = "feeds: [/rss/html.xml, /rss/truncated.xml]\n"
    result = crawl("feed", sources_file=_definition(tmp_path, akimat, extra), since="7d")

    assert result.returncode == 0, result.log
    assert result.stat("newsmon/feed/invalid") == 1
    assert result.stat("newsmon/feed/malformed") == 1
    assert "Ignoring feed" in result.log and "/rss/html.xml" in result.log
    # The complete item of the truncated feed is still crawled.
    assert set(result.by_path(akimat.url)) == {RU_MEETING}


def test_after_articles_failed_to_store_the_next_crawl_reads_the_feeds_again(portals, crawl):
    server = portals("akimat")
    definition = _definition(crawl.workdir, server)
    store_down = {"ITEM_PIPELINES": '{"tests.crawlers.failing_pipeline.StoreDownPipeline": 100}'}
    first = crawl("source", sources_file=definition, since="7d", settings=store_down)
    second = crawl("source", sources_file=definition, since="7d")

    assert first.returncode == 0 and not first.items, first.log
    assert "feeds and sitemaps will be read in full next time" in first.log
    # Nothing was stored, so nothing may be taken as processed: no 304, and every article is fetched again.
    assert second.stat("newsmon/conditional/not_modified") == 0
    assert server.statuses("/rss/ru.xml") == [200, 200]
    assert set(second.by_path(server.url)) == {RU_MEETING, RU_SCHOOL, KK_MEETING, KK_SCHOOL}


def test_each_discovery_path_reports_what_another_path_listed_and_it_missed(akimat, two_runs):
    coverage = two_runs[0].stats["newsmon/coverage"]

    # The feeds list every article the Russian home page links, and more: the home page misses the Kazakh
    # school article (only on the Kazakh side). The feed's PDF and its item that answers 404 are no
    # articles, so no path missed them.
    assert coverage["feed"]["missed"] == 0 and coverage["feed"]["found"] == 4
    assert coverage["listing"]["found"] == 3 and coverage["listing"]["missed"] == 1
    assert coverage["listing"]["missed_urls"] == [akimat.url + KK_SCHOOL]
