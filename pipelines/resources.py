"""What the pipeline stages share in one process: the repository, the near-duplicate index, the match queue.

Opened once per crawl process (in `open_spider`, never at import) and closed when the crawl ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import redis

from newsmon.config import Settings, get_settings
from newsmon.storage import Repository, open_repository
from pipelines.deciding import RedisDecisionLock, file_lock
from pipelines.near_duplicate import (
    MemoryIndex,
    NearDuplicateDetector,
    NearDuplicateIndex,
    RedisIndex,
    fingerprint,
)
from pipelines.outbox import MatchQueue

log = logging.getLogger(__name__)


SNAPSHOT_FILE = "near-duplicate-index.npz"
SNAPSHOT_META = "near-duplicate-index.json"
CATCH_UP_PAGE = 2000  # articles read and fingerprinted at a time
FILL_CLAIM_SECONDS = 600  # how long one process may take to fill the shared index before another may


@dataclass
class IndexSnapshot:
    """A MemoryIndex saved in the data directory, and the last article id it holds.

    A crawl process loads it and fingerprints only the articles stored after that id (by any process),
    instead of every article of the window; it is saved again when the process closes.
    """

    directory: Path
    database: str
    last_id: int = 0
    # When the index was last rebuilt from scratch: a snapshot older than the dedupe window is rebuilt
    # (articles stored in the window only), which bounds its size as a fresh rebuild would.
    built_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def path(self) -> Path:
        return self.directory / SNAPSHOT_FILE

    def load(self, newest_id: int, rebuild_before: datetime) -> MemoryIndex | None:
        """The saved index when it belongs to this database and is not ahead of it; else None."""
        try:
            meta = json.loads((self.directory / SNAPSHOT_META).read_text(encoding="utf-8"))
            stat = self.path.stat()
            if (meta["database"], meta["size"], meta["mtime_ns"]) != (
                self.database,
                stat.st_size,
                stat.st_mtime_ns,
            ):
                log.info(
                    "near-duplicate snapshot %s is for another database or was changed; rebuilding", self.path
                )
                return None
            if not 0 <= int(meta["last_id"]) <= newest_id:
                log.info("near-duplicate snapshot %s is ahead of the database; rebuilding", self.path)
                return None
            built_at = datetime.fromisoformat(meta["built_at"])
            if built_at < rebuild_before:
                log.info("near-duplicate snapshot %s is older than the window; rebuilding", self.path)
                return None
            index = MemoryIndex.load(self.path)
        except FileNotFoundError:
            return None
        except (OSError, KeyError, TypeError, ValueError) as exc:
            log.warning("near-duplicate snapshot %s unusable (%s); rebuilding", self.path, exc)
            return None
        self.last_id, self.built_at = int(meta["last_id"]), built_at
        return index

    def save(self, index: MemoryIndex, last_id: int) -> None:
        """Write the index, then the metadata naming it, each atomically (a crash leaves the old pair or a
        pair that fails the size check and is rebuilt)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{SNAPSHOT_FILE}.{os.getpid()}.tmp")
        index.save(partial)
        os.replace(partial, self.path)
        stat = self.path.stat()
        meta = {
            "database": self.database,
            "last_id": last_id,
            "built_at": self.built_at.isoformat(),
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
        }
        partial_meta = self.directory / f".{SNAPSHOT_META}.{os.getpid()}.tmp"
        partial_meta.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(partial_meta, self.directory / SNAPSHOT_META)
        self.last_id = last_id


@dataclass
class PipelineResources:
    settings: Settings
    repo: Repository
    index: NearDuplicateIndex
    detector: NearDuplicateDetector
    queue: MatchQueue | None
    snapshot: IndexSnapshot | None = None
    seen_id: int = 0  # the newest article id this process's in-memory index has looked at
    _redis_lock: RedisDecisionLock | None = None

    def refresh_index(self) -> int:
        """Bring the index up to what the database holds; called before each batch is decided. Returns how
        many articles were fingerprinted.

        Embedded default: index the articles other processes stored since the last look. Two crawls running
        at once each hold their own copy of the index, so without this a copy one of them stores is a new
        story to the other, and alerts again. With Redis the index is shared: it is filled from the
        database when Redis lost it (`fill_shared_index`)."""
        if isinstance(self.index, RedisIndex):
            return fill_shared_index(self.index, self.repo, self.settings)
        if self.snapshot is None or not isinstance(self.index, MemoryIndex):
            return 0
        added, self.seen_id = index_new_articles(self.index, self.repo, self.seen_id, self.settings)
        return added

    def deciding(self) -> AbstractContextManager[object]:
        """The lock a batch is decided and stored under (pipelines.deciding)."""
        if isinstance(self.index, RedisIndex):
            if self._redis_lock is None:
                self._redis_lock = RedisDecisionLock(self.settings.effective_redis_url or "")
            return self._redis_lock()
        return file_lock(self.settings.data_dir)

    def close(self) -> None:
        if self._redis_lock is not None:
            self._redis_lock.close()
        if self.queue is not None:
            self.queue.close()
        if self.snapshot is not None and isinstance(self.index, MemoryIndex):
            try:
                catch_up(self.index, self.repo, self.snapshot, self.settings)
            except Exception:  # the next process rebuilds what this one could not save
                log.exception("could not save the near-duplicate snapshot %s", self.snapshot.path)


