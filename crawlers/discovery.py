"""What a portal offers (feeds, sitemaps, listing pages) and sample articles, for `newsmon sources test`.

Blocking httpx calls, meant for the command line (not for use inside Scrapy). The same link and feed
rules as the spiders are used, so what this reports is what a crawl will find.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

import httpx
from parsel import Selector
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crawlers.sources import name_from_url, source_from_url
from crawlers.spiders.feed import feed_entries
from crawlers.spiders.links import (
    COMMON_FEED_PATHS,
    ArticleLinkRule,
    feed_links,
    listing_candidates,
)
from crawlers.spiders.sitemap import sitemap_entries
from newsmon.config import get_settings
from newsmon.models import Article, Source

logger = logging.getLogger(__name__)

NEWS_SITEMAP_NS = b"http://www.google.com/schemas/sitemap-news/0.9"
SHORT_TEXT_CHARS = 200
_LANGUAGE_ALIASES = {"kz": "kk", "qz": "kk-Latn", "rus": "ru", "kaz": "kk"}


@dataclass(frozen=True, slots=True)
class Offer:
    """What was found on a portal; `problems` says what could not be read."""

    url: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    news_sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    article_links: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    needs_render: bool = False
    problems: tuple[str, ...] = ()


class _Fetcher:
    """One httpx client with our User-Agent; respects robots.txt once it has been read."""

    def __init__(self, home: str, timeout: float) -> None:
        settings = get_settings()
        self.client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": settings.effective_user_agent},
        )
        self.robots: RobotFileParser | None = None
        self.home = home
        self.problems: list[str] = []

    def get(self, url: str, *, quiet: bool = False) -> httpx.Response | None:
        if self.robots is not None and not self.robots.can_fetch(self.client.headers["User-Agent"], url):
            self.problems.append(f"{url}: disallowed by robots.txt")
            return None
        try:
            response = self.client.get(url)
        except httpx.HTTPError as exc:
            if not quiet:
                self.problems.append(f"{url}: {type(exc).__name__}: {exc}")
            return None
        if response.status_code != 200:
            if not quiet:
                self.problems.append(f"{url}: HTTP {response.status_code}")
            return None
        return response

    def read_robots(self) -> list[str]:
        """Sitemaps named in robots.txt; its rules apply to every later request."""
        url = urljoin(self.home, "/robots.txt")
        response = self.get(url, quiet=True)
        if response is None:
            return []
        self.robots = RobotFileParser(url)
        self.robots.parse(response.text.splitlines())
        return list(sitemap_urls_from_robots(response.content, base_url=url))

    def close(self) -> None:
        self.client.close()


def _is_feed(response: httpx.Response | None) -> bool:
    if response is None:
        return False
    items, problem = feed_entries(response.content, str(response.url), response.headers.get("content-type"))
    return bool(items) or not problem


def _languages(selector: Selector) -> tuple[str, ...]:
    found: list[str] = []
    codes = [selector.xpath("string(/html/@lang)").get() or ""]
    codes += selector.css("link[rel=alternate][hreflang]::attr(hreflang)").getall()
    for code in codes:
        primary = code.strip().split("-")[0].lower()
        primary = _LANGUAGE_ALIASES.get(primary, primary)
        if re.fullmatch(r"[a-z]{2,3}(-Latn)?", primary) and primary not in found:
            found.append(primary)
    return tuple(found)


def _sitemaps(fetcher: _Fetcher, named: list[str]) -> tuple[list[str], list[str]]:
    """(sitemaps, news sitemaps) among those named in robots.txt, else /sitemap.xml."""
    candidates = named or [urljoin(fetcher.home, "/sitemap.xml")]
    sitemaps: list[str] = []
    news: list[str] = []
    for url in candidates[:5]:
        response = fetcher.get(url, quiet=not named)
        kind, entries = sitemap_entries(response.content) if response is not None else ("", [])
        if not kind:
            continue
        sitemaps.append(url)
        if NEWS_SITEMAP_NS in response.content:
            news.append(url)
        if kind == "sitemapindex":
            news += [e["loc"] for e in entries if "news" in e["loc"].lower() and e["loc"] not in news]
    return sitemaps, news


def discover(url: str, *, timeout: float = 10) -> Offer:
    """Read a portal's home page, robots.txt and sitemaps; probe the usual feed paths if none is named."""
    fetcher = _Fetcher(url, timeout)
    try:
        named_sitemaps = fetcher.read_robots()
        home = fetcher.get(url)
        selector = Selector(text=home.text) if home is not None else Selector(text="<html></html>")
        base = str(home.url) if home is not None else url
        feeds = feed_links(selector, base)
        if not feeds:
            feeds = [
                f
                for f in (urljoin(url, p) for p in COMMON_FEED_PATHS)
                if _is_feed(fetcher.get(f, quiet=True))
            ]
        sitemaps, news = _sitemaps(fetcher, named_sitemaps)
        rule = ArticleLinkRule(home=base)
        articles = rule.links(selector, base)
        scripts = len(selector.css("script"))
        return Offer(
            url=url,
            feeds=tuple(dict.fromkeys(feeds)),
            sitemaps=tuple(sitemaps),
            news_sitemaps=tuple(news),
            listings=tuple(listing_candidates(selector, base, rule)[:10]),
            article_links=tuple(articles[:20]),
            languages=_languages(selector),
            needs_render=home is not None and not articles and scripts > 0,
            problems=tuple(fetcher.problems),
        )
    finally:
        fetcher.close()


