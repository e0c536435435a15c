"""Counts how many extracted articles carry each field, so a crawl run can report fill rates.

`newsmon/fill/items` counts the articles that came out of extraction (stored or dropped later), and
`newsmon/fill/<field>` those that had the field: title, text (at least 200 characters), date, author.
A field whose fill rate drops below its own history is how health notices a portal's redesign.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsmon.models import Article

FULL_TEXT_CHARS = 200
FIELDS = ("title", "text", "date", "author")


def filled_fields(article: Article) -> tuple[str, ...]:
    """The fields of FIELDS this article has."""
    present = {
        "title": bool(article.title and article.title.strip()),
        "text": len(article.text or "") >= FULL_TEXT_CHARS,
        "date": article.published is not None,
        "author": bool(article.authors),
    }
    return tuple(name for name in FIELDS if present[name])


class FillRateMiddleware:
    """Bumps `newsmon/fill/*` for every article the spider yields.

    Counted as the articles leave the spider, before the pipelines turn them into what they store or
    drop, so every extracted article counts once, whatever becomes of it later."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSMON_FILL_RATES", True):
            raise NotConfigured
        return cls(crawler)

    def process_spider_output(
        self, response: Any, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        for item in result:
            self.count(item)
            yield item

    async def process_spider_output_async(
        self, response: Any, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        async for item in result:
            self.count(item)
            yield item

    def count(self, item: Any) -> None:
        if not isinstance(item, Article) or self.crawler.stats is None:
            return
        self.crawler.stats.inc_value("newsmon/fill/items")
        for name in filled_fields(item):
            self.crawler.stats.inc_value(f"newsmon/fill/{name}")
