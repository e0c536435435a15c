"""The demo servers: what a crawler fetches from them, validators and 304s, errors and redirects."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import httpx
import pytest
import yaml
from lxml import etree, html

from newsmon.demo.portals.site import demo_articles
from newsmon.demo.server import DemoPortals, demo_watches

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def _urls_of(portals, portal: str, lang: str | None = None) -> set[str]:
    return {
        portals.urls[a.portal] + a.path
        for a in demo_articles()
        if a.portal == portal and (lang is None or a.lang == lang)
    }


def test_three_portals_on_their_own_loopback_ports(portals):
    urls = portals.urls
    assert set(urls) == {"akimat", "gazeta", "agency"}
    assert all(url.startswith("http://127.0.0.1:") for url in urls.values())
    assert len(set(urls.values())) == 3


@pytest.mark.parametrize(
    ("portal", "home", "name"),
    [
        ("akimat", "/ru/", "Акимат Жамбылской области"),
        ("gazeta", "/", "Таразский вестник"),
        ("agency", "/", "Дала Инфо"),
    ],
)
def test_each_portal_serves_its_home_page_and_a_robots_txt_allowing_all(portals, client, portal, home, name):
    page = client.get(portals.urls[portal] + home)
    robots = client.get(portals.urls[portal] + "/robots.txt")

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert name in page.text
    assert robots.status_code == 200
    assert robots.headers["content-type"].startswith("text/plain")
    assert "User-agent: *\nAllow: /" in robots.text
    assert "Disallow: /" not in robots.text


@pytest.mark.parametrize(("path", "lang"), [("/ru/rss.xml", "ru"), ("/kz/rss.xml", "kk")])
def test_akimat_feed_lists_every_article_of_its_language(portals, client, path, lang):
    response = client.get(portals.urls["akimat"] + path)
    feed = feedparser.parse(response.content)

    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.language == lang
    assert {entry.link for entry in feed.entries} == _urls_of(portals, "akimat", lang)
    assert all(entry.published_parsed for entry in feed.entries)
    assert all(client.get(entry.link).status_code == 200 for entry in feed.entries)


def test_agency_robots_names_a_news_sitemap_with_publication_dates(portals, client):
    robots = client.get(portals.urls["agency"] + "/robots.txt").text
    sitemap_url = re.search(r"^Sitemap: (\S+)$", robots, re.M).group(1)
    response = client.get(sitemap_url)
    tree = etree.fromstring(response.content)

    assert sitemap_url == portals.urls["agency"] + "/sitemap.xml"
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    locs = tree.xpath("//sm:url/sm:loc/text()", namespaces=NS)
    assert set(locs) == _urls_of(portals, "agency")
    dates = tree.xpath("//sm:url/news:news/news:publication_date/text()", namespaces=NS)
    assert len(dates) == len(locs)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[56]:00", date) for date in dates)
    assert all(client.get(loc).status_code == 200 for loc in locs)


def test_newspaper_listing_paginates_over_three_pages_to_every_article(portals, client):
    base = portals.urls["gazeta"]
    url, visited, found = base + "/news/", [], set()
    while url:
        page = html.fromstring(client.get(url).content)
        visited.append(url.removeprefix(base))
        found |= {base + href.split("?")[0] for href in page.xpath("//div[@class='post-preview']/h2/a/@href")}
        next_links = page.xpath("//link[@rel='next']/@href")
        url = base + next_links[0] if next_links else None

    assert visited == ["/news/", "/news/page/2/", "/news/page/3/"]
    assert found == _urls_of(portals, "gazeta")
    assert client.get(base + "/news/page/4/").status_code == 404
    assert not any(path.endswith(("rss.xml", "sitemap.xml")) for path in portals.sites["gazeta"].resources)


def test_windows_1251_page_is_cp1251_on_the_wire(portals, client):
    (article,) = [a for a in demo_articles() if a.encoding == "windows-1251"]
    response = client.get(portals.urls[article.portal] + article.path)
    raw = response.content

    assert response.headers["content-type"] == "text/html"  # no charset: the meta declaration decides
    assert b'<meta charset="windows-1251">' in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1251")
    assert "Сапарбаева" in text
    assert "Сапарбаева".encode("cp1251") in raw


def test_every_other_html_page_is_utf8(portals, client):
    legacy = {a.path for a in demo_articles() if a.encoding != "utf-8"}
    for name, site in portals.sites.items():
        for path, resource in site.resources.items():
            if path not in legacy and resource.content_type.startswith("text/html"):
                assert resource.content_type == "text/html; charset=utf-8", (name, path)
                assert b'<meta charset="utf-8">' in resource.body
                resource.body.decode("utf-8")


def test_conditional_get_answers_304_when_nothing_changed(portals, client):
    url = portals.urls["akimat"] + "/ru/rss.xml"
    first = client.get(url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]

    by_etag = client.get(url, headers={"If-None-Match": etag})
    by_date = client.get(url, headers={"If-Modified-Since": last_modified})
    stale_etag = client.get(url, headers={"If-None-Match": '"something-else"'})
    older_date = client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})
    etag_wins = client.get(
        url, headers={"If-None-Match": '"something-else"', "If-Modified-Since": last_modified}
    )

    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"
    assert last_modified == "Tue, 10 Dec 2024 08:02:00 GMT"  # newest item, 13:02 in Almaty
    assert (by_etag.status_code, by_etag.content, by_etag.headers["etag"]) == (304, b"", etag)
    assert by_date.status_code == 304
    assert stale_etag.status_code == 200
    assert older_date.status_code == 200
    assert etag_wins.status_code == 200


def test_head_sends_headers_without_a_body(portals, client):
    response = client.head(portals.urls["gazeta"] + "/news/")

    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 1000
    assert response.content == b""


def test_missing_files_are_404_and_bare_paths_redirect(portals, client):
    akimat, gazeta = portals.urls["akimat"], portals.urls["gazeta"]

    assert client.get(gazeta + "/news/9999-no-such-article/").status_code == 404
    assert client.get(akimat + "/ru/press/news/details/1").status_code == 404
    root = client.get(akimat + "/")
    assert (root.status_code, root.headers["location"]) == (302, akimat + "/ru/")
    bare = client.get(gazeta + "/news")
    assert (bare.status_code, bare.headers["location"]) == (301, gazeta + "/news/")


def test_tracking_query_strings_reach_the_same_page(portals, client):
    base = portals.urls["gazeta"]
    listing = html.fromstring(client.get(base + "/news/page/3/").content)
    (href,) = [h for h in listing.xpath("//div[@class='post-preview']/h2/a/@href") if "?" in h]
    page = html.fromstring(client.get(base + href).content)

    assert "utm_source" in href
    assert page.xpath("//link[@rel='canonical']/@href") == [base + href.split("?")[0]]


def test_sources_point_at_the_running_portals(portals, client):
    sources = {source.name: source for source in portals.sources()}

    assert set(sources) == {"demo-akimat", "demo-gazeta", "demo-agency"}
    assert all(s.region == "zhambyl" and s.timezone == "Asia/Almaty" for s in sources.values())
    assert sources["demo-akimat"].languages == ("ru", "kk")
    assert sources["demo-akimat"].feeds == (
        portals.urls["akimat"] + "/ru/rss.xml",
        portals.urls["akimat"] + "/kz/rss.xml",
    )
    assert sources["demo-gazeta"].listings == (portals.urls["gazeta"] + "/news/",)
    assert sources["demo-gazeta"].pagination == "{url}page/{n}/"
    assert sources["demo-agency"].sitemaps == (portals.urls["agency"] + "/sitemap.xml",)
    for source in sources.values():
        for url in (source.home, *source.feeds, *source.listings, *source.sitemaps):
            assert client.get(url).status_code == 200, url


def test_article_patterns_accept_articles_and_nothing_else(portals):
    articles = {portals.urls[a.portal] + a.path for a in demo_articles()}
    for source in portals.sources():
        portal = source.name.removeprefix("demo-")
        for path in portals.sites[portal].resources:
            url = portals.urls[portal] + path
            matches = any(re.search(p, url) for p in source.article_patterns) and not any(
                re.search(p, url) for p in source.exclude_patterns
            )
            assert matches == (url in articles), url


def test_demo_sources_load_with_the_source_registry(portals, tmp_path: Path):
    registry = pytest.importorskip("crawlers.sources.registry")
    for source in portals.sources():
        entry = {
            "name": source.name,
            "title": source.title,
            "home": source.home,
            "languages": list(source.languages),
            "region": source.region,
            "feeds": list(source.feeds),
            "sitemaps": list(source.sitemaps),
            "listings": list(source.listings),
            "pagination": source.pagination,
            "max_pages": source.max_pages,
            "article_patterns": list(source.article_patterns),
            "exclude_patterns": list(source.exclude_patterns),
        }
        path = tmp_path / f"{source.name}.yaml"
        path.write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
        loaded, errors = registry.load_source_file(path)
        assert errors == []
        assert loaded[0].feeds == source.feeds and loaded[0].sitemaps == source.sitemaps


def test_pages_link_nowhere_but_their_own_portal(portals):
    for name, site in portals.sites.items():
        for path, resource in site.resources.items():
            text = resource.body.decode("cp1251" if resource.content_type == "text/html" else "utf-8")
            for url in re.findall(r"""(?:href|src|content)="(https?://[^"]+)""", text):
                assert url.startswith(portals.urls[name] + "/"), (name, path, url)


def test_pages_stay_small(portals):
    sizes = [len(r.body) for site in portals.sites.values() for r in site.resources.values()]
    assert max(sizes) < 16_000


def test_request_journal_shows_what_was_fetched_and_what_was_a_304():
    with DemoPortals() as running, httpx.Client() as http:
        url = running.urls["agency"] + "/sitemap.xml"
        etag = http.get(url).headers["etag"]
        http.get(url, headers={"If-None-Match": etag})
        journal = running.requests()

    assert [(r.portal, r.path, r.status, r.conditional) for r in journal] == [
        ("agency", "/sitemap.xml", 200, False),
        ("agency", "/sitemap.xml", 304, True),
    ]


def test_stop_closes_the_ports_and_sources_need_a_running_server():
    running = DemoPortals()
    urls = running.start()
    running.stop()
    running.stop()

    with pytest.raises(httpx.ConnectError):
        httpx.get(urls["akimat"] + "/ru/", timeout=2)
    with pytest.raises(RuntimeError, match="start"):
        running.sources()


def test_watchlist_holds_the_three_sample_watches():
    watches = {watch.name: watch for watch in demo_watches()}

    assert {name: watch.query for name, watch in watches.items()} == {
        "Бейбітшілік пен келісім": '"Бейбітшілік пен келісім"',
        "Сапарбаев": "Сапарбаев",
        "Жамбыл облысы": '"Жамбыл облысы" OR "Жамбылская область"',
    }
    assert all(watch.channels == ("console", "jsonl") for watch in watches.values())
