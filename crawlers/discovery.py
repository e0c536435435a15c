"""What a portal offers (feeds, sitemaps, listing pages) and sample articles, for `newsmon sources test`.

Blocking httpx calls, meant for the command line (not for use inside Scrapy). The same link rules and the
same feed and sitemap readers as the spiders are used (crawlers.readings), so what this reports is what a
crawl will find, and a feed or sitemap a crawl would ignore or distrust is shown with its problem.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

import httpx
from parsel import Selector
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crawlers.extraction import apply_hints
from crawlers.middlewares.content_guard import PAGE_TYPES
from crawlers.readings import (
    DEFINITION,
    DISCOVERED,
    FEED,
    HOME_LISTING,
    LISTING,
    NOT_CRAWLED,
    SITEMAP,
    SITEMAP_INDEX,
    Fetched,
    Offer,
    Reading,
    SinceWindow,
    read_feed,
    read_sitemap,
)
from crawlers.sources import source_from_url
from crawlers.spiders.feed import feed_entries
from crawlers.spiders.links import COMMON_FEED_PATHS, ArticleLinkRule, feed_links, listing_candidates
from crawlers.spiders.sitemap import parse_w3c_date
from crawlers.suggestion import definition_notes, suggest_definition
from newsmon.config import get_settings
from newsmon.models import Article, Source

logger = logging.getLogger(__name__)

__all__ = [
    "Offer",
    "Reading",
    "article_warnings",
    "definition_notes",
    "discover",
    "sample_articles",
    "suggest_definition",
]

SHORT_TEXT_CHARS = 200
# Sitemaps read per portal, and child sitemaps read per sitemap index: enough to judge, not a crawl.
MAX_SITEMAPS = 5
MAX_CHILD_SITEMAPS = 5
_LANGUAGE_ALIASES = {"kz": "kk", "qz": "kk-Latn", "rus": "ru", "kaz": "kk"}


class _Fetcher:
    """One httpx client with our User-Agent; respects robots.txt once it has been read. Each URL is asked for
    once: its answer is kept in `fetched` (seeded from an earlier reading of the portal) and given again."""

    def __init__(self, home: str, timeout: float, fetched: Mapping[str, Fetched] | None = None) -> None:
        settings = get_settings()
        self.client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": settings.effective_user_agent},
        )
        self.max_size = settings.download_max_bytes
        self.robots: RobotFileParser | None = None
        self.home = home
        self.problems: list[str] = []
        # URLs where nothing answered (refused, no such host, timeout), as opposed to an HTTP error.
        self.unanswered: set[str] = set()
        self.fetched: dict[str, Fetched] = dict(fetched or {})

    def fetch(self, url: str) -> tuple[httpx.Response | None, str]:
        """The response, or None and why not ("HTTP 404", "connection refused", ...)."""
        if self.robots is not None and not self.robots.can_fetch(self.client.headers["User-Agent"], url):
            return None, "disallowed by robots.txt"
        if url not in self.fetched:
            self.fetched[url] = self._request(url)
        return _as_response(self.fetched[url])

    def _request(self, url: str) -> Fetched:
        try:
            response = self.client.get(url)
        except httpx.HTTPError as exc:
            self.unanswered.add(url)
            return Fetched(url, failure=_failure(exc))
        if response.status_code != 200:
            return Fetched(url, failure=f"HTTP {response.status_code}")
        return Fetched(str(response.url), response.content, response.headers.get("content-type"))

    def get(self, url: str, *, quiet: bool = False) -> httpx.Response | None:
        response, failure = self.fetch(url)
        if failure and not quiet:
            self.problems.append(f"{url}: {failure}")
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


def _as_response(fetched: Fetched) -> tuple[httpx.Response | None, str]:
    """A kept answer as a response (the same the first time and every later time), or why there is none."""
    if fetched.failure:
        return None, fetched.failure
    headers = {"content-type": fetched.content_type} if fetched.content_type else {}
    request = httpx.Request("GET", fetched.url)
    return httpx.Response(200, headers=headers, content=fetched.body, request=request), ""


def _failure(exc: httpx.HTTPError) -> str:
    """Why nothing answered, in the words of the crawl's stats (crawlers.spiders.fetch_errors)."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return f"DNS error ({cause.strerror or cause})"
        cause = cause.__cause__ or cause.__context__
    return f"{type(exc).__name__}: {exc}"


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


