"""Skip article URLs that are already stored, before they are downloaded.

Spiders mark article requests with `meta["newsmon_article"] = True`; listing, feed and sitemap requests pass.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.exceptions import IgnoreRequest, NotConfigured

from pipelines.canonical import canonical_url
from pipelines.coalesce import Coalescer

log = logging.getLogger(__name__)
# The signal crawlers.spiders.base sends as STORED_URLS_SIGNAL (a string: neither package imports the other).
STORED_URLS_SIGNAL = "newsmon_stored_urls"


class SeenUrlMiddleware:
    """Downloader middleware: an article URL already in storage is ignored (`newsmon/seen/skipped`)."""

    # Requests that reach the downloader while a check runs are checked together: one query per up to 64 URLs.
    BATCH_SIZE = 64

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.repo: Any = None
        self._checks: Coalescer[str, bool] = Coalescer(self._stored, self.BATCH_SIZE)

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

    def _stored(self, keys: list[str]) -> list[bool]:
        known = self._repository().known_urls(keys)
        return [key in known for key in keys]

    async def process_request(self, request: Any) -> None:
        if not request.meta.get("newsmon_article") or request.meta.get("newsmon_refetch"):
            return None
        if await self._checks.submit(canonical_url(request.url)):
            self.crawler.stats.inc_value("newsmon/seen/skipped")
            request.meta["newsmon_skipped"] = True  # for the spider's errback: a skip, not a failed fetch
            raise IgnoreRequest(f"already stored: {request.url}")
        return None