def _window_start(settings: Settings) -> datetime:
    return datetime.now(UTC) - timedelta(days=settings.dedupe_window_days * 2)


def catch_up(index: MemoryIndex, repo: Repository, snapshot: IndexSnapshot, settings: Settings) -> int:
    """Index the articles stored after the snapshot (skipping those this process indexed itself), then save
    the snapshot. Returns how many articles were fingerprinted."""
    added, last_id = index_new_articles(index, repo, snapshot.last_id, settings)
    if added or last_id != snapshot.last_id or not snapshot.path.exists():
        snapshot.save(index, last_id)
    return added


def index_new_articles(
    index: MemoryIndex, repo: Repository, after_id: int, settings: Settings
) -> tuple[int, int]:
    """Fingerprint the articles stored after `after_id` that the index lacks (those this process indexed itself
    are skipped); returns how many, and the newest article id looked at."""
    keys = repo.article_keys_after(after_id, _window_start(settings))
    missing = [article_id for article_id, url in keys if url not in index]
    added = 0
    for i in range(0, len(missing), CATCH_UP_PAGE):
        for _id, url, text, title, lang, published in repo.fingerprint_rows(missing[i : i + CATCH_UP_PAGE]):
            index.add(url, fingerprint(text, title=title, lang=lang, published=published))
            added += 1
    return added, max(after_id, keys[-1][0] if keys else 0)


def database_tag(settings: Settings) -> str:
    return hashlib.sha256(settings.effective_database_url.encode()).hexdigest()[:16]


def fill_shared_index(index: RedisIndex, repo: Repository, settings: Settings) -> int:
    """Index every article of the dedupe window again when the shared index in Redis does not say it holds
    them: Redis was emptied (a restart without persistence, a FLUSHDB) or never filled. Without this, copies
    of stories stored before would start stories of their own, and alert again. One process fills it; the
    others go on meanwhile. Returns how many articles were fingerprinted."""
    tag = database_tag(settings)
    try:
        if index.is_filled(tag) or not index.claim_filling(tag, FILL_CLAIM_SECONDS):
            return 0
    except redis.RedisError as exc:  # the lookups that need Redis fail on their own, counted per article
        log.warning("near-duplicate index in Redis unreachable: %s", exc)
        return 0
    try:
        keys = repo.article_keys_after(0, _window_start(settings))
        missing = set(index.missing([url for _id, url in keys]))
        ids = [article_id for article_id, url in keys if url in missing]
        for i in range(0, len(ids), CATCH_UP_PAGE):
            for _id, url, text, title, lang, published in repo.fingerprint_rows(ids[i : i + CATCH_UP_PAGE]):
                index.add(url, fingerprint(text, title=title, lang=lang, published=published))
        index.mark_filled(tag)
    except BaseException:
        with contextlib.suppress(redis.RedisError):
            index.release_filling(tag)
        raise
    if ids:
        log.warning(
            "near-duplicate index in Redis did not hold the stored articles (Redis emptied?): %d articles "
            "indexed again from the database",
            len(ids),
        )
    return len(ids)


def open_index(settings: Settings, repo: Repository) -> tuple[NearDuplicateIndex, IndexSnapshot | None]:
    """Redis-backed and shared by every worker when Redis is configured; else the snapshot in the data
    directory brought up to date from the database (or, without one, rebuilt from it)."""
    if settings.effective_redis_url:
        shared = RedisIndex(settings.effective_redis_url, prefix="newsmon:neardup")
        fill_shared_index(shared, repo, settings)
        return shared, None
    snapshot = IndexSnapshot(settings.data_dir, database_tag(settings))
    index = snapshot.load(repo.last_article_id(), _window_start(settings))
    if index is None:
        index, snapshot.last_id, snapshot.built_at = MemoryIndex(), 0, datetime.now(UTC)
    added = catch_up(index, repo, snapshot, settings)
    log.info("near-duplicate index: %d articles, %d fingerprinted now", len(index), added)
    return index, snapshot


def build_resources(settings: Settings, *, enqueue: bool = True) -> PipelineResources:
    repo = open_repository(settings)
    index, snapshot = open_index(settings, repo)
    detector = NearDuplicateDetector(
        index, threshold=settings.dedupe_threshold, window_days=settings.dedupe_window_days
    )
    queue = MatchQueue(settings.effective_broker_url) if enqueue else None
    seen = snapshot.last_id if snapshot is not None else 0
    return PipelineResources(settings, repo, index, detector, queue, snapshot, seen)


@lru_cache(maxsize=4)
def _cached(enqueue: bool) -> PipelineResources:
    return build_resources(get_settings(), enqueue=enqueue)


def shared_resources(scrapy_settings: Any) -> PipelineResources:
    """One set per crawl process, shared by the dedupe, store and seen-URL components."""
    return _cached(bool(scrapy_settings.getbool("NEWSMON_ENQUEUE_MATCHING", True)))
