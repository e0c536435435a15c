"""Conditional GET for feeds, sitemaps and listing pages.

Validators (ETag, Last-Modified) are remembered per URL in a small SQLite file under the data directory,
so the next crawl of a feed or listing page that has not changed costs one 304 and nothing else.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

CONDITIONAL_META = "newsmon_conditional"


class ValidatorStore:
    """ETag and Last-Modified per URL, in SQLite (safe when several crawls of different sources run)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS http_validators (url TEXT PRIMARY KEY, etag TEXT,"
            " last_modified TEXT, seen_at TEXT NOT NULL)"
        )
        return conn

    def load(self) -> dict[str, tuple[str | None, str | None]]:
        with self._connect() as conn:
            rows = conn.execute("SELECT url, etag, last_modified FROM http_validators").fetchall()
        conn.close()
        return {url: (etag, modified) for url, etag, modified in rows}

    def save(self, validators: dict[str, tuple[str | None, str | None]]) -> None:
        now = datetime.now(UTC).isoformat()
        with self._connect() as conn:
            conn.executemany(
                "INSERT INTO http_validators (url, etag, last_modified, seen_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET etag=excluded.etag,"
                " last_modified=excluded.last_modified, seen_at=excluded.seen_at",
                [(url, etag, modified, now) for url, (etag, modified) in validators.items()],
            )
        conn.close()


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

    def __init__(self, store: ValidatorStore, stats: StatsCollector) -> None:
        self.store = store
        self.stats = stats
        self.known: dict[str, tuple[str | None, str | None]] = {}
        self.fresh: dict[str, tuple[str | None, str | None]] = {}
        self.failed_items = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("NEWSMON_STATE_FILE")
        if not crawler.settings.getbool("NEWSMON_CONDITIONAL_GET", True) or not path:
            raise NotConfigured
        assert crawler.stats is not None
        middleware = cls(ValidatorStore(Path(path)), crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.item_error, signal=signals.item_error)
        return middleware

    def spider_opened(self) -> None:
        try:
            self.known = self.store.load()
        except sqlite3.Error as exc:
            logger.warning("Cannot read HTTP validators from %s: %s", self.store.path, exc)

    def item_error(self) -> None:
        self.failed_items += 1

    def spider_closed(self, reason: str) -> None:
        if reason != "finished" or not self.fresh:
            return
        if self.failed_items:
            logger.warning(
                "%d articles failed in the pipelines; feeds and sitemaps will be read in full next time",
                self.failed_items,
            )
            return
        try:
            self.store.save(self.fresh)
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
            return response
        if response.status == 304:
            self.stats.inc_value("newsmon/conditional/not_modified")
            logger.info("Not modified since the last crawl: %s", request.url)
        elif response.status == 200:
            etag, modified = (
                header_text(response.headers, "ETag"),
                header_text(response.headers, "Last-Modified"),
            )
            if etag or modified:
                self.fresh[request.url] = (etag, modified)
        return response