def _read_feed(fetcher: _Fetcher, url: str, window: SinceWindow, origin: str) -> Reading:
    response, failure = fetcher.fetch(url)
    if response is None:
        return Reading(url, FEED, origin, problem=failure)
    content_type = response.headers.get("content-type")
    return replace(
        read_feed(str(response.url), response.content, content_type, window), url=url, origin=origin
    )


def _feed_readings(
    fetcher: _Fetcher, source: Source, home: Selector, base: str, window: SinceWindow
) -> list[Reading]:
    """The definition's feeds, then those the home page names, else the usual paths that answer a feed."""
    own = list(source.feeds)
    readings = [_read_feed(fetcher, url, window, DEFINITION) for url in own]
    origin = NOT_CRAWLED if own else DISCOVERED
    announced = feed_links(home, base)
    for url in announced:
        if url not in own:
            readings.append(_read_feed(fetcher, url, window, origin))
    if announced:
        return readings
    for url in (urljoin(fetcher.home, path) for path in COMMON_FEED_PATHS):
        probe = _read_feed(fetcher, url, window, origin)
        if url not in own and (probe.entries or not probe.problem):
            readings.append(probe)
    return readings


def _read_sitemap(fetcher: _Fetcher, url: str, window: SinceWindow) -> tuple[Reading, list[dict[str, Any]]]:
    response, failure = fetcher.fetch(url)
    if response is None:
        return Reading(url, SITEMAP, problem=failure), []
    reading, entries = read_sitemap(str(response.url), response.content, window, fetcher.max_size)
    return replace(reading, url=url), entries


def _sitemap_tree(fetcher: _Fetcher, url: str, window: SinceWindow, origin: str) -> list[Reading]:
    """A sitemap and, for an index, the newest of the child sitemaps a crawl would read (news ones first)."""
    reading, entries = _read_sitemap(fetcher, url, window)
    readings = [replace(reading, origin=origin)]
    if reading.kind != SITEMAP_INDEX:
        return readings
    children = [
        entry
        for entry in entries
        if not window.too_old(parse_w3c_date(entry.get("lastmod"), window.timezone))
    ]
    children.sort(key=lambda entry: entry.get("lastmod") or "", reverse=True)
    children.sort(key=lambda entry: "news" not in entry["loc"].lower())
    for entry in children[:MAX_CHILD_SITEMAPS]:
        child, _ = _read_sitemap(fetcher, entry["loc"], window)
        readings.append(replace(child, origin=origin, parent=url))
    return readings


def _sitemap_readings(
    fetcher: _Fetcher, source: Source, named: list[str], window: SinceWindow
) -> list[Reading]:
    """The definition's sitemaps, then those robots.txt names, else /sitemap.xml if it is one."""
    own = list(source.sitemaps)
    readings = [r for url in own for r in _sitemap_tree(fetcher, url, window, DEFINITION)]
    origin = NOT_CRAWLED if own else DISCOVERED
    for url in [url for url in named if url not in own][:MAX_SITEMAPS]:
        readings += _sitemap_tree(fetcher, url, window, origin)
    fallback = urljoin(fetcher.home, "/sitemap.xml")
    if not named and fallback not in own:
        probe = _sitemap_tree(fetcher, fallback, window, origin)
        if probe[0].entries:
            readings += probe
    return readings


