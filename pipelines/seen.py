"""Skip article URLs that are already stored, before they are downloaded.

Spiders mark article requests with `meta["newsmon_article"] = True`; listing, feed and sitemap requests pass.
A stored URL whose feed item or sitemap entry says it was modified after it was last fetched (the `modified`
hint) is fetched again (`newsmon/seen/modified`): a new text is stored as a version and matched again.
Portals seldom date their corrections, so an article found without such a date is also fetched again while
it is young (`newsmon/seen/recheck`, see `Recheck`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.exceptions import IgnoreRequest, NotConfigured

from newsmon.storage.records import FetchTimes
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

    def __init__(self, crawler: Any, recheck: Recheck) -> None:
        self.crawler = crawler
        self.recheck = recheck
        self.repo: Any = None
        self._checks: Coalescer[str, FetchTimes | None] = Coalescer(self._fetched, self.BATCH_SIZE)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SeenUrlMiddleware:
        if not crawler.settings.getbool("NEWSMON_SKIP_STORED", True):
            raise NotConfigured("NEWSMON_SKIP_STORED is off")
        recheck = Recheck(
            timedelta(hours=crawler.settings.getfloat("NEWSMON_RECHECK_HOURS", 24.0)),
            timedelta(minutes=crawler.settings.getfloat("NEWSMON_RECHECK_FIRST_MINUTES", 30.0)),
        )
        middleware = cls(crawler, recheck)
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

    def _fetched(self, keys: list[str]) -> list[FetchTimes | None]:
        fetched = self._repository().fetch_times(keys)
        return [fetched.get(key) for key in keys]

    async def process_request(self, request: Any) -> None:
        if not request.meta.get("newsmon_article") or request.meta.get("newsmon_refetch"):
            return None
        times = await self._checks.submit(canonical_url(request.url))
        if times is None:
            return None
        now = datetime.now(UTC)
        modified = modified_hint(request.meta, self._later_hints(request))
        if modified is not None and modified > now + FUTURE_SLACK:
            # A date ahead of the clock (a portal's wrong zone or a typo) would have it fetched at every crawl.
            self.crawler.stats.inc_value("newsmon/seen/future_modified")
            modified = None
        if modified is not None and modified > times.fetched:
            self.crawler.stats.inc_value("newsmon/seen/modified")
            log.info("Fetching %s again: modified %s, last fetched %s", request.url, modified, times.fetched)
            return None
        if modified is None and self.recheck.due(times, now):
            self.crawler.stats.inc_value("newsmon/seen/recheck")
            log.info("Fetching %s again for updates: last fetched %s", request.url, times.fetched)
            return None
        self.crawler.stats.inc_value("newsmon/seen/skipped")
        request.meta["newsmon_skipped"] = True  # for the spider's errback: a skip, not a failed fetch
        raise IgnoreRequest(f"already stored: {request.url}")

    def _later_hints(self, request: Any) -> dict[str, Any]:
        """Hints the spider learnt after it sent the request: a sitemap read after the home page linked the
        same article (crawlers.spiders.base keeps them by URL key)."""
        hints = getattr(self.crawler.spider, "hints", None)
        return hints.get(request.meta.get("newsmon_key"), {}) if isinstance(hints, dict) else {}


@dataclass(frozen=True, slots=True)
class Recheck:
    """How long a stored article is fetched again for updates no feed or sitemap dates (`within` of its
    publication, else of its first store; 0: never), and how soon after its last fetch (`first`)."""

    within: timedelta
    first: timedelta

    def due(self, times: FetchTimes, now: datetime) -> bool:
        """Young and not fetched lately. The wait doubles with the article's age at its last fetch (30 min, 1 h,
        2 h... with the defaults), so corrections, which mostly come soon, are caught soon, and a day's
        article costs its portal about six more requests."""
        born = min(times.published or times.stored, times.stored)
        if self.within <= timedelta(0) or now - born >= self.within:
            return False
        return now - times.fetched >= max(self.first, times.fetched - born)


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
