"""`newsmon sources test` support: what a portal offers, sample articles and a suggested definition."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crawlers.discovery import discover, sample_articles, suggest_definition
from crawlers.sources import source_from_url


@pytest.fixture(scope="module")
def akimat(portals):
    return portals("akimat")


@pytest.fixture(scope="module")
def agency(portals):
    return portals("agency")


def test_feeds_on_the_home_page_are_found(akimat):
    offer = discover(akimat.url + "/")

    assert offer.feeds == (akimat.url + "/rss/ru.xml", akimat.url + "/rss/kk.xml")
    assert offer.sitemaps == ()
    assert offer.languages == ("ru",)
    assert akimat.url + "/ru/news/v-taraze-otkryli-novuyu-shkolu-10022" in offer.article_links
    assert akimat.url + "/ru/news/" in offer.listings


def test_sitemaps_come_from_robots_txt_and_news_sitemaps_are_marked(agency):
    offer = discover(agency.url + "/")

    assert offer.sitemaps == (agency.url + "/sitemap/index.xml",)
    assert offer.news_sitemaps == (agency.url + "/sitemap/news.xml",)


def test_common_feed_paths_are_probed_when_none_is_announced(portals):
    newspaper = portals("newspaper")
    offer = discover(newspaper.url + "/")  # announces /feed/ itself
    assert offer.feeds == (newspaper.url + "/feed/",)


def test_suggested_definition_lists_what_was_found(agency):
    source = suggest_definition(agency.url + "/", discover(agency.url + "/"))

    assert source.name == "127.0.0.1"
    assert source.sitemaps[0] == agency.url + "/sitemap/news.xml"
    assert source.listings == ()


def test_sample_articles_come_with_warnings(akimat):
    source = replace(source_from_url(akimat.url + "/"), languages=("kk",))
    samples = sample_articles(source, n=5)

    urls = [article.url.removeprefix(akimat.url) for article, _ in samples]
    assert urls[:2] == [
        "/ru/news/akim-vstretilsya-s-fermerami-zhualynskogo-rajona-10021",
        "/ru/news/v-taraze-otkryli-novuyu-shkolu-10022",
    ]
    assert len(samples) == 5
    by_path = dict(zip(urls, (w for _, w in samples), strict=True))
    school = by_path["/ru/news/v-taraze-otkryli-novuyu-shkolu-10022"]
    assert "no date found" in school and "no title found" in school
    assert any("language ru is not one of kk" in w for w in by_path[urls[0]])
    assert any("HTTP 404" in w for w in by_path["/ru/news/udalennaya-novost-10024"])


def test_unreachable_portal_is_reported_not_raised():
    offer = discover("http://zhambyl-news.invalid/", timeout=5)

    assert offer.feeds == () and offer.sitemaps == ()
    assert any("zhambyl-news.invalid" in problem for problem in offer.problems)
