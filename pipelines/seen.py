"""Skip article URLs that are already stored, before they are downloaded.

Spiders mark article requests with `meta["newsmon_article"] = True`; listing, feed and sitemap requests pass.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.exceptions import IgnoreRequest, NotConfigured

from pipelines.canonical import canonical_url

log = logging.getLogger(__name__)


class SeenUrlMiddleware:
    """Downloader middleware: an article URL already in storage is ignored (`newsmon/seen/skipped`)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.repo: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SeenUrlMiddleware:
        if not crawler.settings.getbool("NEWSMON_SKIP_STORED", True):
            raise NotConfigured("NEWSMON_SKIP_STORED is off")
        return cls(crawler)

    def _repository(self) -> Any:
        if self.repo is None:
            from pipelines.resources import shared_resources

            self.repo = shared_resources(self.crawler.settings).repo
        return self.repo

    async def process_request(self, request: Any) -> None:
        if not request.meta.get("newsmon_article") or request.meta.get("newsmon_refetch"):
            return None
        key = canonical_url(request.url)
        if await asyncio.to_thread(self._repository().known_urls, [key]):
            self.crawler.stats.inc_value("newsmon/seen/skipped")
            raise IgnoreRequest(f"already stored: {request.url}")
        return None
