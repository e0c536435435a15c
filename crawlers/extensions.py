"""Hand a crawl's stats to whoever started it: a JSON file written when the spider closes."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

log = logging.getLogger(__name__)


class StatsFileExtension:
    """Writes the final stats to NEWSMON_STATS_FILE (off when the setting is empty)."""

    def __init__(self, crawler: Any, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Any) -> StatsFileExtension:
        path = crawler.settings.get("NEWSMON_STATS_FILE")
        if not path:
            raise NotConfigured("NEWSMON_STATS_FILE is not set")
        extension = cls(crawler, Path(path))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        serialisable = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in stats.items()}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(serialisable, default=str), encoding="utf-8")
        tmp.replace(self.path)
