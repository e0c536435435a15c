"""How a crawl reads each feed and sitemap that `newsmon sources test` lists: entries, newest date, problem.

Pure functions over response bodies that call the crawl's own readers (`feed_entries`, `sitemap_body`,
`sitemap_entries`, `sitemap_truncated`) and its since-window (`parse_since`), so a feed shown here as broken
is one a crawl logs as "not a feed" or "malformed", a sitemap shown as truncated is one a crawl counts as
`sitemap/truncated`, and a feed shown as too old is one a crawl counts as `feed/too_old`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import lxml.etree
from scrapy.http import Response
from scrapy.utils.gz import gzip_magic_number

from crawlers.spiders.base import parse_since
from crawlers.spiders.feed import feed_entries
from crawlers.spiders.sitemap import (
    complete_entries,
    parse_w3c_date,
    sitemap_body,
    sitemap_entries,
    sitemap_truncated,
)
from newsmon.models import Source

NEWS_SITEMAP_NS = b"http://www.google.com/schemas/sitemap-news/0.9"

# Kinds of reading.
FEED = "feed"
SITEMAP = "sitemap"
NEWS_SITEMAP = "news sitemap"
SITEMAP_INDEX = "sitemap index"
LISTING = "listing"
HOME_LISTING = "home page"
SITEMAP_KINDS = (SITEMAP, NEWS_SITEMAP, SITEMAP_INDEX)
_UNITS = {FEED: "items", SITEMAP_INDEX: "sitemaps", LISTING: "article links", HOME_LISTING: "article links"}

# Where a feed, sitemap or listing came from.
DEFINITION = "definition"
DISCOVERED = "discovered"
# Found by discovery while the definition names its own: a crawl of the definition does not read it.
NOT_CRAWLED = "not crawled"

_HTML_START = (b"<!doctype html", b"<html")
_FEEDPARSER_LINE = re.compile(r":(\d+):\d+: ")


def count(n: int, unit: str) -> str:
    """`1 item`, `5 items`: the units here are plural nouns ending in s."""
    return f"{n} {unit[:-1] if n == 1 else unit}"


@dataclass(frozen=True, slots=True)
class SinceWindow:
    """The crawl's since-window for a source: its `since_days`, else NEWSMON_SINCE_DAYS; 0 is no bound."""

    days: int
    cutoff: datetime | None
    timezone: str = "Asia/Almaty"

    @classmethod
    def of(cls, source: Source, default_days: int, now: datetime | None = None) -> SinceWindow:
        days = source.since_days if source.since_days is not None else default_days
        span = parse_since(days)
        cutoff = (now or datetime.now(UTC)) - span if span else None
        return cls(days, cutoff, source.timezone)

    def too_old(self, when: datetime | None) -> bool:
        """What the crawl skips (`NewsSpider.is_too_old`); an entry with no date is kept."""
        return bool(self.cutoff and when and when < self.cutoff)


@dataclass(frozen=True, slots=True)
class Reading:
    """One feed, sitemap or listing page as a crawl reads it; `problem` is empty when it reads cleanly."""

    url: str
    kind: str
    origin: str = DISCOVERED
    entries: int = 0
    newest: datetime | None = None
    too_old: int = 0  # dated entries older than the since-window: a crawl skips them
    problem: str = ""
    parent: str | None = None  # the sitemap index that names this sitemap

    @property
    def unit(self) -> str:
        return _UNITS.get(self.kind, "URLs")

    @property
    def amount(self) -> str:
        return count(self.entries, self.unit)

    @property
    def all_too_old(self) -> bool:
        """Every entry is older than the since-window: a crawl stores nothing from it."""
        return self.entries > 0 and self.too_old == self.entries


@dataclass(frozen=True, slots=True)
class Fetched:
    """One answer got while reading a portal: the body of a 200 response (`url` is where it came from after
    redirects, `content_type` its header), or why there was none (`failure`: "HTTP 404", "timeout"...)."""

    url: str
    body: bytes = b""
    content_type: str | None = None
    failure: str = ""


@dataclass(frozen=True, slots=True)
class Offer:
    """What was found on a portal and how a crawl reads each feed, sitemap and listing page.

    `listings` are section pages of the home page (candidates for a definition's `listings`);
    `unreachable` says why the home page got no answer at all (then nothing else was read);
    `fetched` keeps every answer read, by the URL asked for, so that sample articles are picked from the
    same feeds and sitemaps without fetching them again.
    """

    url: str
    readings: tuple[Reading, ...] = ()
    listings: tuple[str, ...] = ()
    article_links: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    needs_render: bool = False
    window: SinceWindow | None = None
    problems: tuple[str, ...] = ()
    unreachable: str = ""
    fetched: Mapping[str, Fetched] = field(default_factory=dict, repr=False, compare=False)

    def of_kind(self, *kinds: str) -> tuple[Reading, ...]:
        return tuple(reading for reading in self.readings if reading.kind in kinds)

    @property
    def feeds(self) -> tuple[str, ...]:
        return tuple(reading.url for reading in self.of_kind(FEED))

    @property
    def sitemaps(self) -> tuple[str, ...]:
        """Sitemaps named by the definition or robots.txt (not the children of an index)."""
        return tuple(r.url for r in self.of_kind(*SITEMAP_KINDS) if r.parent is None)

    @property
    def news_sitemaps(self) -> tuple[str, ...]:
        return tuple(reading.url for reading in self.of_kind(NEWS_SITEMAP))


