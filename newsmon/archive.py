"""The Python API for analysts: `from newsmon import Archive`.

    archive = Archive()                                   # the configured database (NEWSMON_DATABASE_URL)
    hits = archive.search("«Жамбыл облысы» NEAR/5 аким", since="30d", lang="kk")
    hits[0].snippet, hits[0].story_id, hits.next_cursor
    archive.story(hits[0].story_id).copies                # every portal's copy and its versions
    archive.trends("Тараз", by="week").series()
    archive.export("Тараз", "taraz.parquet")              # CSV, JSONL or Parquet by extension

Each method is a thin call into newsmon.search; bad input raises `SearchError` naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import inspect, make_url
from sqlalchemy.exc import ArgumentError

from newsmon.models import StoredArticle
from newsmon.search import (
    ExportRequest,
    Result,
    SearchRequest,
    StoryView,
    Trend,
    build_filters,
    export,
    get_article,
    get_story,
    search,
    trends,
)
from newsmon.search.frames import data_frame
from newsmon.storage import Repository

TimeInput = str | datetime | date | None
_HOW = "create one with `newsmon db upgrade` (then crawl, or `newsmon ingest`), or give the URL of another"


class ArchiveNotFound(LookupError):
    """The database named holds no archive; an analyst's session should not start on an empty one."""


def _check_exists(database_url: str) -> None:
    """A SQLite file that is not there is not created (nor its directory): reading it would make an empty
    database out of a mistyped path."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return  # the engine names the malformed URL
    file = url.database if url.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not Path(file).exists():
        raise ArchiveNotFound(f"no archive at {file}: {_HOW}")


def _shown(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)


Names = str | list[str] | tuple[str, ...] | None


class SearchResults(list[Result]):
    """A page of results (a list) with the cursor of the next page."""

    def __init__(self, results: list[Result], next_cursor: str | None) -> None:
        super().__init__(results)
        self.next_cursor = next_cursor

    def to_dicts(self) -> list[dict[str, Any]]:
        return [result.to_dict() for result in self]

    def to_pandas(self) -> Any:
        """A pandas DataFrame, one row per result (ImportError with instructions when pandas is missing)."""
        return data_frame(self.to_dicts())


class Archive:
    """The stored articles, searched with the watches' query language."""

    def __init__(self, database_url: str | None = None, *, aliases: Mapping[str, str] | None = None) -> None:
        if database_url is None:
            from newsmon.config import get_settings

            database_url = get_settings().effective_database_url
        _check_exists(database_url)
        self.repository = Repository.from_url(database_url)
        self.aliases = dict(aliases or {})
        try:
            holds_articles = inspect(self.repository.engine).has_table("articles")
        except Exception:
            self.repository.dispose()
            raise
        if not holds_articles:
            self.repository.dispose()
            raise ArchiveNotFound(f"{_shown(database_url)} holds no newsmon archive: {_HOW}")

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.repository.dispose()

    def search(
        self,
        query: str,
        *,
        since: TimeInput = None,
        until: TimeInput = None,
        source: Names = None,
        lang: Names = None,
        sort: str = "relevance",
        limit: int = 20,
        cursor: str | None = None,
    ) -> SearchResults:
        """One page of matching stories, best first (or newest first with sort="date")."""
        request = SearchRequest(
            query,
            build_filters(since, until, source, lang),
            sort=sort,
            limit=limit,
            cursor=cursor,
            aliases=self.aliases,
        )
        results, next_cursor = search(self.repository, request)
        return SearchResults(results, next_cursor)

    def article(self, article_id: int) -> StoredArticle | None:
        return get_article(self.repository, article_id)

    def story(self, story_id: int) -> StoryView | None:
        return get_story(self.repository, story_id)

    def trends(
        self,
        query: str,
        by: str = "day",
        per_source: bool = False,
        *,
        since: TimeInput = None,
        until: TimeInput = None,
        source: Names = None,
        lang: Names = None,
    ) -> Trend:
        filters = build_filters(since, until, source, lang)
        return trends(
            self.repository, query, by=by, per_source=per_source, filters=filters, aliases=self.aliases
        )

    def export(
        self,
        query: str,
        path: str | Path,
        format: str | None = None,
        *,
        since: TimeInput = None,
        until: TimeInput = None,
        source: Names = None,
        lang: Names = None,
    ) -> int:
        """Write every matching article to `path` (format from the extension unless given); rows written."""
        request = ExportRequest(
            query, Path(path), format or "", build_filters(since, until, source, lang), self.aliases
        )
        return export(self.repository, request)
