"""What the pipeline stages share in one process: the repository, the near-duplicate index, the match queue.

Opened once per crawl process (in `open_spider`, never at import) and closed when the crawl ends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from newsmon.config import Settings, get_settings
from newsmon.storage import Repository, open_repository
from pipelines.near_duplicate import (
    MemoryIndex,
    NearDuplicateDetector,
    NearDuplicateIndex,
    RedisIndex,
    fingerprint,
)
from pipelines.outbox import MatchQueue

log = logging.getLogger(__name__)


@dataclass
class PipelineResources:
    settings: Settings
    repo: Repository
    index: NearDuplicateIndex
    detector: NearDuplicateDetector
    queue: MatchQueue | None

    def close(self) -> None:
        if self.queue is not None:
            self.queue.close()


def open_index(settings: Settings, repo: Repository) -> NearDuplicateIndex:
    """Redis-backed and shared by every worker when Redis is configured; else rebuilt from the database."""
    if settings.effective_redis_url:
        return RedisIndex(settings.effective_redis_url, prefix="newsmon:neardup")
    index = MemoryIndex()
    since = datetime.now(UTC) - timedelta(days=settings.dedupe_window_days * 2)
    rows = repo.recent_fingerprint_rows(since)
    index.rebuild(
        (url, fingerprint(text, title=title, lang=lang, published=published))
        for url, text, title, lang, published in rows
    )
    log.info("near-duplicate index rebuilt from %d stored articles", len(rows))
    return index


def build_resources(settings: Settings, *, enqueue: bool = True) -> PipelineResources:
    repo = open_repository(settings)
    index = open_index(settings, repo)
    detector = NearDuplicateDetector(
        index, threshold=settings.dedupe_threshold, window_days=settings.dedupe_window_days
    )
    queue = MatchQueue(settings.effective_broker_url) if enqueue else None
    return PipelineResources(settings, repo, index, detector, queue)


@lru_cache(maxsize=4)
def _cached(enqueue: bool) -> PipelineResources:
    return build_resources(get_settings(), enqueue=enqueue)


def shared_resources(scrapy_settings: Any) -> PipelineResources:
    """One set per crawl process, shared by the dedupe, store and seen-URL components."""
    return _cached(bool(scrapy_settings.getbool("NEWSMON_ENQUEUE_MATCHING", True)))
