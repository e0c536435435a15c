"""Discovery by feeds: RSS 0.9x/1.0/2.0 and Atom, read leniently with feedparser.

A feed's items give article URLs plus title and date hints. Feeds a source does not list are found on
its home page (<link rel="alternate">) or, failing that, at the usual paths (/rss, /feed/ ...).
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from parsel import Selector
from scrapy.http import Request, Response, TextResponse

from crawlers.spiders.base import NewsSpider
from crawlers.spiders.links import COMMON_FEED_PATHS, feed_links

logger = logging.getLogger(__name__)

FEED_PRIORITY = 30
# feedparser flags these without anything being wrong with the items (e.g. no Content-Type was given).
BENIGN_FEED_PROBLEMS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def _loose_date(text: str | None, timezone: str) -> datetime | None:
    """A date feedparser could not read ("Thu,28 Jul 2022 4:35:5 GMT+9"), by the extractor's parser."""
    if not text:
        return None
    try:
        from crawlers.pages import parse_date
    except ImportError:
        return None
    return parse_date(text, tz=timezone)


def feed_entries(
    body: bytes, url: str, content_type: str | None = None, timezone: str = "Asia/Almaty"
) -> tuple[list[dict[str, Any]], str]:
    """Items of a feed as (url, title, published, modified) dicts, and a problem ("" if none, else why)."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers)
    problem = ""
    if not parsed.version and not parsed.entries:
        exc = parsed.get("bozo_exception")
        return [], f"not a feed ({exc or 'no items'})"
    if parsed.bozo and not isinstance(parsed.get("bozo_exception"), BENIGN_FEED_PROBLEMS):
        problem = f"malformed ({parsed.get('bozo_exception')})"
    items: list[dict[str, Any]] = []
    for entry in parsed.entries:
        link = entry.get("link") or entry.get("id")
        if not link or not str(link).startswith(("http", "/")):
            continue
        # dict.get: feedparser's own get() maps a missing published date to updated, with a warning.
        stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
        if published is None:
            published = _loose_date(dict.get(entry, "published") or dict.get(entry, "updated"), timezone)
        updated = dict.get(entry, "updated_parsed")
        modified = datetime.fromtimestamp(calendar.timegm(updated), UTC) if updated else None
        title = (entry.get("title") or "").strip() or None
        items.append(
            {
                "url": urljoin(url, link),
                "title": title,
                "published": published,
                # An item updated after it was published: a stored copy older than that is fetched again.
                "modified": modified if modified and published and modified > published else None,
            }
        )
    return items, problem


class FeedDiscovery:
    """Requests and callbacks for feeds; mixed into spiders derived from NewsSpider."""

    def feed_request(self: NewsSpider, url: str, *, probe: bool = False) -> Request:
        return self.page_request(
            url, self.parse_feed, role="feed", priority=FEED_PRIORITY, newsmon_probe=probe
        )

    def feeds_from_home(self: NewsSpider, response: Response) -> Iterator[Request]:
        """Feeds the home page names; else probes of the usual feed paths (misses are not errors)."""
        found = (
            feed_links(Selector(text=response.text), response.url)
            if isinstance(response, TextResponse)
            else []
        )
        self.crawler.stats.inc_value("newsmon/discovery/feeds_found", len(found))
        if found:
            logger.info("Feeds found on %s: %s", response.url, ", ".join(found))
            for url in found:
                yield self.feed_request(url)
            return
        for path in COMMON_FEED_PATHS:
            yield self.feed_request(urljoin(self.source.home, path), probe=True)

    async def parse_feed(self: NewsSpider, response: Response) -> AsyncIterator[Request]:
        stats = self.crawler.stats
        if self.not_modified(response):
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        items, problem = feed_entries(response.body, response.url, content_type, self.source.timezone)
        if not items and problem:
            if response.meta.get("newsmon_probe"):
                stats.inc_value("newsmon/discovery/probe_miss")
                return
            stats.inc_value("newsmon/feed/invalid")
            logger.warning("Ignoring feed %s: %s", response.url, problem)
            return
        if problem:
            stats.inc_value("newsmon/feed/malformed")
            logger.warning("Feed %s is %s; using the %d items read", response.url, problem, len(items))
        stats.inc_value("newsmon/feed/read")
        if response.meta.get("newsmon_probe"):
            logger.info("Feed found at %s", response.url)
        for item in items:
            if self.is_too_old(item["published"]):
                stats.inc_value("newsmon/feed/too_old")
                continue
            hints = {
                "title": item["title"],
                "published": item["published"],
                "date_source": "feed",
                "modified": item["modified"],
            }
            request = self.article_request(item["url"], "feed", hints, priority=FEED_PRIORITY)
            if request is not None:
                yield request


class FeedSpider(FeedDiscovery, NewsSpider):
    """Articles from a source's feeds only (found on the home page when the definition has none)."""

    name = "feed"

    async def start(self) -> AsyncIterator[Request]:
        if self.source.feeds:
            for url in self.source.feeds:
                yield self.feed_request(url)
            return
        yield self.page_request(
            self.source.home, self.feeds_from_home, role="home", conditional=False, render=self.source.render
        )
