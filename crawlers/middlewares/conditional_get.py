"""Conditional GET for feeds, sitemaps and listing pages.

Validators (ETag, Last-Modified) are remembered per source and URL in a small SQLite file under the data
directory, so the next crawl of a feed or listing page that has not changed costs one 304 and nothing else.
A crawl sends only its own source's validators, and only those saved by a crawl whose since-window reached
at least as far back as its own (`newsmon.validators.covers`): a 304 must never hide items that the crawl
which saved the validators left out as too old. With `NEWSMON_CONDITIONAL_ASK=0` (crawls asked for by hand)
it sends none and reads every page in full, but still saves what it read for the crawls after it.

The stats say which discovery pages the crawl read with validators, how many it read without, and how many
articles failed (`newsmon/conditional/pages`, `.../unvalidated`, `.../failed_items`): when every one of those
pages answers 304 later, the crawl task knows nothing was published and skips the next crawl (`tasks.poll`).
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.statscollectors import StatsCollector

from newsmon.validators import Validators, ValidatorStore, covers

logger = logging.getLogger(__name__)

CONDITIONAL_META = "newsmon_conditional"
HOME_LISTING_META = "newsmon_listing"  # the home page read as a listing page (see crawlers.spiders.source)


def header_text(headers: Headers, name: str) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None


class ConditionalGetMiddleware:
    """Sends If-None-Match / If-Modified-Since for requests marked `newsmon_conditional`.

    Validators are written only when the crawl finishes normally and every article it yielded went through
    the pipelines: an interrupted crawl, or one whose store failed for an article (a database or Redis
    outage), re-reads its feeds next time instead of believing they were processed. The articles not stored
    are then fetched again, since only stored URLs are skipped.
    """

    def __init__(self, store: ValidatorStore, stats: StatsCollector, *, ask: bool = True) -> None:
        self.store = store
        self.stats = stats
        self.ask = ask  # send the remembered validators (off: read every discovery page in full)
        self.source: str | None = None  # whose validators these are; None: the spider names no source
        self.window_start: datetime | None = None  # the crawl's since-window (None: no bound)
        self.known: dict[str, Validators] = {}
        self.fresh: dict[str, Validators] = {}
        self.pages: set[str] = (
            set()
        )  # discovery pages read (200 or 304) that can be asked again with validators
        self.failed_items = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("NEWSMON_STATE_FILE")
        if not crawler.settings.getbool("NEWSMON_CONDITIONAL_GET", True) or not path:
            raise NotConfigured
        assert crawler.stats is not None
        ask = crawler.settings.getbool("NEWSMON_CONDITIONAL_ASK", True)
        middleware = cls(ValidatorStore(Path(path)), crawler.stats, ask=ask)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.item_error, signal=signals.item_error)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.source = getattr(getattr(spider, "source", None), "name", None)
        self.window_start = getattr(spider, "cutoff", None)
        if self.source is None:
            logger.warning("The spider names no source: HTTP validators are neither sent nor saved")
            return
        if not self.ask:
            logger.info("A full crawl: feeds, sitemaps and listing pages are read without validators")
            return
        try:
            remembered = self.store.records(self.source)
        except sqlite3.Error as exc:
            logger.warning("Cannot read HTTP validators from %s: %s", self.store.path, exc)
            return
        self.known = {
            url: r.validators for url, r in remembered.items() if covers(r.window_start, self.window_start)
        }
        if narrower := len(remembered) - len(self.known):
            # Saved by a crawl whose since-window started later: it may have left out items this one takes.
            self.stats.set_value("newsmon/conditional/narrower_window", narrower)
            logger.info(
                "%d pages are read in full: their validators came with a shorter since-window", narrower
            )

    def item_error(self) -> None:
        self.failed_items += 1
        self.stats.inc_value("newsmon/conditional/failed_items")

    def spider_closed(self, reason: str) -> None:
        if reason != "finished" or not self.fresh or self.source is None:
            return
        if self.failed_items:
            logger.warning(
                "%d articles failed in the pipelines; feeds and sitemaps will be read in full next time",
                self.failed_items,
            )
            return
        try:
            self.store.save(self.source, self.fresh, self.window_start)
        except sqlite3.Error as exc:
            logger.warning("Cannot save HTTP validators to %s: %s", self.store.path, exc)

    def process_request(self, request: Request) -> None:
        if not request.meta.get(CONDITIONAL_META) or request.url not in self.known:
            return
        etag, modified = self.known[request.url]
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if modified:
            request.headers.setdefault("If-Modified-Since", modified)
        self.stats.inc_value("newsmon/conditional/sent")

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.meta.get(CONDITIONAL_META):
            if request.meta.get(HOME_LISTING_META) and response.status == 200:
                self._remember(request.url, response)  # read every time, but a cheap poll asks it too
            return response
        if response.status == 304:
            self.stats.inc_value("newsmon/conditional/not_modified")
            logger.info("Not modified since the last crawl: %s", request.url)
            self._read(request.url)
        elif response.status == 200:
            self._remember(request.url, response)
        return response

    def _remember(self, url: str, response: Response) -> None:
        etag, modified = header_text(response.headers, "ETag"), header_text(response.headers, "Last-Modified")
        if etag or modified:
            self.fresh[url] = (etag, modified)
            self._read(url)
        else:
            self.stats.inc_value("newsmon/conditional/unvalidated")

    def _read(self, url: str) -> None:
        self.pages.add(url)
        self.stats.set_value("newsmon/conditional/pages", sorted(self.pages))
