"""Exempts what a crawl process built before its first request from Python's full garbage collections."""

from __future__ import annotations

from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsmon.startup_gc import freeze_startup_objects


class StartupGcExtension:
    """Freezes the process's objects once the spider is open: the pipelines (and the near-duplicate index
    they load) are open by then, and the first request has not left (see `newsmon.startup_gc`)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSMON_FREEZE_STARTUP_OBJECTS", True):
            raise NotConfigured
        extension = cls()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self) -> None:
        freeze_startup_objects()
