"""Store decided articles, then tell matching (after commit) and the index; in a crawl, a batch at a time.

A failure on one article is logged with its URL and counted; the crawl goes on and nothing is half-written
(the repository writes article, version and story link in one transaction; the unmatched article is the
outbox row a sweeper finds even when the enqueue after commit is lost).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from newsmon.storage import Repository, StoreResult
from pipelines.batch import BatchStorer, Stored
from pipelines.coalesce import Coalescer
from pipelines.dedupe import Decision, Deduplicator, Prepared
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
    """Scrapy item pipeline, the last stage: decides and stores articles a batch at a time.

    Prepared articles are decided and stored together by `BatchStorer`, as many (up to `BATCH_SIZE`) as
    arrived while the last batch was being stored (`Coalescer`): bulk lookups and one transaction per batch
    instead of one each, the same decisions as one by one. Batches are stored one after another, in
    arrival order. Counts `newsmon/dedupe/<reason>`, `newsmon/store/<outcome>`, `newsmon/store/error` and
    `newsmon/store/batches`.
    """

    BATCH_SIZE = 100
    # Seconds a batch waits for more articles before it is stored. Storage shares the crawl process's CPU
    # with Scrapy, and each batch has a fixed cost (a lock, the index refresh, three lookups, a commit).
    # On the 5,000-article bench crawl (2 cores, worker processes extracting), the crawl process used 44.0
    # and 44.0 s of CPU with 0.05 s (480 batches), 40.8 and 41.8 s with 0.2 s (200 batches), 39.6 and
    # 40.8 s with 0.5 s (100 batches), the same wall time each. A waiting batch keeps its pages in Scrapy's
    # 2 MB of responses in flight, so a longer wait holds more of them to save little more.
    LINGER = 0.2

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.batches: BatchStorer | None = None
        self._coalescer: Coalescer[Prepared, Stored] = Coalescer(self._store, self.BATCH_SIZE, self.LINGER)
        self._batches_stored = 0  # counted in the storing thread, reported to the stats at the end

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        from pipelines.resources import shared_resources

        resources = shared_resources(self.crawler.settings)
        deduplicator = Deduplicator(resources.repo, resources.detector)
        storer = Storer(resources.repo, resources.index, resources.queue, deduplicator)
        self.batches = BatchStorer(deduplicator, storer, resources.refresh_index, resources.deciding)
        self.resources = resources

    def close_spider(self) -> None:
        self.crawler.stats.set_value("newsmon/store/batches", self._batches_stored)
        if self.batches is not None:
            self.resources.close()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Prepared) or self.batches is None:
            return item
        try:
            stored = await self._coalescer.submit(item)
        except Exception as exc:  # a lookup failed (the database is down): no article of the batch stored
            log.error("could not store %s: %s", item.item.article.url, exc)
            stored = Stored(None, "error", exc)
        stats = self.crawler.stats
        if stored.result is None:
            # Counted, then raised: the crawl then knows the article was not stored (see conditional_get).
            stats.inc_value("newsmon/store/error")
            raise stored.error or RuntimeError(f"{item.item.canonical_url} was not stored")
        stats.inc_value(f"newsmon/dedupe/{stored.reason}")
        if stored.result.outcome == "unchanged":
            from scrapy.exceptions import DropItem

            raise DropItem(f"already stored unchanged: {item.item.canonical_url}")
        stats.inc_value(f"newsmon/store/{stored.result.outcome}")
        stats.inc_value("newsmon/store/stored")
        return stored.result

    def _store(self, batch: list[Prepared]) -> list[Stored]:
        assert self.batches is not None
        self._batches_stored += 1
        return self.batches.store([(item.item, item.fingerprint) for item in batch])
