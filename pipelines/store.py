"""Store decided articles, one transaction each, then tell matching (after commit) and the index.

A failure on one article is logged with its URL and counted; the crawl goes on and nothing is half-written
(the repository writes article, version and story link in one transaction; the unmatched article is the
outbox row a sweeper finds even when the enqueue after commit is lost).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from newsmon.storage import Repository, StoreResult
from pipelines.dedupe import Decision, Deduplicator
from pipelines.near_duplicate import NearDuplicateIndex
from pipelines.outbox import MatchQueue

log = logging.getLogger(__name__)


class Storer:
    """Store one decision; plain code shared by crawls and imports.

    Decisions are made concurrently, so a "new story" decision is checked again under a lock right before
    storing: a copy decided while its original was still on the way joins the original's story.
    """

    def __init__(
        self,
        repo: Repository,
        index: NearDuplicateIndex,
        queue: MatchQueue | None,
        deduplicator: Deduplicator | None = None,
    ) -> None:
        self.repo = repo
        self.index = index
        self.queue = queue
        self.deduplicator = deduplicator
        self._lock = threading.Lock()

    def store(self, decision: Decision) -> StoreResult:
        with self._lock:
            if decision.reason == "new" and self.deduplicator is not None:
                decision = self.deduplicator.resolve(decision.item, decision.fingerprint)
            if decision.reason == "known_url":
                stored = self.repo.store_article(decision.item, material=False)
            else:
                stored = self.repo.store_article(decision.item, material=decision.material)
            if stored.outcome in {"new", "copy"}:
                self.index.add(decision.item.canonical_url, decision.fingerprint)
            if decision.merges and stored.outcome in {"new", "copy"}:
                self.merge(stored.story_id, decision.merges)
        if self.queue is not None and stored.outcome in {"new", "copy", "version"}:
            self.queue.enqueue([stored.article_id])
        return stored

    def merge(self, keep: int, others: tuple[int, ...]) -> None:
        """A failed merge leaves two stories, not a lost article: it is logged and the article stays stored."""
        try:
            moved = self.repo.merge_stories(keep, others)
            log.info("merged stories %s into story %d (%d articles moved)", list(others), keep, moved)
        except Exception:
            log.exception("could not merge stories %s into story %d", list(others), keep)


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
        deduplicator = Deduplicator(resources.repo, resources.detector)
        self.storer = Storer(resources.repo, resources.index, resources.queue, deduplicator)
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
            # Counted, then raised: the crawl then knows the article was not stored (see conditional_get).
            self.crawler.stats.inc_value("newsmon/store/error")
            raise
        self.crawler.stats.inc_value(f"newsmon/store/{result.outcome}")
        if result.outcome != "unchanged":
            self.crawler.stats.inc_value("newsmon/store/stored")
        return result
