"""Discovery by sitemaps: index files, gzip, Google News sitemaps, bounded by the since-window.

Sitemaps a source does not list are read from robots.txt, else /sitemap.xml is tried (also when robots.txt is
missing, unreachable or names none). With robots.txt obeyed, the source spider reads the copy Scrapy's
RobotsTxtMiddleware downloads, so that robots.txt is requested once per crawl. Entries older than
the window (news:publication_date, else lastmod) are dropped, and so are child sitemaps of an index whose
lastmod is older than the window. A sitemap cut short (it stops before its root element closes) is read for
the entries before the cut, counted and logged.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.etree
from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request, Response
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawlers.spiders.base import NewsSpider
from crawlers.spiders.fetch_errors import failure_kind

logger = logging.getLogger(__name__)

SITEMAP_PRIORITY = 20
ROBOTS_PATH = "/robots.txt"
FALLBACK_SITEMAP = "/sitemap.xml"
_NEWS_FIELDS = {"publication_date": "news_published", "title": "news_title"}
# The closing root tag at the very end of a whole sitemap, with any namespace prefix (</sm:urlset>).
_ROOT_CLOSE = {
    kind: re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?" + kind.encode() + rb"\s*>\Z")
    for kind in ("urlset", "sitemapindex")
}
_XML_SPACE = b" \t\r\n"


class NewsSitemap(Sitemap):
    """Scrapy's sitemap reader, also keeping the Google News fields nested in <news:news>."""

    def _process_sitemap_element(self, elem: lxml.etree._Element) -> dict[str, Any] | None:
        news: dict[str, str] = {}
        for child in elem.iter():
            name = self._get_tag_name(child)
            if name in _NEWS_FIELDS and child.getparent() is not None:
                parent = self._get_tag_name(child.getparent())
                if parent == "news" and child.text:
                    news[_NEWS_FIELDS[name]] = child.text.strip()
        entry = super()._process_sitemap_element(elem)
        if entry is not None:
            entry.pop("news", None)
            entry.update(news)
        return entry


def parse_w3c_date(text: str | None, timezone: str = "Asia/Almaty") -> datetime | None:
    """A sitemap date (W3C datetime, or RFC 822 from some CMSs) as aware UTC; None if unreadable."""
    if not text:
        return None
    text = text.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value.astimezone(UTC)


def sitemap_body(response: Response, max_size: int) -> bytes | None:
    """The XML of a sitemap response (gunzipped if needed), or None if it is not one."""
    if gzip_magic_number(response):
        try:
            return gunzip(response.body, max_size=max_size)
        except (_DecompressionMaxSizeExceeded, OSError, EOFError):
            return None
    head = response.body[:512].lstrip().lower()
    if head.startswith(b"<?xml") or b"<urlset" in head or b"<sitemapindex" in head:
        return response.body
    return None


def sitemap_entries(body: bytes) -> tuple[str, list[dict[str, Any]]]:
    """(type, entries): type is "sitemapindex", "urlset" or "" when the XML is neither."""
    try:
        sitemap = NewsSitemap(body)
    except (lxml.etree.XMLSyntaxError, StopIteration):
        return "", []
    if sitemap.type not in ("sitemapindex", "urlset"):
        return "", []
    return sitemap.type, list(sitemap)


def _end_of_content(xml: bytes, end: int) -> int:
    """Where `xml[:end]` ends without its trailing whitespace."""
    while end and xml[end - 1] in _XML_SPACE:
        end -= 1
    return end


def sitemap_truncated(xml: bytes, kind: str) -> bool:
    """The sitemap stops before its root element closes (a download or a file cut short), which the lenient
    reader of `sitemap_entries` passes over in silence.

    Cheap, with no second parse: the document must end with `</urlset>` or `</sitemapindex>` (any namespace
    prefix), after which XML allows only whitespace, comments and processing instructions.
    """
    end = _end_of_content(xml, len(xml))
    while xml.endswith((b"-->", b"?>"), 0, end):
        start = xml.rfind(b"<!--" if xml.endswith(b"-->", 0, end) else b"<?", 0, end)
        if start < 0:
            return True
        end = _end_of_content(xml, start)
    return _ROOT_CLOSE[kind].search(xml, max(0, end - 256), end) is None


