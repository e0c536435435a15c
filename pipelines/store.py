"""Store decided articles, one transaction each, then tell matching (after commit) and the index.

A failure on one article is logged with its URL and counted; the crawl goes on and nothing is half-written
(the repository writes article, version and story link in one transaction; the unmatched article is the
outbox row a sweeper finds even when the enqueue after commit is lost).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from newsmon.storage import Repository, StoreResult
from pipelines.dedupe import Decision
from pipelines.near_duplicate import NearDuplicateIndex
from pipelines.outbox import MatchQueue

log = logging.getLogger(__name__)


class Storer:
    """Store one decision; plain code shared by crawls and imports."""

    def __init__(self, repo: Repository, index: NearDuplicateIndex, queue: MatchQueue | None) -> None:
        self.repo = repo
        self.index = index
        self.queue = queue

    def store(self, decision: Decision) -> StoreResult:
        result = self.repo.store_article(decision.item, material=decision.material)
        self.after_commit(decision, result)
        return result

    def after_commit(self, decision: Decision, result: StoreResult) -> None:
        if result.outcome in {"new", "copy"}:
            self.index.add(decision.item.canonical_url, decision.fingerprint)
        if self.queue is not None and result.outcome in {"new", "copy", "version"}:
            self.queue.enqueue([result.article_id])


class StorePipeline:
    """Scrapy item pipeline: the last stage; counts `newsmon/store/<outcome>` and `newsmon/store/error`."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.storer: Storer | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        from pipelines.resources import shared_resources

        resources = shared_resources(self.crawler.settings)
        self.storer = Storer(resources.repo, resources.index, resources.queue)
        self.resources = resources

    def close_spider(self) -> None:
        if self.storer is not None:
            self.resources.close()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Decision) or self.storer is None:
            return item
        try:
            result = await asyncio.to_thread(self.storer.store, item)
        except Exception:
            log.exception("could not store %s", item.item.article.url)
            self.crawler.stats.inc_value("newsmon/store/error")
            return item
        self.crawler.stats.inc_value(f"newsmon/store/{result.outcome}")
        if result.outcome != "unchanged":
            self.crawler.stats.inc_value("newsmon/store/stored")
        return result
