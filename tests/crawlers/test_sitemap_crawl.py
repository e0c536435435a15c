"""Crawling a news agency through robots.txt, a sitemap index, a gzip sitemap and a Google News sitemap;
and a sitemap cut short."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
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


def _urlset(paths: list[str]) -> str:
    """A sitemap of these paths on the portal, each dated a few hours ago."""
    entry = "  <url><loc>{{base}}%s</loc><lastmod>{{iso:0.1}}</lastmod></url>\n"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(entry % path for path in paths)
        + "</urlset>\n"
    )


@pytest.fixture(scope="module")
def cut_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalServer]:
    """A portal with a sitemap that stops in the fourth URL (a download cut short), served plain and gzipped,
    and a whole one that ends with a comment after </urlset>, as some CMSs write."""
    root = tmp_path_factory.mktemp("cut-portal")
    shutil.copy(FIXTURES / "portals" / "bulletin" / "article.html", root / "article.html")
    (root / "index.html").write_text("<html><body><h1>Вестник</h1></body></html>", encoding="utf-8")
    whole = _urlset(["/news/1/", "/news/2/", "/news/3/", "/news/4/"])
    (root / "cut.xml").write_text(whole[: whole.index("/news/4/") + len("/news/4")], encoding="utf-8")
    (root / "whole.xml").write_text(
        _urlset(["/news/5/", "/news/6/"]) + "<!-- generated 0.02 s -->\n", encoding="utf-8"
    )
    routes = [f"/news/{n}/: {{file: article.html}}" for n in range(1, 7)]
    routes.append("/cut.xml.gz: {file: cut.xml, gzip_file: true, type: application/x-gzip}")
    (root / "routes.yaml").write_text("\n".join(routes) + "\n", encoding="utf-8")
    server = PortalServer(root)
    yield server
    server.stop()


@pytest.mark.parametrize("cut", ["/cut.xml", "/cut.xml.gz"])
def test_a_truncated_sitemap_is_counted_and_its_whole_urls_are_crawled(
    cut_portal: PortalServer, crawl, tmp_path: Path, cut: str
) -> None:
    # given a definition naming the cut sitemap and a whole one
    text = f"name: cut\nhome: {cut_portal.url}/\nsitemaps: [{cut}, /whole.xml]\n"
    definition = write_definition(tmp_path / "cut.yaml", text)

    # when
    result = crawl("sitemap", sources_file=definition, since="7d")

    # then the cut one is counted and named in a warning, the whole one is not
    assert result.returncode == 0, result.log
    assert result.stat("newsmon/sitemap/truncated") == 1
    assert result.stat("newsmon/sitemap/read") == 2
    assert f"Sitemap {cut_portal.url}{cut} is truncated" in result.log
    assert "whole.xml is truncated" not in result.log
    # and the URLs read before the cut are crawled, less the one the cut went through
    assert set(result.by_path(cut_portal.url)) == {"/news/1/", "/news/2/", "/news/3/", "/news/5/", "/news/6/"}
    assert "/news/4" not in cut_portal.paths() and "/news/4/" not in cut_portal.paths()
    assert result.stat("newsmon/fetch/http_404") == 0


def test_whole_sitemaps_are_not_counted_as_truncated(result: CrawlResult) -> None:
    assert result.stat("newsmon/sitemap/read") >= 3
    assert result.stat("newsmon/sitemap/truncated") == 0


# How the portal below answers /robots.txt: not at all (404), with an HTML page, or with a redirect to a
# port where nothing listens (no answer).
ROBOTS_ANSWERS = {
    "missing": "",
    "html page": "/robots.txt: {file: index.html, type: text/html}\n",
    "no answer": "/robots.txt: {redirect: 'http://127.0.0.1:%d/robots.txt'}\n",
}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sitemap_only_portal(root: Path, robots: str) -> PortalServer:
    """A portal whose only way to its articles is /sitemap.xml: no feed, no article link on its home page,
    and robots.txt answered as `robots` says."""
    root.mkdir()
    shutil.copy(FIXTURES / "portals" / "bulletin" / "article.html", root / "article.html")
    (root / "index.html").write_text("<html><body><h1>Вестник</h1></body></html>", encoding="utf-8")
    (root / "sitemap.xml").write_text(_urlset(["/news/1/", "/news/2/"]), encoding="utf-8")
    robots_route = ROBOTS_ANSWERS[robots].replace("%d", str(closed_port()))
    routes = "/news/1/: {file: article.html}\n/news/2/: {file: article.html}\n" + robots_route
    (root / "routes.yaml").write_text(routes, encoding="utf-8")
    return PortalServer(root)


@pytest.mark.parametrize(
    ("robots", "obey"), [("missing", "1"), ("html page", "1"), ("no answer", "1"), ("missing", "0")]
)
def test_without_a_robots_txt_naming_sitemaps_a_crawl_reads_sitemap_xml(
    crawl, tmp_path: Path, robots: str, obey: str
) -> None:
    from tasks.run_summary import summarise

    # given a sitemap-only portal whose robots.txt names no sitemap
    portal = sitemap_only_portal(tmp_path / "portal", robots)
    try:
        definition = write_definition(tmp_path / "only.yaml", f"name: only\nhome: {portal.url}/\n")

        # when it is crawled as a scheduled crawl does, obeying robots.txt or not
        result = crawl("source", sources_file=definition, since="7d", settings={"ROBOTSTXT_OBEY": obey})
    finally:
        portal.stop()

    # then /sitemap.xml is read and its articles are collected
    assert result.returncode == 0, result.log
    assert portal.paths().count("/sitemap.xml") == 1
    assert set(result.by_path(portal.url)) == {"/news/1/", "/news/2/"}
    assert {item["discovered_by"] for item in result.items} == {"sitemap"}
    # robots.txt was asked for once, and its absence is no failed request of the crawl
    assert portal.paths().count("/robots.txt") == 1
    summary = summarise(result.stats)
    assert result.stat("newsmon/fetch/http_404") == 0
    assert (summary["errors"], summary["error_rate"]) == ({}, 0.0)


def test_robots_txt_is_read_once_when_it_names_the_sitemaps(agency, crawl, tmp_path: Path) -> None:
    # given the agency, whose robots.txt names its sitemap index
    before = agency.paths().count("/robots.txt")
    definition = write_definition(tmp_path / "agency.yaml", f"name: agency\nhome: {agency.url}/\n")

    # when the source spider crawls it, obeying robots.txt
    result = crawl("source", sources_file=definition, since="7d")

    # then robots.txt was downloaded once, and still gave the sitemaps
    assert result.returncode == 0, result.log
    assert agency.paths().count("/robots.txt") - before == 1
    assert result.stat("newsmon/discovery/sitemaps_found") == 1
    assert {CONFERENCE, AIRPORT, SUGAR, GAS} <= set(result.by_path(agency.url))
