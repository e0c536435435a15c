"""Writes the crawl's stats as JSON when it ends, for whoever started `scrapy crawl` as a subprocess.

`scrapy crawl source -a source=NAME -s NEWSMON_STATS_FILE=/tmp/run.json`: the file holds
{"spider", "source", "finish_reason", "stats": {...}} with datetimes as ISO 8601 strings.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


class StatsFileExtension:
    """Dump stats to NEWSMON_STATS_FILE after the spider closes (the core stats are final by then)."""

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("NEWSMON_STATS_FILE")
        if not path:
            raise NotConfigured
        extension = cls(crawler, Path(path))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        assert self.crawler.stats is not None
        stats = {key: _json_value(value) for key, value in self.crawler.stats.get_stats().items()}
        source = getattr(getattr(spider, "source", None), "name", None)
        record = {"spider": spider.name, "source": source, "finish_reason": reason, "stats": stats}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        except OSError as exc:
            logger.error("Cannot write crawl stats to %s: %s", self.path, exc)
