"""Skip article URLs that are already stored, before they are downloaded.

Spiders mark article requests with `meta["newsmon_article"] = True`; listing, feed and sitemap requests pass.
A stored URL whose feed item or sitemap entry says it was modified after it was last fetched (the `modified`
hint) is fetched again (`newsmon/seen/modified`): a new text is stored as a version and matched again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.exceptions import IgnoreRequest, NotConfigured

from pipelines.canonical import canonical_url
from pipelines.coalesce import Coalescer

log = logging.getLogger(__name__)
# The signal crawlers.spiders.base sends as STORED_URLS_SIGNAL (a string: neither package imports the other).
STORED_URLS_SIGNAL = "newsmon_stored_urls"
FUTURE_SLACK = timedelta(hours=1)  # a modified date further ahead of the clock than this is not believed


class SeenUrlMiddleware:
    """Downloader middleware: an article URL already in storage is ignored (`newsmon/seen/skipped`)."""

    # Requests that reach the downloader while a check runs are checked together: one query per up to 64 URLs.
    BATCH_SIZE = 64

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.repo: Any = None
        self._checks: Coalescer[str, datetime | None] = Coalescer(self._fetched, self.BATCH_SIZE)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SeenUrlMiddleware:
        if not crawler.settings.getbool("NEWSMON_SKIP_STORED", True):
            raise NotConfigured("NEWSMON_SKIP_STORED is off")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.stored_urls, signal=STORED_URLS_SIGNAL)
        return middleware

    async def stored_urls(self, urls: list[str]) -> set[str]:
        """Answer a listing spider: which of these article URLs are stored (it stops paginating when all are)."""
        keys = {canonical_url(url): url for url in urls}
        known = await asyncio.to_thread(self._repository().known_urls, list(keys))
        return {keys[key] for key in known}

    def _repository(self) -> Any:
        if self.repo is None:
            from pipelines.resources import shared_resources

            self.repo = shared_resources(self.crawler.settings).repo
        return self.repo

    def _fetched(self, keys: list[str]) -> list[datetime | None]:
        fetched = self._repository().fetch_times(keys)
        return [fetched.get(key) for key in keys]

    async def process_request(self, request: Any) -> None:
        if not request.meta.get("newsmon_article") or request.meta.get("newsmon_refetch"):
            return None
        fetched = await self._checks.submit(canonical_url(request.url))
        if fetched is None:
            return None
        modified = modified_hint(request.meta, self._later_hints(request))
        if modified is not None and modified > datetime.now(UTC) + FUTURE_SLACK:
            # A date ahead of the clock (a portal's wrong zone or a typo) would have it fetched at every crawl.
            self.crawler.stats.inc_value("newsmon/seen/future_modified")
            modified = None
        if modified is not None and modified > fetched:
            self.crawler.stats.inc_value("newsmon/seen/modified")
            log.info("Fetching %s again: modified %s, last fetched %s", request.url, modified, fetched)
            return None
        self.crawler.stats.inc_value("newsmon/seen/skipped")
        request.meta["newsmon_skipped"] = True  # for the spider's errback: a skip, not a failed fetch
        raise IgnoreRequest(f"already stored: {request.url}")

    def _later_hints(self, request: Any) -> dict[str, Any]:
        """Hints the spider learnt after it sent the request: a sitemap read after the home page linked the
        same article (crawlers.spiders.base keeps them by URL key)."""
        hints = getattr(self.crawler.spider, "hints", None)
        return hints.get(request.meta.get("newsmon_key"), {}) if isinstance(hints, dict) else {}


def modified_hint(meta: dict[str, Any], later: dict[str, Any] | None = None) -> datetime | None:
    """The `modified` hint a feed or sitemap spider gave the request (ISO text or a datetime; naive is UTC)."""
    value = (meta.get("newsmon_hints") or {}).get("modified") or (later or {}).get("modified")
    if isinstance(value, datetime):
        modified = value
    elif isinstance(value, str):
        try:
            modified = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return modified if modified.tzinfo else modified.replace(tzinfo=UTC)
