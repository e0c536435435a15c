"""A Scrapy extension for the crawl benchmark: where a crawl's pages wait, sampled twice a second.

`bench_crawl_5000.py --queues` adds it to the full crawl. Each sample is one JSON line in the file named by
the BENCH_QUEUES_FILE setting: requests the downloader has in flight, responses the scraper holds (waiting
for extraction or still in the item pipelines), items in the item pipelines, and items scraped so far. A
stage whose queue stays full while the one after it is empty is what sets the crawl's pace.
"""

from __future__ import annotations

import json
import time
from typing import IO, Any

from scrapy import signals
from twisted.internet import task


class QueueSampler:
    def __init__(self, crawler: Any, path: str) -> None:
        self.crawler = crawler
        self.path = path
        self.out: IO[str] | None = None
        self.loop = task.LoopingCall(self.sample)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> QueueSampler:
        return cls(crawler, crawler.settings.get("BENCH_QUEUES_FILE"))

    def opened(self, spider: Any) -> None:
        self.out = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 (closed with the spider)
        self.loop.start(0.5)

    def closed(self, spider: Any) -> None:
        if self.loop.running:
            self.loop.stop()
        if self.out is not None:
            self.out.close()

    def sample(self) -> None:
        engine = self.crawler.engine
        slot = engine.scraper.slot
        if slot is None or self.out is None:
            return
        sample = {
            "t": time.monotonic(),
            "downloading": len(engine.downloader.active),
            "in_scraper": len(slot.active),
            "in_pipelines": slot.itemproc_size,
            "scraped": self.crawler.stats.get_value("item_scraped_count", 0),
        }
        self.out.write(json.dumps(sample) + "\n")