def complete_entries(xml: bytes, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries of a truncated sitemap worth following: all, less the last when the document stops
    inside that entry's `<loc>` text, whose URL may then be cut short (`/news/12` of `/news/123`)."""
    last_loc = xml.rfind(b"loc>")
    tag = xml.rfind(b"<", 0, last_loc)
    if not entries or last_loc < 0 or tag < 0 or xml[tag + 1 : tag + 2] == b"/":
        return entries  # the last <loc> of the document is closed
    text = xml[last_loc + 4 :].lstrip().removeprefix(b"<![CDATA[")
    if b"<" in text:
        return entries  # its closing tag began: the URL is whole
    # Only the last entry's own <loc> (not an <image:loc> inside it) holds the URL read from it.
    cut = html.unescape(text.decode("utf-8", "ignore")).strip().startswith(entries[-1]["loc"])
    return entries[:-1] if cut else entries


class SitemapDiscovery:
    """Requests and callbacks for robots.txt and sitemaps; mixed into spiders derived from NewsSpider.

    With robots.txt obeyed, Scrapy's RobotsTxtMiddleware downloads it before the first request to the home's
    host: a spider that sends such a request (the source spider's home page) calls `sitemaps_from_middleware`
    first, and the sitemaps are read from that download as it arrives, instead of asking for robots.txt a
    second time. Nothing waits for it: the sitemap requests go to the engine from the signal that brings the
    answer, or, when the download failed, from the one that shows the next request of that host passing.
    """

    # The robots.txt of the home's host is read from RobotsTxtMiddleware's download (not yet read: pending).
    robots_pending: bool = False

    def sitemap_request(self: NewsSpider, url: str, *, probe: bool = False) -> Request:
        return self.page_request(
            url, self.parse_sitemap, role="sitemap", priority=SITEMAP_PRIORITY, newsmon_probe=probe
        )

    def sitemaps_from_middleware(self: NewsSpider) -> bool:
        """Read the sitemaps from the robots.txt RobotsTxtMiddleware downloads for the crawl's first request
        to the home's host, which the caller sends; False when robots.txt is not obeyed (then the caller
        requests it with `robots_request`)."""
        if self.crawler.get_downloader_middleware(RobotsTxtMiddleware) is None:
            return False
        self.crawler.signals.connect(self.robots_answered, signal=signals.response_received)
        self.crawler.signals.connect(self.robots_settled, signal=signals.request_reached_downloader)
        self.robots_pending = True
        return True

    def robots_answered(self: NewsSpider, response: Response, request: Request, **_: Any) -> None:
        """RobotsTxtMiddleware's request (marked `dont_obey_robotstxt`) for the home's robots.txt got an answer,
        of any status: its sitemaps, else /sitemap.xml, go to the engine."""
        if not self.robots_pending or not request.meta.get("dont_obey_robotstxt"):
            return
        asked = urlsplit((request.meta.get("redirect_urls") or [request.url])[0])
        if (asked.netloc, asked.path) != (urlsplit(self.source.home).netloc, ROBOTS_PATH):
            return
        missing = f"HTTP {response.status}" if response.status != 200 else ""
        self._crawl_sitemaps(response.url, b"" if missing else response.body, missing)

    def robots_settled(self: NewsSpider, request: Request, **_: Any) -> None:
        """A request to the home's host passed RobotsTxtMiddleware with no robots.txt answer before it: the
        download failed (the middleware logged why), so /sitemap.xml is tried."""
        if not self.robots_pending or request.meta.get("dont_obey_robotstxt"):
            return
        if urlsplit(request.url).netloc == urlsplit(self.source.home).netloc:
            self._crawl_sitemaps(urljoin(self.source.home, ROBOTS_PATH), b"", "no answer")

    def _crawl_sitemaps(self: NewsSpider, url: str, body: bytes, missing: str) -> None:
        self.robots_pending = False
        if self.crawler.engine is None or self.crawler.engine.spider is None:
            return  # the crawl is over
        for request in self.robots_sitemaps(url, body, missing):
            self.crawler.engine.crawl(request)

    def robots_request(self: NewsSpider) -> Request:
        url = urljoin(self.source.home, ROBOTS_PATH)
        request = self.page_request(
            url, self.parse_robots, role="robots", priority=SITEMAP_PRIORITY, conditional=False
        )
        return request.replace(errback=self.robots_failed)

    def parse_robots(self: NewsSpider, response: Response) -> Iterator[Request]:
        yield from self.robots_sitemaps(response.url, response.body)

    def robots_failed(self: NewsSpider, failure: Failure) -> list[Request]:
        """No robots.txt (404 and other errors, no answer): normal for a portal, so no failed request of the
        crawl; /sitemap.xml is tried instead."""
        request: Request = failure.request  # type: ignore[attr-defined]
        return list(self.robots_sitemaps(request.url, b"", failure_kind(failure)))

    def robots_sitemaps(self: NewsSpider, url: str, body: bytes, missing: str = "") -> Iterator[Request]:
        """The sitemaps named in a robots.txt body, else /sitemap.xml (`missing`: why there is no robots.txt
        to read; a body that is no robots.txt, such as an HTML page, names none)."""
        urls = list(sitemap_urls_from_robots(body, base_url=url))
        self.crawler.stats.inc_value("newsmon/discovery/sitemaps_found", len(urls))
        if urls:
            logger.info("Sitemaps named in %s: %s", url, ", ".join(urls))
            yield from (self.sitemap_request(sitemap) for sitemap in urls)
            return
        fallback = urljoin(self.source.home, FALLBACK_SITEMAP)
        logger.info("No sitemap named in %s (%s); trying %s", url, missing or "none named", fallback)
        yield self.sitemap_request(fallback, probe=True)

    def parse_sitemap(self: NewsSpider, response: Response) -> Iterator[Request]:
        stats = self.crawler.stats
        if self.not_modified(response):
            return
        body = sitemap_body(response, self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        kind, entries = sitemap_entries(body) if body else ("", [])
        if not kind:
            if not response.meta.get("newsmon_probe"):
                stats.inc_value("newsmon/sitemap/invalid")
                logger.warning("Ignoring %s: not a sitemap", response.url)
            return
        if sitemap_truncated(body, kind):
            entries = complete_entries(body, entries)
            stats.inc_value("newsmon/sitemap/truncated")
            logger.warning(
                "Sitemap %s is truncated (it stops before </%s>); using the %d entries read",
                response.url,
                kind,
                len(entries),
            )
        stats.inc_value("newsmon/sitemap/read")
        if kind == "sitemapindex":
            yield from self._child_sitemaps(entries)
        else:
            yield from self._sitemap_articles(entries)

    def _child_sitemaps(self: NewsSpider, entries: list[dict[str, Any]]) -> Iterator[Request]:
        for entry in entries:
            if self.is_too_old(parse_w3c_date(entry.get("lastmod"), self.source.timezone)):
                self.crawler.stats.inc_value("newsmon/sitemap/old_sitemap")
                continue
            yield self.sitemap_request(entry["loc"])

    def _sitemap_articles(self: NewsSpider, entries: list[dict[str, Any]]) -> Iterator[Request]:
        stats = self.crawler.stats
        # A lastmod that every entry shares is when the sitemap was generated, not when each page changed:
        # it would have every stored article fetched again at every crawl.
        stamps = {entry.get("lastmod") for entry in entries}
        lastmod_says_modified = len(entries) < 2 or len(stamps) > 1
        for entry in entries:
            url = entry["loc"]
            published = parse_w3c_date(entry.get("news_published"), self.source.timezone)
            modified = parse_w3c_date(entry.get("lastmod"), self.source.timezone)
            if self.is_too_old(published or modified):
                stats.inc_value("newsmon/sitemap/too_old")
                continue
            if (self.rule.include or self.rule.exclude) and not self.rule.matches(url):
                stats.inc_value("newsmon/sitemap/not_article")
                continue
            hints = {
                "title": entry.get("news_title"),
                "published": published,
                "date_source": "sitemap",
                "modified": modified if lastmod_says_modified else None,
            }
            request = self.article_request(url, "sitemap", hints, priority=SITEMAP_PRIORITY)
            if request is not None:
                yield request


class SitemapSpider(SitemapDiscovery, NewsSpider):
    """Articles from a source's sitemaps only (named in robots.txt when the definition has none, else
    /sitemap.xml). It asks for robots.txt itself: with robots.txt obeyed, Scrapy downloads it once more."""

    name = "sitemap"

    async def start(self) -> AsyncIterator[Request]:
        if self.source.sitemaps:
            for url in self.source.sitemaps:
                yield self.sitemap_request(url)
        else:
            yield self.robots_request()