def suggest_definition(url: str, offer: Offer) -> Source:
    """A source definition from what `discover` found (feeds and sitemaps it could read)."""
    base = source_from_url(url)
    sitemaps = tuple(dict.fromkeys((*offer.news_sitemaps, *offer.sitemaps)))
    return Source(
        name=name_from_url(url),
        home=base.home,
        languages=offer.languages,
        feeds=offer.feeds,
        sitemaps=sitemaps,
        listings=() if offer.feeds or sitemaps else offer.listings[:3],
        render=offer.needs_render,
    )


def _candidate_urls(source: Source, fetcher: _Fetcher) -> Iterator[str]:
    """Article URLs in the order a crawl would find them: feeds, sitemaps, listings."""
    named = fetcher.read_robots()
    rule = ArticleLinkRule.for_source(source)
    home = fetcher.get(source.home)
    home_selector = Selector(text=home.text) if home is not None else None
    feeds = list(source.feeds) or (feed_links(home_selector, source.home) if home_selector else [])
    for feed in feeds:
        response = fetcher.get(feed)
        if response is not None:
            items, _ = feed_entries(response.content, str(response.url), response.headers.get("content-type"))
            yield from (item["url"] for item in items)
    for sitemap in list(source.sitemaps) or named:
        yield from _sitemap_urls(fetcher, sitemap, depth=0)
    for listing in source.listings:
        response = fetcher.get(listing)
        if response is not None:
            yield from rule.links(Selector(text=response.text), str(response.url))
    if home_selector is not None and not source.listings:
        yield from rule.links(home_selector, str(home.url))


def _sitemap_urls(fetcher: _Fetcher, url: str, depth: int) -> Iterator[str]:
    response = fetcher.get(url)
    if response is None:
        return
    kind, entries = sitemap_entries(response.content)
    entries.sort(key=lambda e: e.get("news_published") or e.get("lastmod") or "", reverse=True)
    if kind == "sitemapindex" and depth == 0:
        for entry in entries[:3]:
            yield from _sitemap_urls(fetcher, entry["loc"], depth + 1)
    elif kind == "urlset":
        yield from (entry["loc"] for entry in entries)


def article_warnings(article: Article, source: Source) -> list[str]:
    """What a person adding the source should look at: missing date or title, short text, language."""
    warnings = [w for w in article.warnings if w not in ("no_date", "no_title", "short_text")]
    if article.published is None:
        warnings.append("no date found")
    if not article.title:
        warnings.append("no title found")
    if len(article.text) < SHORT_TEXT_CHARS:
        warnings.append(f"short text ({len(article.text)} characters)")
    expected = {code.split("-")[0] for code in source.languages}
    if expected and article.language and article.language.split("-")[0] not in expected:
        warnings.append(f"language {article.language} is not one of {', '.join(source.languages)}")
    return warnings


def sample_articles(source: Source, n: int = 5, *, timeout: float = 10) -> list[tuple[Article, list[str]]]:
    """Fetch and extract up to n articles of a source, each with the warnings a person should read."""
    from crawlers.pages import extract_article

    fetcher = _Fetcher(source.home, timeout)
    samples: list[tuple[Article, list[str]]] = []
    seen: set[str] = set()
    try:
        for url in _candidate_urls(source, fetcher):
            if len(samples) >= n:
                break
            if url in seen:
                continue
            seen.add(url)
            response = fetcher.get(url)
            if response is None:
                samples.append((Article(url=url, text=""), [fetcher.problems[-1]]))
                continue
            charset = response.charset_encoding
            article = extract_article(
                response.content, str(response.url), source=source, headers_charset=charset
            )
            warnings = article_warnings(article, source)
            if source.render:
                warnings.append("fetched without a browser (source renders with JavaScript)")
            samples.append((article.with_changes(source=source.name), warnings))
    finally:
        fetcher.close()
    return samples