def _listing_readings(
    fetcher: _Fetcher, source: Source, home: tuple[httpx.Response | None, str], rule: ArticleLinkRule
) -> list[Reading]:
    """The definition's listing pages with their article links; with none, the home page, which a crawl
    then reads as the listing."""
    if not source.listings:
        response, failure = home
        links = rule.links(Selector(text=response.text), str(response.url)) if response is not None else []
        return [Reading(source.home, HOME_LISTING, DISCOVERED, entries=len(links), problem=failure)]
    readings: list[Reading] = []
    for url in source.listings:
        response, failure = fetcher.fetch(url)
        links = rule.links(Selector(text=response.text), str(response.url)) if response is not None else []
        if response is not None and not links:
            failure = "no article links"
        readings.append(Reading(url, LISTING, DEFINITION, entries=len(links), problem=failure))
    return readings


def discover(url: str, *, source: Source | None = None, timeout: float = 10) -> Offer:
    """Read a portal as a crawl of `source` would: its own feeds, sitemaps and listings (none for the
    one-line definition of `url`, the default), then what discovery finds beyond them (feeds on the home
    page or at the usual paths, sitemaps in robots.txt or at /sitemap.xml)."""
    source = source or source_from_url(url)
    window = SinceWindow.of(source, get_settings().since_days)
    fetcher = _Fetcher(url, timeout)
    try:
        named_sitemaps = fetcher.read_robots()
        home, failure = fetcher.fetch(url)
        if home is None and url in fetcher.unanswered:
            return Offer(url=url, window=window, problems=(f"{url}: {failure}",), unreachable=failure)
        selector = Selector(text=home.text) if home is not None else Selector(text="<html></html>")
        base = str(home.url) if home is not None else url
        rule = replace(ArticleLinkRule.for_source(source), home=base)
        articles = rule.links(selector, base)
        readings = [
            *_feed_readings(fetcher, source, selector, base, window),
            *_sitemap_readings(fetcher, source, named_sitemaps, window),
            *_listing_readings(fetcher, source, (home, failure), rule),
        ]
        return Offer(
            url=url,
            readings=tuple(readings),
            listings=tuple(
                u for u in listing_candidates(selector, base, rule)[:10] if u not in source.listings
            ),
            article_links=tuple(articles),
            languages=_languages(selector),
            needs_render=home is not None and not articles and len(selector.css("script")) > 0,
            window=window,
            problems=tuple(fetcher.problems),
            fetched=fetcher.fetched,
        )
    finally:
        fetcher.close()


# An article URL as a crawl finds it: the feed or sitemap date it filters on (None from a listing page) and the
# hints the page lacks that a crawl takes from the feed item or news sitemap entry (crawlers.spiders.base).
Candidate = tuple[str, datetime | None, dict[str, Any]]


def _feed_urls(fetcher: _Fetcher, url: str, timezone: str) -> Iterator[Candidate]:
    response, _ = fetcher.fetch(url)
    if response is None:
        return
    content_type = response.headers.get("content-type")
    items, _ = feed_entries(response.content, str(response.url), content_type, timezone)
    for item in items:
        hints = {"title": item["title"], "published": item["published"], "date_source": "feed"}
        yield item["url"], item["published"], hints


def _sitemap_urls(
    fetcher: _Fetcher, url: str, window: SinceWindow, rule: ArticleLinkRule, depth: int = 0
) -> Iterator[Candidate]:
    """Article URLs of a sitemap (gunzipped as the crawl does), newest first, with the date it gives."""
    response, _ = fetcher.fetch(url)
    if response is None:
        return
    reading, entries = read_sitemap(str(response.url), response.content, window, fetcher.max_size)
    dated = [
        (
            entry,
            parse_w3c_date(entry.get("news_published"), window.timezone)
            or parse_w3c_date(entry.get("lastmod"), window.timezone),
        )
        for entry in entries
    ]
    dated.sort(key=lambda pair: pair[1].timestamp() if pair[1] else 0.0, reverse=True)
    if reading.kind == SITEMAP_INDEX:
        for entry, _ in dated[:3] if depth == 0 else ():
            yield from _sitemap_urls(fetcher, entry["loc"], window, rule, depth + 1)
        return
    for entry, when in dated:
        if not (rule.include or rule.exclude) or rule.matches(entry["loc"]):
            published = parse_w3c_date(entry.get("news_published"), window.timezone)
            hints = {"title": entry.get("news_title"), "published": published, "date_source": "sitemap"}
            yield entry["loc"], when, hints