def xml_error(body: bytes) -> lxml.etree.XMLSyntaxError | None:
    """The first well-formedness error of an XML document, None if there is none.

    The crawl's readers recover from broken XML without a word (lxml's recover mode, feedparser's loose
    parser); this says where the document breaks, to tell a truncated one from a malformed one.
    """
    try:
        for _event, element in lxml.etree.iterparse(BytesIO(body), resolve_entities=False, no_network=True):
            element.clear()
    except lxml.etree.XMLSyntaxError as exc:
        return exc
    return None


def _truncated(read: str) -> str:
    return f"truncated XML: read {read} before the error"


def _malformed(message: str, read: str) -> str:
    return f"malformed XML ({message}): read {read}"


def _breakage(body: bytes, line: int | None, message: str, read: str) -> str:
    """Truncated when the error is on the last line (the document stops mid-way), else malformed."""
    if line is not None and line >= len(body.rstrip().splitlines()):
        return _truncated(read)
    return _malformed(message, read)


def _looks_like_html(body: bytes, content_type: str | None) -> bool:
    head = body[:512].lstrip().lower()
    return (content_type or "").lower().startswith("text/html") or head.startswith(_HTML_START)


def read_feed(url: str, body: bytes, content_type: str | None, window: SinceWindow) -> Reading:
    """A feed as `FeedDiscovery.parse_feed` reads it: its items, or why a crawl ignores or distrusts it."""
    items, problem = feed_entries(body, url, content_type, window.timezone)
    dates = [item["published"] for item in items if item["published"] is not None]
    if problem and not items and _looks_like_html(body, content_type):
        problem = "HTML, not a feed"
    elif problem.startswith("malformed"):
        error = xml_error(body)
        read = count(len(items), "items")
        if error is not None:
            problem = _breakage(body, error.lineno, error.msg, read)
        else:  # feedparser's own complaint; its message names the line
            line = _FEEDPARSER_LINE.search(problem)
            problem = _breakage(body, int(line.group(1)) if line else None, problem, read)
    return Reading(
        url,
        FEED,
        entries=len(items),
        newest=max(dates, default=None),
        too_old=sum(window.too_old(when) for when in dates),
        problem=problem,
    )


def read_sitemap(
    url: str, body: bytes, window: SinceWindow, max_size: int
) -> tuple[Reading, list[dict[str, Any]]]:
    """A sitemap as `SitemapDiscovery.parse_sitemap` reads it (gunzipped when it is gzip), with its entries."""
    response = Response(url, body=body)
    xml = sitemap_body(response, max_size)
    kind, entries = sitemap_entries(xml) if xml else ("", [])
    if not kind or xml is None:
        if xml is None and gzip_magic_number(response):
            problem = "gzip that does not unpack (corrupt, or larger than NEWSMON_DOWNLOAD_MAX_BYTES)"
        else:
            problem = "HTML, not a sitemap" if _looks_like_html(body, None) else "not a sitemap"
        return Reading(url, SITEMAP, problem=problem), []
    truncated = sitemap_truncated(xml, kind)
    if truncated:  # the crawl's own check, and the entries it follows (counted as sitemap/truncated)
        entries = complete_entries(xml, entries)
    if kind == "sitemapindex":
        kind = SITEMAP_INDEX
        dates = [parse_w3c_date(entry.get("lastmod"), window.timezone) for entry in entries]
    else:
        kind = NEWS_SITEMAP if NEWS_SITEMAP_NS in xml else SITEMAP
        dates = [
            parse_w3c_date(entry.get("news_published"), window.timezone)
            or parse_w3c_date(entry.get("lastmod"), window.timezone)
            for entry in entries
        ]
    read = count(len(entries), "sitemaps" if kind == SITEMAP_INDEX else "URLs")
    problem = ""
    if truncated:
        problem = _truncated(read)
    elif (error := xml_error(xml)) is not None:
        problem = _malformed(error.msg, read)
    known = [when for when in dates if when is not None]
    reading = Reading(
        url,
        kind,
        entries=len(entries),
        newest=max(known, default=None),
        too_old=sum(window.too_old(when) for when in known),
        problem=problem,
    )
    return reading, entries
