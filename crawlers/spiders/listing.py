"""Discovery by listing pages: links that match the source's article patterns (or look like articles).

Pagination follows the source's template or the page's own next link, until max_pages or until a page
offers no article that is neither stored already nor requested in this crawl. Sources marked `render` get their listing and
article pages through a browser (scrapy-playwright); their articles are marked "rendered".
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from scrapy.http import Request, Response, TextResponse

from crawlers.spiders.base import NewsSpider
from crawlers.spiders.links import next_page_link

logger = logging.getLogger(__name__)

LISTING_PRIORITY = 10


class ListingDiscovery:
    """Requests and callbacks for listing pages; mixed into spiders derived from NewsSpider."""

    def listing_request(self: NewsSpider, url: str, *, page: int = 1, first: str | None = None,
                        conditional: bool = True) -> Request:  # fmt: skip
        return self.page_request(
            url,
            self.parse_listing,
            role="listing",
            priority=LISTING_PRIORITY,
            conditional=conditional,
            render=self.source.render,
            newsmon_page=page,
            newsmon_listing=first or url,
        )

    async def parse_listing(self: NewsSpider, response: Response) -> AsyncIterator[Request]:
        async for request in self.listing_articles(response):
            yield request

    async def listing_articles(self: NewsSpider, response: Response) -> AsyncIterator[Request]:
        """The page's new article links, then the next page if this one offered any.

        Links already stored (asked through STORED_URLS_SIGNAL) or already requested in this crawl
        are not new: a page of nothing but those ends the pagination.
        """
        stats = self.crawler.stats
        if self.not_modified(response):
            return
        if not isinstance(response, TextResponse):
            stats.inc_value("newsmon/listing/not_html")
            logger.warning("Listing %s is not a web page", response.url)
            return
        stats.inc_value("newsmon/listing/pages")
        kind = "rendered" if response.meta.get("playwright") else "listing"
        links = self.rule.links(response.selector, response.url)
        stored = await self.stored_urls(links)
        stats.inc_value("newsmon/listing/stored", len(stored))
        new = [
            request
            for url in links
            if url not in stored
            and (request := self.article_request(url, kind, priority=LISTING_PRIORITY)) is not None
        ]
        for request in new:
            yield request
        page = response.meta.get("newsmon_page", 1)
        if not new:
            stats.inc_value("newsmon/listing/nothing_new")
            logger.info("No new article links on %s (%d links, %d already stored); not paginating further",
                        response.url, len(links), len(stored))  # fmt: skip
            return
        next_request = self.next_listing_request(response, page)
        if next_request is not None:
            yield next_request

    def next_listing_request(self: NewsSpider, response: Response, page: int) -> Request | None:
        if page >= self.source.max_pages:
            return None
        first = response.meta.get("newsmon_listing") or response.url
        if self.source.pagination:
            next_url = self.source.pagination.format(url=first, n=page + 1)
        else:
            next_url = next_page_link(response.selector, response.url)
        return self.listing_request(next_url, page=page + 1, first=first) if next_url else None


class ListingSpider(ListingDiscovery, NewsSpider):
    """Articles linked from a source's listing pages (its home page when it names none)."""

    name = "listing"

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.listings or (self.source.home,):
            yield self.listing_request(url)
