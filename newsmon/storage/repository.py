"""The only door to the database.

Every method is one unit of work in its own session and returns plain models. Every query runs on SQLite and
PostgreSQL. Writes that must not happen twice (a match per watch and story, an alert per idempotency key, an
article per canonical URL) rest on unique constraints, so two workers racing cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import InvalidRequestError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from newsmon.models import Article, StoredArticle, Story
from newsmon.storage import convert
from newsmon.storage.alerts import AlertQueries
from newsmon.storage.engine import READ_ONLY, SINGLE_READS, make_engine
from newsmon.storage.exports import ExportQueries
from newsmon.storage.ops import OpsQueries
from newsmon.storage.records import ArticleToStore, FetchTimes, NewAlert, StoreResult, WatchHit, utcnow
from newsmon.storage.search import SearchQueries
from newsmon.storage.stories import StoryQueries
from newsmon.storage.tables import (
    ArticleRow,
    ArticleVersionRow,
    Base,
    StoryRow,
)
from newsmon.storage.tokens import TokenQueries
from newsmon.storage.trendcounts import CountedArticle, TrendCountQueries


class Repository(
    AlertQueries, OpsQueries, TokenQueries, SearchQueries, StoryQueries, ExportQueries, TrendCountQueries
):
    """Queries and writes for every stage; one instance per process is enough."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        self._single_reads = engine.execution_options(**{READ_ONLY: True, SINGLE_READS: True})

    @classmethod
    def from_url(cls, url: str) -> Repository:
        return cls(make_engine(url))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for lookups only: on SQLite it does not queue behind writers for the write lock (WAL
        readers see the last commit), which matters when a crawl checks every URL while it stores."""
        with self._read_sessions.begin() as session:
            yield session

    @contextmanager
    def reading_rows(self) -> Iterator[Connection]:
        """A connection for lookups whose statements may each see the last commit of their own moment (on
        SQLite no transaction spans them), returning plain rows: a search runs three such statements, and
        an ORM session's bookkeeping and the BEGIN cost as much as SQLite's work on them."""
        with self._single_reads.begin() as connection:
            yield connection

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
        with self.reading() as s:
            for i in range(0, len(urls), 500):
                chunk = urls[i : i + 500]
                found.update(
                    s.scalars(select(ArticleRow.canonical_url).where(ArticleRow.canonical_url.in_(chunk)))
                )
        return found

    def fetch_times(self, canonical_urls: Iterable[str]) -> dict[str, FetchTimes]:
        """When each stored URL was last fetched, first stored and published: a feed or sitemap entry
        modified after its last fetch, or a young article seen again, is fetched again."""
        urls = list(dict.fromkeys(canonical_urls))
        found: dict[str, FetchTimes] = {}
        columns = (
            ArticleRow.canonical_url,
            ArticleRow.fetched_at,
            ArticleRow.stored_at,
            ArticleRow.published_at,
        )
        with self.reading() as s:
            for i in range(0, len(urls), 500):
                rows = s.execute(select(*columns).where(ArticleRow.canonical_url.in_(urls[i : i + 500])))
                found.update(
                    {
                        url: FetchTimes(fetched or stored, stored, published)
                        for url, fetched, stored, published in rows
                    }
                )
        return found

    def mark_fetched(self, article_id: int, fetched_at: datetime | None) -> None:
        """Remember that a stored article was fetched again and found unchanged, so that the entry that
        announced it modified does not have it fetched again at every crawl."""
        if fetched_at is None:
            return
        with self.session() as s:
            s.execute(update(ArticleRow).where(ArticleRow.id == article_id).values(fetched_at=fetched_at))

    def article_by_url(self, canonical_url: str) -> StoredArticle | None:
        with self.reading() as s:
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
            self._update_kept_counts(s, [CountedArticle.of(row)])
            outcome = "new" if item.story_id is None else "copy"
            return StoreResult(outcome=outcome, article_id=row.id, story_id=story_id)

    def store_articles(
        self, items: Sequence[ArticleToStore], joins: Sequence[int | None] | None = None
    ) -> list[StoreResult | Exception]:
        """Store new articles in one transaction; `joins[i] = j` makes item i join the story item j (earlier
        in the batch) gets. On any database error the batch falls back to one transaction per article, so
        one bad article is reported in its place and the others are stored."""
        joins = list(joins) if joins is not None else [None] * len(items)
        try:
            with self.session() as s:
                return self._insert_batch(s, items, joins)
        except SQLAlchemyError:
            out: list[StoreResult | Exception] = []
            for item, join in zip(items, joins, strict=True):
                try:
                    out.append(self.store_article(_joined(item, join, out)))
                except Exception as exc:  # one bad article never loses the batch
                    out.append(exc)
            return out

    def _insert_batch(
        self, s: Session, items: Sequence[ArticleToStore], joins: Sequence[int | None]
    ) -> list[StoreResult | Exception]:
        """New stories, then articles, each in one bulk INSERT of plain rows (the ORM's unit of work took
        twice the time for rows it never reads again); then the counts of stories stored before."""
        now = utcnow()
        # Each item's story: an existing id, or ("new", i) for the story item i starts.
        story_keys: list[int | tuple[str, int]] = []
        for i, (item, join) in enumerate(zip(items, joins, strict=True)):
            if item.story_id is not None:
                story_keys.append(item.story_id)
            elif join is None:
                story_keys.append(("new", i))
            else:
                story_keys.append(story_keys[join])
        members: dict[int | tuple[str, int], list[Article]] = {}
        for item, key in zip(items, story_keys, strict=True):
            members.setdefault(key, []).append(item.article)
        started = [key for key in members if isinstance(key, tuple)]
        new_stories = [_story_values(items[key[1]].article.title, members[key], now) for key in started]
        new_ids = self._insert_rows(s, StoryRow, new_stories)
        story_id = dict(zip(started, new_ids, strict=True))
        story_of = [key if isinstance(key, int) else story_id[key] for key in story_keys]
        rows = [self._article_values(item, story) for item, story in zip(items, story_of, strict=True)]
        article_ids = self._insert_rows(s, ArticleRow, rows)
        self._update_kept_counts(s, [CountedArticle.of_values(row) for row in rows])
        stored_before = [key for key in members if isinstance(key, int)]
        for story_row in s.scalars(select(StoryRow).where(StoryRow.id.in_(stored_before))):
            for article in members[story_row.id]:
                _count(story_row, article)
        return [
            StoreResult(outcome="copy" if isinstance(key, int) or key[1] != i else "new", article_id=row_id,
                        story_id=story)
            for i, (key, row_id, story) in enumerate(zip(story_keys, article_ids, story_of, strict=True))
        ]  # fmt: skip

    def _insert_rows(
        self, s: Session, table: type[StoryRow] | type[ArticleRow], rows: list[dict[str, Any]]
    ) -> list[int]:
        """Insert plain rows, returning their ids in order. PostgreSQL takes the ids from the table's
        sequence up front, so that the rows go in one pipelined executemany instead of one huge
        INSERT ... RETURNING that psycopg must parse (three times faster for a batch of articles). SQLite
        gives each new row one more than the table's largest id, in the order of a multi-row INSERT, so the
        ids it returns, sorted, are in the rows' order: SQLAlchemy, which cannot know that, would otherwise
        insert the rows one statement at a time to keep the order (a third of a crawl's storing time)."""
        if not rows:
            return []
        if self.engine.dialect.name == "postgresql":
            name = table.__tablename__
            ids = list(
                s.execute(
                    text(
                        f"SELECT nextval(pg_get_serial_sequence('{name}', 'id')) FROM generate_series(1, :n)"
                    ),
                    {"n": len(rows)},
                ).scalars()
            )
            s.execute(insert(table), [{**row, "id": row_id} for row, row_id in zip(rows, ids, strict=True)])
            return ids
        columns = table.__table__
        ids = sorted(s.scalars(insert(columns).returning(columns.c.id), rows))
        if len(ids) != len(rows):  # a database error: the batch goes again one article at a time
            raise InvalidRequestError(
                f"{table.__tablename__}: {len(rows)} rows inserted, {len(ids)} ids returned"
            )
        return ids

    def _new_story(self, s: Session, article: Article) -> int:
        story = StoryRow(
            title=article.title, first_published=article.published, created_at=utcnow(), article_count=0
        )
        s.add(story)
        s.flush()
        return story.id

    def _count_story(self, s: Session, story_id: int, article: Article) -> None:
        story = s.get(StoryRow, story_id)
        if story is not None:
            _count(story, article)

    def _article_row(self, item: ArticleToStore, story_id: int) -> ArticleRow:
        return ArticleRow(**self._article_values(item, story_id))

    @staticmethod
    def _article_values(item: ArticleToStore, story_id: int) -> dict[str, Any]:
        a = item.article
        return {
            "url": a.url,
            "canonical_url": item.canonical_url,
            "source": a.source,
            "title": a.title,
            "text": a.text,
            "description": a.description,
            "authors": list(a.authors),
            "published_at": a.published,
            "updated_at": a.updated,
            "language": a.language,
            "image": a.image,
            "tags": list(a.tags),
            "section": a.section,
            "warnings": list(a.warnings),
            "discovered_by": a.discovered_by,
            "content_hash": item.content_hash,
            "story_id": story_id,
            "version": 1,
            "fetched_at": a.fetched_at,
            "stored_at": utcnow(),
            "matched_at": None,
            "search_terms": item.search_terms,
        }

    def _store_version(
        self, s: Session, row: ArticleRow, item: ArticleToStore, material: bool
    ) -> StoreResult:
        assert row.story_id is not None
        fetched = item.article.fetched_at
        if fetched is not None and (row.fetched_at is None or fetched > row.fetched_at):
            row.fetched_at = fetched
        if row.content_hash == item.content_hash:
            return StoreResult("unchanged", row.id, row.story_id, row.version, material=False)
        if not s.scalar(select(func.count()).where(ArticleVersionRow.article_id == row.id)):
            s.add(self._version_row(row, row.version, material=True))
        a = item.article
        before = CountedArticle.of(row)
        if a.title and a.title != row.title:
            # A story is named by the copy that started it: its title follows that copy's new version.
            named = (StoryRow.id == row.story_id) & (StoryRow.title == row.title)
            s.execute(update(StoryRow).where(named).values(title=a.title))
        row.version += 1
        row.title, row.text, row.content_hash = a.title or row.title, a.text, item.content_hash
        row.updated_at = a.updated or row.updated_at
        row.search_terms = item.search_terms
        row.matched_at = None  # re-match: an update that newly matches a watch alerts once
        s.add(self._version_row(row, row.version, material=material))
        if before.search_terms != row.search_terms:
            self._update_kept_counts(s, [CountedArticle.of(row)], [before])
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

    def latest_stories(self, limit: int = 20) -> list[Story]:
        with self.session() as s:
            query = select(StoryRow).where(StoryRow.merged_into.is_(None))
            rows = list(s.scalars(query.order_by(StoryRow.id.desc()).limit(limit)))
            out = []
            for row in rows:
                ids = s.scalars(
                    select(ArticleRow.id).where(ArticleRow.story_id == row.id).order_by(ArticleRow.id)
                )
                out.append(Story(row.id, row.title, row.first_published, row.created_at, tuple(ids)))
            return out

    def story_articles(self, story_id: int) -> list[StoredArticle]:
        with self.session() as s:
            rows = s.scalars(
                select(ArticleRow).where(ArticleRow.story_id == story_id).order_by(ArticleRow.id)
            )
            return [convert.article(r) for r in rows]

    def articles_since(self, since: datetime, limit: int = 10_000) -> list[StoredArticle]:
        with self.session() as s:
            query = (
                select(ArticleRow).where(ArticleRow.stored_at >= since).order_by(ArticleRow.id).limit(limit)
            )
            return [convert.article(r) for r in s.scalars(query)]

    def count_articles(self, source: str | None = None) -> int:
        with self.session() as s:
            query = select(func.count()).select_from(ArticleRow)
            if source:
                query = query.where(ArticleRow.source == source)
            return int(s.scalar(query) or 0)

    def count_stories(self) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.count()).select_from(StoryRow)) or 0)


def _story_values(title: str | None, articles: Sequence[Article], now: datetime) -> dict[str, Any]:
    """A new story's row, counted already: the articles of the batch that start and join it."""
    dates = [article.published for article in articles if article.published]
    return {
        "title": title,
        "first_published": min(dates) if dates else None,
        "created_at": now,
        "article_count": len(articles),
        "merged_into": None,
        "merged_at": None,
    }


def _count(story: StoryRow, article: Article) -> None:
    story.article_count += 1
    if article.published and (story.first_published is None or article.published < story.first_published):
        story.first_published = article.published


def _joined(
    item: ArticleToStore, join: int | None, done: Sequence[StoreResult | Exception]
) -> ArticleToStore:
    """The item with the story of the batch item it joins filled in (unchanged when it joins none, or when
    that item could not be stored: it then starts its own story)."""
    if join is None or item.story_id is not None:
        return item
    target = done[join]
    if isinstance(target, Exception):
        return item
    return replace(item, story_id=target.story_id)


__all__ = ["ArticleToStore", "NewAlert", "Repository", "StoreResult", "WatchHit", "utcnow"]
