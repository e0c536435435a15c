"""Which discovery path listed which article, and what each path missed that another one listed.

A source with a feed and a sitemap or listing pages lists most articles several ways; a feed that keeps
only the last ten items, or a listing page that lost an editor's section, shows up as articles the other
paths found and it did not. The spider records every path that listed each article URL (already stored
or not, before any limit); at the end of the crawl this extension puts, per path, the articles found, those
only it found and those it missed (with a few of their URLs) into the stats as `newsmon/coverage`.
Paths list different time windows (a feed its last items, a sitemap its last days), so a path's misses are
worth a look when they are among the newest articles, not proof of a fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

SAMPLE_URLS = 5


def coverage_of(
    listed_by: Mapping[str, set[str]], not_articles: AbstractSet[str] = frozenset()
) -> dict[str, dict[str, Any]]:
    """Per path: found, only (no other path listed them), missed (another path listed them) and sample URLs
    of the missed (the keys: canonical URLs); empty when fewer than two paths listed anything. URLs that
    turned out to be no article in the window (`not_articles`: a PDF, a 404, a section page) are left out:
    a path that did not list them missed nothing."""
    listed_by = {key: found for key, found in listed_by.items() if key not in not_articles}
    paths = sorted({path for found in listed_by.values() for path in found})
    if len(paths) < 2:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for path in paths:
        missed = [key for key, found in listed_by.items() if path not in found]
        out[path] = {
            "found": sum(path in found for found in listed_by.values()),
            "only": sum(found == {path} for found in listed_by.values()),
            "missed": len(missed),
            "missed_urls": sorted(missed)[:SAMPLE_URLS],
        }
    return out


class CoverageExtension:
    """Writes `newsmon/coverage` when the spider closes (before the stats file is written)."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider) -> None:
        listed_by = getattr(spider, "listed_by", None)
        if listed_by:
            coverage = coverage_of(listed_by, getattr(spider, "not_articles", frozenset()))
            if coverage:
                self.stats.set_value("newsmon/coverage", coverage)
