"""SQLAlchemy tables. Only the repository and the migrations use them; everything else sees plain models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: newsmon stores timezone-aware UTC only")

        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None

        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}  # noqa: RUF012


class SourceRow(Base):
    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    home: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    interval_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    next_run_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_run_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # When the scheduler sent its crawl message; cleared when that crawl finishes (see release_lost_claims).
    claimed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column()
    # Set when a sync no longer finds the definition; the row stays because runs and articles name it.
    removed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class CrawlRunRow(Base):
    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    finish_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class StoryRow(Base):
    __tablename__ = "stories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    first_published: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column()
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    # Set when the story was merged into an older one (its copies moved there); see Repository.merge_stories.
    merged_into: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    merged_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ArticleRow(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    source: Mapped[str | None] = mapped_column(String(200), index=True, nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    authors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    updated_at: Mapped[datetime | None] = mapped_column(nullable=True)
    language: Mapped[str | None] = mapped_column(String(10), nullable=True)
    image: Mapped[str | None] = mapped_column(Text, nullable=True)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    section: Mapped[str | None] = mapped_column(Text, nullable=True)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    discovered_by: Mapped[str | None] = mapped_column(String(20), nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    fetched_at: Mapped[datetime | None] = mapped_column(nullable=True)
    stored_at: Mapped[datetime] = mapped_column(index=True)
    # The matching outbox: NULL until every active watch has been run against this article.
    matched_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Analysed terms for full-text search (lemmas and stems), maintained with the FTS index.
    search_terms: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_articles_unmatched", "matched_at", "id"),)


class ArticleVersionRow(Base):
    __tablename__ = "article_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    material: Mapped[bool] = mapped_column(Boolean, default=True)
    stored_at: Mapped[datetime] = mapped_column()
    __table_args__ = (UniqueConstraint("article_id", "version"),)


class ChannelRow(Base):
    __tablename__ = "channels"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(Text, nullable=True)
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WatchRow(Base):
    __tablename__ = "watches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    query: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="default")
    channels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    mode: Mapped[str] = mapped_column(String(10), default="instant")
    digest_at: Mapped[str | None] = mapped_column(String(5), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Almaty")
    quiet_hours: Mapped[str | None] = mapped_column(String(11), nullable=True)
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    regions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    min_mentions: Mapped[int] = mapped_column(Integer, default=1)
    spike_factor: Mapped[float | None] = mapped_column(Float, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column()


class MatchRow(Base):
    __tablename__ = "matches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id"), index=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    matched_at: Mapped[datetime] = mapped_column(index=True)
    terms: Mapped[list[Any]] = mapped_column(JSON, default=list)
    __table_args__ = (UniqueConstraint("watch_id", "story_id", name="uq_match_watch_story"),)


class AlertRow(Base):
    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watch_id: Mapped[int | None] = mapped_column(ForeignKey("watches.id"), nullable=True, index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), nullable=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(10), default="match")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    __table_args__ = (Index("ix_alerts_due", "status", "next_attempt_at"),)


class LockRow(Base):
    """Named leases (per-source crawl locks, scheduler leadership) when no Redis is configured."""

    __tablename__ = "locks"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column()


class WatchAliasRow(Base):
    """Named spellings shared by every watch's query (`@zhambyl = Жамбыл | Jambyl`)."""

    __tablename__ = "watch_aliases"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    definition: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column()


class TrendKeyRow(Base):
    """A set of index terms whose articles are counted per day as they are stored (see trend_counts)."""

    __tablename__ = "trend_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terms: Mapped[str] = mapped_column(Text, unique=True)  # sorted, space-separated
    created_at: Mapped[datetime] = mapped_column()


class TrendKeyTermRow(Base):
    __tablename__ = "trend_key_terms"
    term: Mapped[str] = mapped_column(String(1000), primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("trend_keys.id", ondelete="CASCADE"), primary_key=True)


class TrendCountRow(Base):
    """Articles holding any of a key's terms per UTC day, source and language; the repository updates them as
    it stores articles and deletes them with their key (no foreign key: its check per row slowed the first
    count, migration 0008). SQLite counts a word first from `trend_rows` (migration 0012, kept by triggers)."""

    __tablename__ = "trend_counts"
    key_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), primary_key=True)  # '' when unknown
    language: Mapped[str] = mapped_column(String(10), primary_key=True)  # lower case, '' when unknown
    n: Mapped[int] = mapped_column(Integer)