def _in_turn(streams: list[Iterator[Candidate]]) -> Iterator[Candidate]:
    """One URL of each feed in turn: a portal's Russian and Kazakh feeds both give samples."""
    streams = list(streams)
    while streams:
        for stream in list(streams):
            try:
                yield next(stream)
            except StopIteration:
                streams.remove(stream)


def _candidate_urls(source: Source, fetcher: _Fetcher, window: SinceWindow) -> Iterator[Candidate]:
    """Article URLs in the order a crawl would find them (feeds, sitemaps, listings)."""
    named = fetcher.read_robots()
    rule = ArticleLinkRule.for_source(source)
    home = fetcher.get(source.home)
    home_selector = Selector(text=home.text) if home is not None else None
    feeds = list(source.feeds) or (feed_links(home_selector, str(home.url)) if home is not None else [])
    yield from _in_turn([_feed_urls(fetcher, feed, source.timezone) for feed in feeds])
    if not feeds and home is not None:
        for path in COMMON_FEED_PATHS:
            yield from _feed_urls(fetcher, urljoin(source.home, path), source.timezone)
    for sitemap in list(source.sitemaps) or named or [urljoin(source.home, "/sitemap.xml")]:
        yield from _sitemap_urls(fetcher, sitemap, window, rule)
    for listing in source.listings:
        response = fetcher.get(listing)
        if response is not None:
            links = rule.links(Selector(text=response.text), str(response.url))
            yield from ((url, None, {}) for url in links)
    if home is not None and not source.listings:
        yield from ((url, None, {}) for url in rule.links(home_selector, str(home.url)))


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


def sample_articles(
    source: Source, n: int = 5, *, timeout: float = 10, offer: Offer | None = None
) -> list[tuple[Article, list[str]]]:
    """Fetch and extract up to n articles of a source, each with the warnings a person should read.

    With the `offer` that `discover` read for the source, its feeds, sitemaps and pages are not fetched again.
    """
    from crawlers.pages import extract_article

    window = SinceWindow.of(source, get_settings().since_days)
    fetcher = _Fetcher(source.home, timeout, offer.fetched if offer is not None else None)
    samples: list[tuple[Article, list[str]]] = []
    seen: set[str] = set()
    try:
        for url, listed, hints in _candidate_urls(source, fetcher, window):
            if len(samples) >= n:
                break
            if url in seen:
                continue
            seen.add(url)
            response, failure = fetcher.fetch(url)
            if response is None:
                samples.append((Article(url=url, text=""), [failure]))
                continue
            content_type = (response.headers.get("content-type") or "").lower()
            if content_type and not content_type.startswith(PAGE_TYPES):
                kind = content_type.split(";")[0].strip()
                samples.append((Article(url=url, text=""), [f"not a web page ({kind}): a crawl skips it"]))
                continue
            charset = response.charset_encoding
            article = extract_article(
                response.content, str(response.url), source=source, headers_charset=charset
            )
            article = apply_hints(article, hints)  # what the crawl takes from the feed item or sitemap entry
            warnings = article_warnings(article, source)
            # The crawl's two checks: the feed or sitemap date before fetching, then the page's own date
            # (NewsSpider.parse_article), so a recent `lastmod` does not save a page dated years ago.
            if window.too_old(listed) or window.too_old(article.published):
                warnings.append(f"older than the since-window ({window.days} days): a crawl skips it")
            if source.render:
                warnings.append("fetched without a browser (source renders with JavaScript)")
            samples.append((article.with_changes(source=source.name), warnings))
    finally:
        fetcher.close()
    return samples
