"""`newsmon sources test` support: what a portal offers, sample articles and a suggested definition."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest

from crawlers.discovery import definition_notes, discover, sample_articles, suggest_definition
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


def test_child_sitemaps_are_read_as_the_crawl_reads_them_gzip_too(agency):
    offer = discover(agency.url + "/")

    readings = {r.url.removeprefix(agency.url): r for r in offer.readings}
    index = readings["/sitemap/index.xml"]
    assert (index.kind, index.entries, index.too_old) == ("sitemap index", 3, 1)  # 2020's is skipped
    gzipped = readings["/sitemap/articles-recent.xml.gz"]
    assert (gzipped.entries, gzipped.problem, gzipped.parent) == (4, "", agency.url + "/sitemap/index.xml")
    assert "/sitemap/articles-2020.xml" not in readings


def test_feeds_and_sitemaps_that_do_not_read_say_why(portals):
    bulletin = portals("bulletin")
    offer = discover(bulletin.url + "/")

    problems = {r.url.removeprefix(bulletin.url): r.problem for r in offer.readings}
    assert problems == {
        "/rss/news.xml": "",
        "/rss/all.xml": "HTML, not a feed",
        "/rss/cut.xml": "truncated XML: read 3 items before the error",
        "/sitemap.xml": "",
        "/sitemap-pages.xml": "truncated XML: read 42 URLs before the error",
        "/": "",
    }


def test_common_feed_paths_are_probed_when_none_is_announced(portals):
    newspaper = portals("newspaper")
    offer = discover(newspaper.url + "/")  # announces /feed/ itself
    assert offer.feeds == (newspaper.url + "/feed/",)


def test_suggested_definition_leaves_out_what_a_crawl_discovers(agency):
    offer = discover(agency.url + "/")
    source = suggest_definition(agency.url + "/", offer)

    assert source.name == f"127.0.0.1-{agency.port}"  # the port tells portals on one host apart
    assert (source.feeds, source.sitemaps, source.listings) == ((), (), ())
    notes = definition_notes(offer)
    assert (
        f"# Read by `newsmon sources test`: sitemap index {agency.url}/sitemap/index.xml (3 sitemaps)."
        in notes
    )
    assert "# No listings: a crawl reads the home page as the listing (1 article link)." in notes


def test_sample_articles_come_with_warnings(akimat):
    source = replace(source_from_url(akimat.url + "/"), languages=("kk",))
    samples = sample_articles(source, n=6)

    urls = [article.url.removeprefix(akimat.url) for article, _ in samples]
    # The Russian and the Kazakh feed in turn, so that both languages are sampled.
    assert urls[:4] == [
        "/ru/news/akim-vstretilsya-s-fermerami-zhualynskogo-rajona-10021",
        "/kz/news/akim-fermerlermen-kezdesti-10021",
        "/ru/news/v-taraze-otkryli-novuyu-shkolu-10022",
        "/kz/news/tarazda-zhana-mektep-ashyldy-10022",
    ]
    by_path = dict(zip(urls, samples, strict=True))
    school, warnings = by_path["/ru/news/v-taraze-otkryli-novuyu-shkolu-10022"]
    # The page has no title or date of its own; its feed item gives them, as in a crawl.
    assert school.title and school.published and warnings == ["language ru is not one of kk"]
    assert by_path["/ru/files/otchet-akima-10023.pdf"][1] == [
        "not a web page (application/pdf): a crawl skips it"
    ]
    assert any("HTTP 404" in w for w in by_path["/ru/news/udalennaya-novost-10024"][1])


def test_sample_articles_come_from_a_gzipped_sitemap(portals):
    gazette = portals("gazette")  # its only way to articles: a .xml.gz news sitemap named in robots.txt
    samples = sample_articles(source_from_url(gazette.url + "/"), n=5)

    assert len(samples) == 4
    assert all(article.title == "Legislature passes the new state budget" for article, _ in samples)
    assert all(warnings == [] for _, warnings in samples)


def test_samples_older_than_the_since_window_say_a_crawl_skips_them(portals):
    archive = portals("archive")
    source = replace(source_from_url(archive.url + "/"), since_days=2)

    samples = sample_articles(source, n=2)

    assert [w for _, w in samples] == [["older than the since-window (2 days): a crawl skips it"]] * 2
    (feed,) = discover(archive.url + "/", source=source).of_kind("feed")
    assert (feed.entries, feed.too_old, feed.all_too_old) == (20, 20, True)


def test_unreachable_portal_is_reported_not_raised():
    offer = discover("http://zhambyl-news.invalid/", timeout=5)

    assert offer.feeds == () and offer.sitemaps == ()
    assert offer.unreachable
    assert any("zhambyl-news.invalid" in problem for problem in offer.problems)


def test_a_port_where_nothing_listens_is_unreachable():
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    offer = discover(f"http://127.0.0.1:{port}/", timeout=5)

    assert offer.unreachable == "connection refused"
    assert offer.readings == ()
