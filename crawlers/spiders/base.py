"""What every discovery spider shares: which source, how far back, how many, and fetching + extraction.

Spiders only discover; `crawlers.pages.extract_article` reads the page. Every article request carries
`newsmon_article`, `newsmon_source` and `newsmon_discovered_by` in its meta so that a downloader middleware
can skip URLs already stored before they are downloaded, and `newsmon_hints` (title and date from the feed
or sitemap, as JSON) so that another process of a shared crawl can download it (crawlers.frontier).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from crawlers.extraction import (
    MIN_TEXT_CHARS,
    apply_hints,
    load_analysis,
    read_page,
)
from crawlers.middlewares.content_guard import PAGE_TYPES
from crawlers.pages import EXTRACTION_MODULE
from crawlers.sources import load_source_file, load_sources, source_from_url
from crawlers.spiders.fetch_errors import failure_kind
from crawlers.spiders.links import ArticleLinkRule, url_key
from newsmon.models import Article, Source
from newsmon.offload import Offloader
from newsmon.timespec import parse_window

logger = logging.getLogger(__name__)

# Sent with urls=[...] before a listing page's articles are requested; a storage-aware component (the
# pipelines' seen-URL middleware) answers with the set of those already stored. A plain string, so that
# the crawlers and the storage side agree on it without importing each other.
STORED_URLS_SIGNAL = "newsmon_stored_urls"


parse_since = parse_window  # the since-window, read alike by the cheap poll (tasks.poll)


def resolve_source(source: str | None, home: str | None, sources_file: str | None) -> Source:
    """The source a crawl is for: a definition file, a home URL, or a name in the registry."""
    if sources_file:
        found, errors = load_source_file(Path(sources_file))
        if source:
            found = [s for s in found if s.name == source]
        if not found:
            problems = "; ".join(str(e) for e in errors) or "no source by that name"
            raise ValueError(f"no usable source in {sources_file}: {problems}")
        return found[0]
    if home:
        base = source_from_url(home)
        return replace(base, name=source) if source else base
    if not source:
        raise ValueError("name a source: -a source=NAME, -a home=URL or -a sources_file=PATH")
    if source.startswith(("http://", "https://")):
        return source_from_url(source)
    registry = load_sources()
    if source in registry:
        return registry[source]
    # Say why: the load errors of its definition (what to fix), else files that could not be read.
    skipped = "; ".join(str(e) for e in registry.errors if e.source == source)
    if skipped:
        raise ValueError(f"unknown source {source!r}: its definition was skipped: {skipped}")
    unread = "; ".join(str(e) for e in registry.errors if e.source is None)
    if unread:
        raise ValueError(f"unknown source {source!r} (definitions that could not be read: {unread})")
    raise ValueError(f"unknown source {source!r}; known: {', '.join(sorted(registry.sources))}")


def _check_analysis(analyse: str | None) -> None:
    """Stop a crawl at once whose NEWSMON_ANALYSE_EXTRACTED names nothing loadable: in the extraction
    process every article would fail it and go on unanalysed, with no word of why."""
    if not analyse:
        return
    try:
        load_analysis(analyse)
    except (ImportError, AttributeError, NameError, ValueError) as exc:
        raise ValueError(f"NEWSMON_ANALYSE_EXTRACTED: cannot load {analyse!r} ({exc})") from exc


def _release_extraction() -> None:
    """Extraction runs in worker processes from now on: the language model and dictionaries the first
    pages loaded (extracting and analysing them) go. Where no page was extracted here, there is nothing
    to let go, and nothing is imported to find that out."""
    if EXTRACTION_MODULE not in sys.modules:
        return
    from crawlers import pages

    pages.release_models()
    try:
        from newsmon.text import release_models
    except ImportError:
        return
    release_models()


# `published` fills a page without a date; `modified` (a sitemap's lastmod, a feed item's own updated date) has
# a stored article fetched again when it is newer than the last fetch (pipelines.seen).
DATE_HINTS = ("published", "modified")


def hints_to_meta(hints: dict[str, Any]) -> dict[str, Any]:
    """Hints as JSON values (dates as ISO text), to travel with the request through a shared queue."""
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in hints.items()
        if value is not None
    }


def hints_from_meta(meta: dict[str, Any] | None) -> dict[str, Any]:
    """The hints `hints_to_meta` wrote, dates read back as datetimes (an unreadable date is left out)."""
    hints = dict(meta or {})
    for key in DATE_HINTS:
        value = hints.get(key)
        if isinstance(value, str):
            try:
                hints[key] = datetime.fromisoformat(value)
            except ValueError:
                del hints[key]
    return hints


def rendered_meta() -> dict[str, Any]:
    """Fetch through the browser and wait until the page's scripts stop loading data (lists built by
    JavaScript arrive after the load event)."""
    from scrapy_playwright.page import PageMethod

    return {"playwright": True, "playwright_page_methods": [PageMethod("wait_for_load_state", "networkidle")]}


class NewsSpider(scrapy.Spider):
    """Base of the discovery spiders. Arguments: source | home | sources_file, since, limit."""

    source: Source
    # Stop after this many article requests (None: no limit).
    limit: int | None = None
    cutoff: datetime | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requested: set[str] = set()
        # Every discovery path that listed each article, by URL key (see crawlers.middlewares.coverage).
        self.listed_by: dict[str, set[str]] = {}
        # Hints per article URL key, merged across the ways it was found (a feed may come after a listing).
        self.hints: dict[str, dict[str, Any]] = {}
        # URL keys that turned out to be no article in the window (a PDF, a 404, a section page, an old page):
        # no path "missed" them (crawlers.middlewares.coverage).
        self.not_articles: set[str] = set()
        self._extractor: Offloader | None = None
        self._downloading = 0  # article requests that reached the downloader (stored ones do not)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        source = resolve_source(kwargs.get("source"), kwargs.get("home"), kwargs.get("sources_file"))
        spider.source = source
        spider.rule = ArticleLinkRule.for_source(source)
        since = kwargs.get("since")
        if since is None:
            since = (
                source.since_days
                if source.since_days is not None
                else crawler.settings.get("NEWSMON_SINCE_DAYS")
            )
        window = parse_since(since)
        spider.cutoff = datetime.now(UTC) - window if window else None
        limit = kwargs.get("limit") or source.limit
        spider.limit = int(limit) if limit else None
        if source.render:
            crawler.settings.set("NEWSMON_RENDER", True, priority="spider")
        _check_analysis(crawler.settings.get("NEWSMON_ANALYSE_EXTRACTED"))
        crawler.signals.connect(spider.on_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.on_downloading, signal=signals.request_reached_downloader)
        if spider.cutoff is None and spider.limit is None:
            crawler.signals.connect(spider.start_extraction, signal=signals.spider_opened)
        return spider

    # --- requests ------------------------------------------------------------------------------
    def article_request(self, url: str, discovered_by: str, hints: dict[str, Any] | None = None,
                        priority: int = 0) -> Request | None:  # fmt: skip
        """A request for an article page, or None if it was already requested or the limit is reached."""
        key = url_key(url)
        self.listed_by.setdefault(key, set()).add(discovered_by)
        if hints:
            known = self.hints.setdefault(key, {})
            known.update({k: v for k, v in hints.items() if v is not None and known.get(k) is None})
        if key in self.requested:
            self.crawler.stats.inc_value("newsmon/discovery/duplicate")
            return None
        if self.limit is not None and len(self.requested) >= self.limit:
            self.crawler.stats.inc_value("newsmon/discovery/over_limit")
            return None
        self.requested.add(key)
        self.crawler.stats.inc_value(f"newsmon/discovery/{discovered_by}")
        meta = {
            "newsmon_article": True,
            "newsmon_source": self.source.name,
            "newsmon_discovered_by": discovered_by,
            "newsmon_key": key,
        }
        if self.hints.get(key):
            meta["newsmon_hints"] = hints_to_meta(self.hints[key])
        if self.source.render:
            meta.update(rendered_meta())
        return Request(url, self.parse_article, errback=self.on_error, meta=meta, priority=priority)

    def page_request(self, url: str, callback: Callable[..., Any], *, role: str, priority: int = 0,
                     conditional: bool = True, render: bool = False, **meta: Any) -> Request:  # fmt: skip
        """A request for a feed, sitemap, robots.txt or listing page (not an article)."""
        meta = {"newsmon_role": role, "newsmon_source": self.source.name, **meta}
        if render:
            meta.update(rendered_meta())
        elif conditional:
            meta["newsmon_conditional"] = True
            meta["handle_httpstatus_list"] = [304]
        return Request(url, callback, errback=self.on_error, meta=meta, priority=priority)

    async def stored_urls(self, urls: list[str]) -> set[str]:
        """Which of `urls` are already stored, as the listeners of STORED_URLS_SIGNAL answer; an empty
        set when nothing listens (a crawl without storage) or a listener fails (it is logged)."""
        if not urls:
            return set()
        answers = await self.crawler.signals.send_catch_log_async(signal=STORED_URLS_SIGNAL, urls=list(urls))
        stored: set[str] = set()
        for _receiver, answer in answers:
            if isinstance(answer, set | frozenset | list | tuple):
                stored.update(answer)
        return stored

    def is_too_old(self, published: datetime | None) -> bool:
        return bool(self.cutoff and published and published < self.cutoff)

    # --- responses -----------------------------------------------------------------------------
    def not_modified(self, response: Response) -> bool:
        return response.status == 304

    async def parse_article(self, response: Response) -> list[Article]:
        """The page's article, or none. A coroutine returning a list rather than an async generator: Scrapy
        passes a list through the spider middlewares' plain methods, where an async generator made one more
        async generator per middleware (seven) for every page, each registered with the event loop, a
        tenth of the crawl process's main thread."""
        stats = self.crawler.stats
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or (
            content_type and not content_type.startswith(PAGE_TYPES)
        ):
            stats.inc_value("newsmon/fetch/not_html")
            logger.info("Skipped %s: not a web page (%s)", response.url, content_type or "no content type")
            self._no_article(response.meta)
            return []
        charset = "utf-8" if response.meta.get("playwright") else _header_charset(response)
        origin = {
            "source": self.source.name,
            "discovered_by": response.meta.get("newsmon_discovered_by"),
            "fetched_at": datetime.now(UTC),
        }
        analyse = self.crawler.settings.get("NEWSMON_ANALYSE_EXTRACTED") or None
        hints = self._hints_for(response)
        try:
            article, kind = await self._extraction().run(
                read_page, response.body, response.url, self.source, charset, hints, origin, analyse
            )
        except Exception:
            stats.inc_value("newsmon/extract/failed")
            logger.exception("Extraction failed for %s", response.url)
            self._no_article(response.meta)
            return []
        if kind != "article":
            stats.inc_value(f"newsmon/extract/not_article/{kind}")
            logger.info("Not an article (%s): %s", kind, response.url)
            self._no_article(response.meta)
            return []
        if len(article.text.strip()) < MIN_TEXT_CHARS:
            stats.inc_value("newsmon/extract/empty_text")
            logger.info("No article text on %s (%d characters)", response.url, len(article.text.strip()))
            self._no_article(response.meta)
            return []
        # A feed read while the page was being extracted may name its title or date: an article completed
        # here is a plain one again, which the pipelines analyse anew.
        article = apply_hints(article, self.hints.pop(response.meta.get("newsmon_key", ""), {}))
        if self.is_too_old(article.published):
            # Feeds and sitemaps are filtered by their dates before fetching; a page a listing led to is
            # known to be old only now. An article with no date is kept (and flagged no_date).
            stats.inc_value("newsmon/extract/too_old")
            logger.info("Older than the since-window (published %s): %s", article.published, response.url)
            self._no_article(response.meta)
            return []
        for warning in article.warnings:
            stats.inc_value(f"newsmon/extract/{warning}")
        stats.inc_value("newsmon/extract/article")
        return [article]

    def _hints_for(self, response: Response) -> dict[str, Any]:
        """The hints the request carried, completed by any this process learnt after sending it (a feed
        read after the listing page that led to the article)."""
        hints = hints_from_meta(response.meta.get("newsmon_hints"))
        later = self.hints.pop(response.meta.get("newsmon_key", ""), {})
        hints.update(
            {key: value for key, value in later.items() if value is not None and hints.get(key) is None}
        )
        return hints

    def on_error(self, failure: Failure) -> None:
        """Count and log a failed request; the crawl goes on."""
        request: Request = failure.request  # type: ignore[attr-defined]
        if request.meta.get("newsmon_skipped"):
            return  # an article already stored, skipped before download and counted as newsmon/seen/skipped
        kind = failure_kind(failure)
        if request.meta.get("newsmon_probe"):
            self.crawler.stats.inc_value("newsmon/discovery/probe_miss")
            logger.debug("Nothing at %s (%s)", request.url, kind)
            return
        self.crawler.stats.inc_value(f"newsmon/fetch/{kind}")
        if request.meta.get("newsmon_article"):
            self._no_article(request.meta)
        role = "article" if request.meta.get("newsmon_article") else request.meta.get("newsmon_role", "page")
        if role == "home":  # also by itself: a home page that fails is a source to look at
            self.crawler.stats.inc_value(f"newsmon/home/{kind}")
        logger.warning("Cannot fetch %s %s: %s", role, request.url, kind)

    def _no_article(self, meta: dict[str, Any]) -> None:
        if key := meta.get("newsmon_key"):
            self.not_articles.add(key)

    def on_dropped(self, request: Request) -> None:
        """A redirect back to a URL already fetched is dropped by the dupefilter: name loops."""
        chain = request.meta.get("redirect_urls") or []
        if not chain:
            return
        kind = "redirect_loop" if request.url in chain else "redirect_duplicate"
        self.crawler.stats.inc_value(f"newsmon/fetch/{kind}")
        logger.warning("Dropped %s: %s after %s", request.url, kind, " -> ".join(chain))

    def start_extraction(self) -> None:
        """A crawl without a since-window or a limit reads everything its portal lists (a backfill): its
        extraction processes start with the spider, to be ready when the first pages arrive, instead of
        once 20 pages are on their way (0.4-0.8 s sooner on the 5,000-page bench crawl). A routine
        crawl, bounded by its window, starts them only when it turns out big."""
        self._extraction().start_now()

    def on_downloading(self, request: Request) -> None:
        """Once more article pages are on their way than a small crawl extracts in a thread, the extraction
        processes start, while the pages download (requests for stored URLs never get this far)."""
        if not request.meta.get("newsmon_article"):
            return
        self._downloading += 1
        extraction = self._extraction()
        if self._downloading > extraction.start_after:
            extraction.start_now()

    def _extraction(self) -> Offloader:
        """Extraction (with the analysis of NEWSMON_ANALYSE_EXTRACTED) is CPU-bound: off the reactor so
        downloads keep flowing, in one thread for a small crawl and in `NEWSMON_EXTRACT_PROCESSES` processes
        of its own once the crawl is big."""
        if self._extractor is None:
            processes = self.crawler.settings.getint("NEWSMON_EXTRACT_PROCESSES", 1)
            analyse = self.crawler.settings.get("NEWSMON_ANALYSE_EXTRACTED")
            preload = [
                EXTRACTION_MODULE,
                "crawlers.extraction",
                *([analyse.rsplit(".", 1)[0]] if analyse else []),
            ]
            self._extractor = Offloader(
                "extraction", processes, preload=preload, threads=1, release=_release_extraction
            )
        return self._extractor

    def closed(self, reason: str) -> None:
        if self._extractor is not None:
            self._extractor.close()
        logger.info("Crawl of %s finished (%s): %d article requests", self.source.name, reason,
                    len(self.requested))  # fmt: skip


def _header_charset(response: TextResponse) -> str | None:
    content_type = response.headers.get("Content-Type", b"").decode("latin-1")
    match = re.search(r"charset=([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1).strip("'\"").lower() if match else None
