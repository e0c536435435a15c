"""The only door to the database.

Every method is one unit of work in its own session and returns plain models. Every query runs on SQLite and
PostgreSQL. Writes that must not happen twice (a match per watch and story, an alert per idempotency key, an
article per canonical URL) rest on unique constraints, so two workers racing cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from newsmon.models import Alert, Article, Channel, CrawlRun, StoredArticle, Story, Watch
from newsmon.storage import convert
from newsmon.storage.engine import make_engine
from newsmon.storage.tables import (
    AlertRow,
    ArticleRow,
    ArticleVersionRow,
    Base,
    ChannelRow,
    CrawlRunRow,
    LockRow,
    MatchRow,
    StoryRow,
    WatchRow,
)


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


class Repository:
    """Queries and writes for every stage; one instance per process is enough."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> Repository:
        return cls(make_engine(url))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def create_all(self) -> None:
        """Create tables without migrations (benchmarks); real databases use `newsmon db upgrade`."""
        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    def _insert_ignore(self, table: Any) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    # --- articles and stories --------------------------------------------------------------------
    def known_urls(self, canonical_urls: Iterable[str]) -> set[str]:
        urls = list(dict.fromkeys(canonical_urls))
        found: set[str] = set()
        with self.session() as s:
            for i in range(0, len(urls), 500):
                chunk = urls[i : i + 500]
                found.update(
                    s.scalars(select(ArticleRow.canonical_url).where(ArticleRow.canonical_url.in_(chunk)))
                )
        return found

    def article_by_url(self, canonical_url: str) -> StoredArticle | None:
        with self.session() as s:
            row = s.scalar(select(ArticleRow).where(ArticleRow.canonical_url == canonical_url))
            return convert.article(row) if row else None

    def story_of_content(self, content_hash: str) -> int | None:
        """The story of an article with exactly this normalised text, if any."""
        with self.session() as s:
            return s.scalar(
                select(ArticleRow.story_id)
                .where(ArticleRow.content_hash == content_hash)
                .order_by(ArticleRow.id)
                .limit(1)
            )

    def story_of_articles(self, article_ids: Sequence[int]) -> dict[int, int]:
        with self.session() as s:
            rows = s.execute(
                select(ArticleRow.id, ArticleRow.story_id).where(ArticleRow.id.in_(list(article_ids)))
            )
            return {a: st for a, st in rows if st is not None}

    def store_article(self, item: ArticleToStore, *, material: bool = True) -> StoreResult:
        """Insert a new article or a new version of a known URL, with its story link, in one transaction."""
        with self.session() as s:
            existing = s.scalar(select(ArticleRow).where(ArticleRow.canonical_url == item.canonical_url))
            if existing is not None:
                return self._store_version(s, existing, item, material)
            story_id = item.story_id if item.story_id is not None else self._new_story(s, item.article)
            row = self._article_row(item, story_id)
            s.add(row)
            s.flush()
            self._count_story(s, story_id, item.article)
            outcome = "new" if item.story_id is None else "copy"
            return StoreResult(outcome=outcome, article_id=row.id, story_id=story_id)

    def store_articles(self, items: Sequence[ArticleToStore]) -> list[StoreResult | Exception]:
        """Store a batch in one transaction; on a conflict fall back to one transaction per article."""
        try:
            with self.session() as s:
                results: list[StoreResult | Exception] = []
                for item in items:
                    story_id = (
                        item.story_id if item.story_id is not None else self._new_story(s, item.article)
                    )
                    row = self._article_row(item, story_id)
                    s.add(row)
                    s.flush()
                    self._count_story(s, story_id, item.article)
                    outcome = "new" if item.story_id is None else "copy"
                    results.append(StoreResult(outcome=outcome, article_id=row.id, story_id=story_id))
                return results
        except IntegrityError:
            out: list[StoreResult | Exception] = []
            for item in items:
                try:
                    out.append(self.store_article(item))
                except Exception as exc:  # one bad article never loses the batch
                    out.append(exc)
            return out

    def _new_story(self, s: Session, article: Article) -> int:
        story = StoryRow(
            title=article.title, first_published=article.published, created_at=utcnow(), article_count=0
        )
        s.add(story)
        s.flush()
        return story.id

    def _count_story(self, s: Session, story_id: int, article: Article) -> None:
        story = s.get(StoryRow, story_id)
        if story is None:
            return
        story.article_count += 1
        if article.published and (story.first_published is None or article.published < story.first_published):
            story.first_published = article.published

    def _article_row(self, item: ArticleToStore, story_id: int) -> ArticleRow:
        a = item.article
        return ArticleRow(
            url=a.url,
            canonical_url=item.canonical_url,
            source=a.source,
            title=a.title,
            text=a.text,
            description=a.description,
            authors=list(a.authors),
            published_at=a.published,
            updated_at=a.updated,
            language=a.language,
            image=a.image,
            tags=list(a.tags),
            section=a.section,
            warnings=list(a.warnings),
            discovered_by=a.discovered_by,
            content_hash=item.content_hash,
            story_id=story_id,
            version=1,
            fetched_at=a.fetched_at,
            stored_at=utcnow(),
            search_terms=item.search_terms,
        )

    def _store_version(
        self, s: Session, row: ArticleRow, item: ArticleToStore, material: bool
    ) -> StoreResult:
        assert row.story_id is not None
        if row.content_hash == item.content_hash:
            return StoreResult("unchanged", row.id, row.story_id, row.version, material=False)
        if not s.scalar(select(func.count()).where(ArticleVersionRow.article_id == row.id)):
            s.add(self._version_row(row, row.version, material=True))
        a = item.article
        row.version += 1
        row.title, row.text, row.content_hash = a.title or row.title, a.text, item.content_hash
        row.updated_at = a.updated or row.updated_at
        row.search_terms = item.search_terms
        row.matched_at = None  # re-match: an update that newly matches a watch alerts once
        s.add(self._version_row(row, row.version, material=material))
        return StoreResult("version", row.id, row.story_id, row.version, material=material)

    @staticmethod
    def _version_row(row: ArticleRow, version: int, *, material: bool) -> ArticleVersionRow:
        return ArticleVersionRow(
            article_id=row.id,
            version=version,
            title=row.title,
            text=row.text,
            content_hash=row.content_hash,
            material=material,
            stored_at=utcnow(),
        )

    def get_article(self, article_id: int) -> StoredArticle | None:
        with self.session() as s:
            row = s.get(ArticleRow, article_id)
            return convert.article(row) if row else None

    def get_articles(self, article_ids: Sequence[int]) -> list[StoredArticle]:
        with self.session() as s:
            rows = s.scalars(
                select(ArticleRow).where(ArticleRow.id.in_(list(article_ids))).order_by(ArticleRow.id)
            )
            return [convert.article(r) for r in rows]

    def article_versions(self, article_id: int) -> list[dict[str, Any]]:
        with self.session() as s:
            rows = s.scalars(
                select(ArticleVersionRow)
                .where(ArticleVersionRow.article_id == article_id)
                .order_by(ArticleVersionRow.version)
            )
            return [
                {
                    "version": r.version,
                    "title": r.title,
                    "text": r.text,
                    "material": r.material,
                    "stored_at": r.stored_at,
                }
                for r in rows
            ]

    def get_story(self, story_id: int) -> Story | None:
        with self.session() as s:
            row = s.get(StoryRow, story_id)
            if row is None:
                return None
            ids = s.scalars(
                select(ArticleRow.id).where(ArticleRow.story_id == story_id).order_by(ArticleRow.id)
            )
            return Story(row.id, row.title, row.first_published, row.created_at, tuple(ids))

    def story_articles(self, story_id: int) -> list[StoredArticle]:
        with self.session() as s:
            rows = s.scalars(
                select(ArticleRow).where(ArticleRow.story_id == story_id).order_by(ArticleRow.id)
            )
            return [convert.article(r) for r in rows]

    def count_articles(self, source: str | None = None) -> int:
        with self.session() as s:
            query = select(func.count()).select_from(ArticleRow)
            if source:
                query = query.where(ArticleRow.source == source)
            return int(s.scalar(query) or 0)

    def count_stories(self) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.count()).select_from(StoryRow)) or 0)

    def recent_fingerprint_rows(
        self, since: datetime | None, limit: int = 1_000_000
    ) -> list[tuple[int, int, str]]:
        """(article id, story id, text) of articles stored since a time, to rebuild a near-duplicate index."""
        with self.session() as s:
            query = (
                select(ArticleRow.id, ArticleRow.story_id, ArticleRow.text)
                .order_by(ArticleRow.id)
                .limit(limit)
            )
            if since is not None:
                query = query.where(ArticleRow.stored_at >= since)
            return [(a, st or 0, t) for a, st, t in s.execute(query)]

    # --- the matching outbox ---------------------------------------------------------------------
    def unmatched_article_ids(self, limit: int = 500, older_than: timedelta | None = None) -> list[int]:
        with self.session() as s:
            query = (
                select(ArticleRow.id)
                .where(ArticleRow.matched_at.is_(None))
                .order_by(ArticleRow.id)
                .limit(limit)
            )
            if older_than is not None:
                query = query.where(ArticleRow.stored_at <= utcnow() - older_than)
            return list(s.scalars(query))

    def record_matching(self, article_id: int, hits: Sequence[WatchHit]) -> list[int]:
        """Write matches and their alerts and mark the article matched, in one transaction.

        A (watch, story) pair already matched creates nothing: copies of a story alert once. Returns the ids
        of the alerts created, for the caller to enqueue after commit.
        """
        created: list[int] = []
        with self.session() as s:
            row = s.get(ArticleRow, article_id, with_for_update=True)
            if row is None or row.matched_at is not None:
                return []
            assert row.story_id is not None
            now = utcnow()
            for hit in hits:
                insert = self._insert_ignore(MatchRow).values(
                    watch_id=hit.watch_id,
                    story_id=row.story_id,
                    article_id=article_id,
                    matched_at=now,
                    terms=list(hit.terms),
                )
                statement = insert.on_conflict_do_nothing(index_elements=["watch_id", "story_id"])
                if s.execute(statement.returning(MatchRow.id)).scalar_one_or_none() is None:
                    continue
                for new in hit.alerts:
                    created.extend(self._add_alert(s, new, hit.watch_id, row.story_id, article_id, "match"))
            row.matched_at = now
        return created

    def _add_alert(
        self,
        s: Session,
        new: NewAlert,
        watch_id: int | None,
        story_id: int | None,
        article_id: int | None,
        kind: str,
    ) -> list[int]:
        insert = self._insert_ignore(AlertRow).values(
            watch_id=watch_id,
            channel_id=new.channel_id,
            story_id=story_id,
            article_id=article_id,
            kind=kind,
            status=new.status,
            idempotency_key=new.idempotency_key,
            payload=new.payload,
            attempts=0,
            next_attempt_at=new.next_attempt_at or utcnow(),
            created_at=utcnow(),
        )
        statement = insert.on_conflict_do_nothing(index_elements=["idempotency_key"])
        alert_id = s.execute(statement.returning(AlertRow.id)).scalar_one_or_none()
        return [alert_id] if alert_id is not None else []

    def add_alert(self, new: NewAlert, *, kind: str, watch_id: int | None = None) -> int | None:
        """Create an alert that belongs to no article match (ops, digest, spike); None if the key exists."""
        with self.session() as s:
            ids = self._add_alert(s, new, watch_id, None, None, kind)
            return ids[0] if ids else None

    def story_matched_by(self, story_id: int) -> set[int]:
        with self.session() as s:
            return set(s.scalars(select(MatchRow.watch_id).where(MatchRow.story_id == story_id)))

    def count_matches(self, watch_id: int | None = None) -> int:
        with self.session() as s:
            query = select(func.count()).select_from(MatchRow)
            if watch_id is not None:
                query = query.where(MatchRow.watch_id == watch_id)
            return int(s.scalar(query) or 0)

    # --- alerts ----------------------------------------------------------------------------------
    def get_alert(self, alert_id: int) -> Alert | None:
        with self.session() as s:
            row = s.get(AlertRow, alert_id)
            return convert.alert(row) if row else None

    def claim_alert(self, alert_id: int, lease: timedelta = timedelta(minutes=5)) -> Alert | None:
        """Take a due pending alert for sending; None when it is sent, dead, held or leased by another."""
        with self.session() as s:
            query = select(AlertRow).where(AlertRow.id == alert_id).with_for_update(skip_locked=True)
            row = s.scalar(query)
            now = utcnow()
            if row is None or row.status not in {"pending", "sending"}:
                return None
            if row.next_attempt_at is not None and row.next_attempt_at > now:
                return None
            row.status = "sending"
            row.attempts += 1
            row.next_attempt_at = now + lease  # if this worker dies, the sweeper retries after the lease
            return convert.alert(row)

    def mark_alert_sent(self, alert_id: int) -> None:
        with self.session() as s:
            s.execute(
                update(AlertRow)
                .where(AlertRow.id == alert_id)
                .values(status="sent", sent_at=utcnow(), last_error=None, next_attempt_at=None)
            )

    def mark_alert_failed(self, alert_id: int, error: str, *, retry_at: datetime | None) -> None:
        """Schedule the next attempt, or mark the alert dead when retry_at is None."""
        status = "pending" if retry_at is not None else "dead"
        with self.session() as s:
            s.execute(
                update(AlertRow)
                .where(AlertRow.id == alert_id)
                .values(status=status, last_error=error[:2000], next_attempt_at=retry_at)
            )

    def due_alert_ids(self, limit: int = 500) -> list[int]:
        """Pending alerts whose time has come, and sends whose lease ran out (a worker died mid-send)."""
        with self.session() as s:
            query = (
                select(AlertRow.id)
                .where(AlertRow.status.in_(["pending", "sending"]), AlertRow.next_attempt_at <= utcnow())
                .order_by(AlertRow.next_attempt_at)
                .limit(limit)
            )
            return list(s.scalars(query))

    def list_alerts(self, status: str | None = None, limit: int = 100) -> list[Alert]:
        with self.session() as s:
            query = select(AlertRow).order_by(AlertRow.id.desc()).limit(limit)
            if status:
                query = query.where(AlertRow.status == status)
            return [convert.alert(r) for r in s.scalars(query)]

    def retry_alert(self, alert_id: int) -> bool:
        """Put a dead alert back in the queue with a fresh attempt count (same idempotency key)."""
        with self.session() as s:
            result = s.execute(
                update(AlertRow)
                .where(AlertRow.id == alert_id, AlertRow.status == "dead")
                .values(status="pending", attempts=0, next_attempt_at=utcnow(), last_error=None)
            )
            return result.rowcount == 1

    def release_held_alerts(self, alert_ids: Sequence[int]) -> None:
        with self.session() as s:
            s.execute(
                update(AlertRow)
                .where(AlertRow.id.in_(list(alert_ids)), AlertRow.status == "held")
                .values(status="pending", next_attempt_at=utcnow())
            )

    def held_alerts(self, channel_ids: Sequence[int] | None = None) -> list[Alert]:
        with self.session() as s:
            query = select(AlertRow).where(AlertRow.status == "held").order_by(AlertRow.id)
            if channel_ids is not None:
                query = query.where(AlertRow.channel_id.in_(list(channel_ids)))
            return [convert.alert(r) for r in s.scalars(query)]

    def count_alerts(self, status: str | None = None) -> int:
        with self.session() as s:
            query = select(func.count()).select_from(AlertRow)
            if status:
                query = query.where(AlertRow.status == status)
            return int(s.scalar(query) or 0)

    # --- watches and channels --------------------------------------------------------------------
    def add_watch(self, item: Watch) -> Watch:
        with self.session() as s:
            row = WatchRow(**convert.watch_values(item), updated_at=utcnow())
            s.add(row)
            s.flush()
            return convert.watch(row)

    def update_watch(self, item: Watch) -> Watch:
        with self.session() as s:
            row = s.get(WatchRow, item.id)
            if row is None:
                raise KeyError(f"no watch with id {item.id}")
            for key, value in convert.watch_values(item).items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            return convert.watch(row)

    def delete_watch(self, watch_id: int) -> bool:
        with self.session() as s:
            row = s.get(WatchRow, watch_id)
            if row is None:
                return False
            row.enabled = False  # matches and alerts keep pointing at it
            row.name = f"{row.name} (deleted {watch_id})"
            row.updated_at = utcnow()
            return True

    def get_watch(self, key: int | str) -> Watch | None:
        with self.session() as s:
            column = WatchRow.id if isinstance(key, int) else WatchRow.name
            row = s.scalar(select(WatchRow).where(column == key))
            return convert.watch(row) if row else None

    def list_watches(self, *, enabled_only: bool = False) -> list[Watch]:
        with self.session() as s:
            query = select(WatchRow).order_by(WatchRow.id)
            if enabled_only:
                query = query.where(WatchRow.enabled.is_(True))
            return [convert.watch(r) for r in s.scalars(query)]

    def watches_version(self) -> str:
        """Changes whenever a watch is added, edited or removed: workers rebuild their matcher on change."""
        with self.session() as s:
            count, latest = s.execute(select(func.count(WatchRow.id), func.max(WatchRow.updated_at))).one()
            return f"{count}:{latest.isoformat() if latest else '-'}"

    def upsert_channel(self, item: Channel) -> Channel:
        with self.session() as s:
            row = s.scalar(select(ChannelRow).where(ChannelRow.name == item.name))
            if row is None:
                row = ChannelRow(name=item.name)
                s.add(row)
            row.kind, row.target, row.secret = item.kind, item.target, item.secret
            row.rate_limit_per_minute, row.enabled, row.options = (
                item.rate_limit_per_minute,
                item.enabled,
                dict(item.options),
            )
            s.flush()
            return convert.channel(row)

    def list_channels(self) -> list[Channel]:
        with self.session() as s:
            return [convert.channel(r) for r in s.scalars(select(ChannelRow).order_by(ChannelRow.id))]

    def get_channel(self, key: int | str) -> Channel | None:
        with self.session() as s:
            column = ChannelRow.id if isinstance(key, int) else ChannelRow.name
            row = s.scalar(select(ChannelRow).where(column == key))
            return convert.channel(row) if row else None

    def delete_channel(self, name: str) -> bool:
        with self.session() as s:
            return s.execute(delete(ChannelRow).where(ChannelRow.name == name)).rowcount == 1

    # --- crawl runs ------------------------------------------------------------------------------
    def start_run(self, source: str) -> int:
        with self.session() as s:
            row = CrawlRunRow(source=source, started_at=utcnow(), status="running", stats={})
            s.add(row)
            s.flush()
            return row.id

    def finish_run(self, run_id: int, status: str, reason: str | None, stats: dict[str, Any]) -> None:
        with self.session() as s:
            s.execute(
                update(CrawlRunRow)
                .where(CrawlRunRow.id == run_id)
                .values(status=status, finish_reason=reason, stats=stats, finished_at=utcnow())
            )

    def recent_runs(self, source: str | None = None, limit: int = 20) -> list[CrawlRun]:
        with self.session() as s:
            query = select(CrawlRunRow).order_by(CrawlRunRow.id.desc()).limit(limit)
            if source:
                query = query.where(CrawlRunRow.source == source)
            return [convert.crawl_run(r) for r in s.scalars(query)]

    # --- leases ----------------------------------------------------------------------------------
    def acquire_lock(self, name: str, owner: str, ttl: timedelta) -> bool:
        """Take a named lease unless someone else holds an unexpired one."""
        now = utcnow()
        with self.session() as s:
            row = s.get(LockRow, name, with_for_update=True)
            if row is not None and row.owner != owner and row.expires_at > now:
                return False
            if row is None:
                try:
                    with s.begin_nested():
                        s.add(LockRow(name=name, owner=owner, expires_at=now + ttl))
                except IntegrityError:
                    return False
            else:
                row.owner, row.expires_at = owner, now + ttl
            return True

    def release_lock(self, name: str, owner: str) -> None:
        with self.session() as s:
            s.execute(delete(LockRow).where(LockRow.name == name, LockRow.owner == owner))
