"""Plain data shared by every stage.

These dataclasses are the contracts between crawlers, pipelines, tasks and the doors users come in by.
They are immutable and hold no database or network handles, so any stage can create, copy and test them.
Datetimes are always timezone-aware and in UTC.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Article:
    """One article as extracted from a page (or an archive line), before it is stored."""

    url: str
    text: str
    title: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None
    language: str | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()
    section: str | None = None
    source: str | None = None
    # hreflang alternates: (language, url) pairs, used to join translations into one story.
    alternates: tuple[tuple[str, str], ...] = ()
    # Where the publication date came from ("jsonld", "meta", "selector", "text", "feed", "archive"...).
    date_source: str | None = None
    # Problems noticed while extracting: "no_date", "no_title", "short_text", "future_date"...
    warnings: tuple[str, ...] = ()
    fetched_at: datetime | None = None
    # How the article was discovered: "feed", "sitemap", "listing", "rendered", "archive".
    discovered_by: str | None = None

    def with_changes(self, **changes: Any) -> Article:
        return replace(self, **changes)

    def __repr__(self) -> str:
        # Short: Scrapy logs an item's repr when a pipeline fails, and the text would flood the log.
        return f"Article(url={self.url!r}, title={self.title!r}, {len(self.text)} characters of text)"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (datetimes as ISO 8601 strings)."""
        out = asdict(self)
        for key in ("published", "updated", "fetched_at"):
            value = out[key]
            out[key] = value.isoformat() if value else None
        out["authors"] = list(self.authors)
        out["tags"] = list(self.tags)
        out["alternates"] = [list(pair) for pair in self.alternates]
        out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True, slots=True)
class Source:
    """A portal to crawl, as defined by one line (home URL) or a fuller source file."""

    name: str
    home: str
    languages: tuple[str, ...] = ()
    region: str | None = None
    title: str | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    # Pagination template for listing pages, "{url}?page={n}" style; None: follow rel=next links.
    pagination: str | None = None
    max_pages: int = 3
    article_patterns: tuple[str, ...] = ()
    exclude_patterns: tuple[str, ...] = ()
    # Per-field CSS/XPath selectors: title, text, published, authors, ...
    selectors: tuple[tuple[str, str], ...] = ()
    render: bool = False
    schedule: str | None = None
    timezone: str = "Asia/Almaty"
    since_days: int | None = None
    limit: int | None = None
    founded: date | None = None
    enabled: bool = True
    origin: str | None = None  # file the definition came from

    @property
    def selector_map(self) -> dict[str, str]:
        return dict(self.selectors)


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as it is in storage."""

    id: int
    url: str
    canonical_url: str
    source: str | None
    title: str | None
    text: str
    published: datetime | None
    language: str | None
    story_id: int | None
    content_hash: str
    version: int = 1
    description: str | None = None
    authors: tuple[str, ...] = ()
    updated: datetime | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()
    section: str | None = None
    fetched_at: datetime | None = None
    stored_at: datetime | None = None
    warnings: tuple[str, ...] = ()
    discovered_by: str | None = None
    matched: bool = False


@dataclass(frozen=True, slots=True)
class Story:
    """Every copy of one piece of news, however many portals carried it."""

    id: int
    title: str | None
    first_published: datetime | None
    created_at: datetime | None
    article_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Channel:
    """Where alerts go: kind is email, webhook, telegram, slack or apprise; target is its URL or address."""

    id: int
    name: str
    kind: str
    target: str
    secret: str | None = None
    rate_limit_per_minute: int | None = None
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Watch:
    """A monitor's standing query."""

    id: int
    name: str
    query: str
    owner: str = "default"
    channels: tuple[str, ...] = ()
    mode: str = "instant"  # instant | hourly | daily | weekly
    digest_at: str | None = None  # local time "09:00" for daily/weekly digests
    timezone: str = "Asia/Almaty"
    quiet_hours: str | None = None  # "22:00-07:00" local time
    sources: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_mentions: int = 1
    spike_factor: float | None = None
    enabled: bool = True

    @property
    def deleted(self) -> bool:
        """A removed watch stays stored, disabled and renamed `NAME (deleted ID)`, for the alerts that point
        at it; to users it is gone."""
        return not self.enabled and self.name.endswith(deleted_suffix(self.id))

    @property
    def former_name(self) -> str:
        return self.name.removesuffix(deleted_suffix(self.id)) if self.deleted else self.name


def deleted_suffix(watch_id: int) -> str:
    return f" (deleted {watch_id})"


@dataclass(frozen=True, slots=True)
class Match:
    id: int
    watch_id: int
    story_id: int
    article_id: int
    matched_at: datetime
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Alert:
    """One message to one channel: the outbox row that delivery works from."""

    id: int
    watch_id: int | None
    channel_id: int
    story_id: int | None
    article_id: int | None
    kind: str  # match | digest | ops | spike
    status: str  # pending | sending | sent | dead | held (digest/quiet hours)
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ListedAlert(Alert):
    """An alert as the alert lists show it: an analyst needs to see which watch fired on which article and
    where to read it, which the ids alone do not say.

    The values come from the alert's watch and article rows; an alert with no watch or article (ops, spike,
    digest) has what its payload names instead, and None where that names nothing.
    """

    watch: str | None = None
    source: str | None = None
    url: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class CrawlRun:
    id: int
    source: str
    started_at: datetime
    finished_at: datetime | None = None
    finish_reason: str | None = None
    status: str = "running"  # running | ok | failed | interrupted | timeout
    stats: dict[str, Any] = field(default_factory=dict)
