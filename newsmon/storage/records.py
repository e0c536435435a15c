"""Plain records the repository takes and returns besides the shared models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from newsmon.models import Article


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ArticleToStore:
    """An article with everything the pipelines decided about it."""

    article: Article
    canonical_url: str
    content_hash: str
    search_terms: str = ""
    # The story to join (exact copy, near-duplicate, translation); None starts a new story.
    story_id: int | None = None


@dataclass(frozen=True, slots=True)
class StoreResult:
    outcome: str  # new | copy | version | unchanged
    article_id: int
    story_id: int
    version: int = 1
    material: bool = True


@dataclass(frozen=True, slots=True)
class FetchTimes:
    """What decides whether a stored article URL is fetched again (pipelines.seen)."""

    fetched: datetime  # its last fetch (when it was stored, for an article imported without one)
    stored: datetime  # its first store
    published: datetime | None


@dataclass(frozen=True, slots=True)
class NewAlert:
    channel_id: int
    idempotency_key: str
    payload: dict[str, Any]
    status: str = "pending"  # or "held" for digests and quiet hours
    next_attempt_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WatchHit:
    """A watch that matched an article, with the alerts to create if this is its first match of the story."""

    watch_id: int
    terms: tuple[str, ...] = ()
    alerts: tuple[NewAlert, ...] = field(default_factory=tuple)
