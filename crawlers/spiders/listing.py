"""Discovery by listing pages: links that match the source's article patterns (or look like articles).

Pagination follows the source's template or the page's own next link, until max_pages or until a page
offers no article not already requested in this crawl. Sources marked `render` get their listing and
article pages through a browser (scrapy-playwright); their articles are marked "rendered".
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

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

    def parse_listing(self: NewsSpider, response: Response) -> Iterator[Request]:
        yield from self.listing_articles(response)

    def listing_articles(self: NewsSpider, response: Response) -> Iterator[Request]:
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
        new = [
            request
            for url in links
            if (request := self.article_request(url, kind, priority=LISTING_PRIORITY)) is not None
        ]
        yield from new
        page = response.meta.get("newsmon_page", 1)
        if not new:
            stats.inc_value("newsmon/listing/nothing_new")
            logger.info("No new article links on %s (%d links); not paginating further", response.url,
                        len(links))  # fmt: skip
            return
        if page >= self.source.max_pages:
            return
        first = response.meta.get("newsmon_listing") or response.url
        if self.source.pagination:
            next_url = self.source.pagination.format(url=first, n=page + 1)
        else:
            next_url = next_page_link(response.selector, response.url)
        if next_url:
            yield self.listing_request(next_url, page=page + 1, first=first)


class ListingSpider(ListingDiscovery, NewsSpider):
    """Articles linked from a source's listing pages (its home page when it names none)."""

    name = "listing"

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.listings or (self.source.home,):
            yield self.listing_request(url)
