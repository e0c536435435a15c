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

from scrapy.http import Request, Response

from crawlers.spiders.base import NewsSpider
from crawlers.spiders.feed import FeedDiscovery
from crawlers.spiders.listing import LISTING_PRIORITY, ListingDiscovery
from crawlers.spiders.sitemap import SitemapDiscovery

logger = logging.getLogger(__name__)


class SourceSpider(FeedDiscovery, SitemapDiscovery, ListingDiscovery, NewsSpider):
    """Feeds, sitemaps and listings of one source, deduplicated within the crawl."""

    name = "source"

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
        if not self.source.feeds:
            for request in self.feeds_from_home(response):
                yield request
        if not self.source.listings:
            async for request in self.listing_articles(response):
                yield request
