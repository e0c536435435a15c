"""The spider tasks and the demo run: every way of discovering articles for one source.

`scrapy crawl source -a source=NAME` (a registered source), `-a home=URL` (any portal) or
`-a sources_file=PATH` (a definition file); optional `-a since=2d -a limit=100`.
Feeds come first, then sitemaps, then listing pages; what the definition does not name is discovered
at crawl time (feeds on the home page or at the usual paths, sitemaps in robots.txt, else /sitemap.xml).
An article URL found several ways is fetched once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawlers.spiders.base import NewsSpider
from crawlers.spiders.feed import FeedDiscovery
from crawlers.spiders.listing import LISTING_PRIORITY, ListingDiscovery
from crawlers.spiders.sitemap import SitemapDiscovery

logger = logging.getLogger(__name__)
BEFORE_LISTING = "newsmon_before_listing"  # meta of a feed the home page's article links wait for


class SourceSpider(FeedDiscovery, SitemapDiscovery, ListingDiscovery, NewsSpider):
    """Feeds, sitemaps and listings of one source, deduplicated within the crawl."""

    name = "source"
    # Article links of the home page waiting for the feeds it announced (see parse_home).
    feeds_unread = 0
    held_for_feeds: list[Request]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.held_for_feeds = []
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        source = self.source
        if not source.enabled:
            logger.warning("Source %s is disabled in %s; crawling it as asked", source.name, source.origin)
        home = not source.feeds or not source.listings
        # Before any request: the first one to the home's host brings robots.txt.
        robots = not source.sitemaps and not (home and self.sitemaps_from_middleware())
        for url in source.feeds:
            yield self.feed_request(url)
        for url in source.sitemaps:
            yield self.sitemap_request(url)
        if robots:  # robots.txt is not obeyed, or no home page request brings it
            yield self.robots_request()
        for url in source.listings:
            yield self.listing_request(url)
        if home:
            # The home page is read for its feed links (not conditional: they are needed every time)
            # and, when no listing pages are named, as the listing page.
            yield self.page_request(
                source.home,
                self.parse_home,
                role="home",
                priority=LISTING_PRIORITY,
                conditional=False,
                render=source.render,
                newsmon_page=1,
                newsmon_listing=source.home,
            )

    async def parse_home(self, response: Response) -> AsyncIterator[Request]:
        """The feeds the home page announces, then its article links, held until those feeds are read: a
        feed item's title and date complete a page that lacks them only if the feed is read before the page
        is extracted."""
        feeds = list(self.feeds_from_home(response)) if not self.source.feeds else []
        for request in feeds:
            if not request.meta.get("newsmon_probe"):
                request.meta[BEFORE_LISTING] = True
                self.feeds_unread += 1
            yield request
        if not self.source.listings:
            async for request in self.listing_articles(response):
                if self.feeds_unread and request.meta.get("newsmon_article"):
                    self.held_for_feeds.append(request)
                else:
                    yield request

    async def parse_feed(self, response: Response) -> AsyncIterator[Request]:
        try:
            async for request in super().parse_feed(response):
                yield request
        finally:
            self._feed_settled(response.meta)

    def on_error(self, failure: Failure) -> None:
        super().on_error(failure)
        self._feed_settled(failure.request.meta)  # type: ignore[attr-defined]

    def on_dropped(self, request: Request) -> None:
        super().on_dropped(request)
        self._feed_settled(request.meta)

    def on_idle(self) -> None:
        """A safety net: whatever still holds the article links (a feed request that vanished), they go."""
        if self.held_for_feeds:
            self._release()
            raise DontCloseSpider

    def _feed_settled(self, meta: dict[str, Any]) -> None:
        """One feed the home page announced was read, failed or was dropped; the last one releases the
        held article links."""
        if not meta.get(BEFORE_LISTING) or meta.get("newsmon_settled"):
            return
        meta["newsmon_settled"] = True
        self.feeds_unread -= 1
        if self.feeds_unread <= 0:
            self._release()

    def _release(self) -> None:
        held, self.held_for_feeds = self.held_for_feeds, []
        for request in held:
            self.crawler.engine.crawl(request)
