"""/api/articles, /api/stories, /api/trends, /api/export (reader role): the analysts' read side."""

from __future__ import annotations

from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse

from newsmon.api.auth import require
from newsmon.api.errors import ApiError
from newsmon.api.schemas import article_json
from newsmon.api.searching import (
    PAGE_LIMIT,
    TRENDS_SINCE,
    filters_from,
    result_json,
    search_errors,
)
from newsmon.search import (
    ExportRequest,
    SearchRequest,
    get_article,
    get_story,
    trends,
)
from newsmon.search.export import export_chunks
from newsmon.storage.tokens import ApiToken

router = APIRouter(prefix="/api", tags=["search"])
Reader = Annotated[ApiToken, Depends(require("reader"))]
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
QueryText = Annotated[
    str, Query(min_length=1, max_length=2000, description="Query language: docs/query-language.md")
]
Since = Annotated[str | None, Query(max_length=40, description="7d, 12h, 1y, 2025-03-01 or an ISO time")]
Until = Annotated[str | None, Query(max_length=40, description="As since; a bare date includes that day")]
Sources = Annotated[list[str], Query(max_length=100, description="Source name (repeat, or comma separated)")]
Languages = Annotated[
    list[str], Query(max_length=10, description="ru, kk or en (repeat, or comma separated)")
]


@router.get(
    "/articles",
    summary="Search: one result per story (its best copy), newest or most relevant first, cursor pagination",
)
def search_articles(
    request: Request,
    _token: Reader,
    query: QueryText,
    since: Since = None,
    until: Until = None,
    source: Sources = [],  # noqa: B006 - FastAPI copies defaults
    lang: Languages = [],  # noqa: B006
    sort: Literal["relevance", "date"] = "relevance",
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = 20,
    cursor: Annotated[
        str | None, Query(max_length=500, description="next_cursor of the previous page")
    ] = None,
) -> dict[str, Any]:
    filters = filters_from(since, until, source, lang)
    page = request.app.state.searcher.run(SearchRequest(query, filters, sort, limit, cursor or None))
    return {
        "query": query,
        "count": len(page.results),
        "results": [result_json(r) for r in page.results],
        "next_cursor": page.next_cursor,
    }


@router.get("/articles/{article_id}", summary="One article with its text and earlier versions")
def read_article(request: Request, article_id: RowId, _token: Reader) -> dict[str, Any]:
    repo = request.app.state.repo
    article = get_article(repo, article_id)
    if article is None:
        raise ApiError(404, f"no article {article_id}", "article_id")
    versions = [_version_json(v) for v in repo.article_versions(article_id)]
    return {**article_json(article), "versions": versions}


@router.get("/stories/{story_id}", summary="A story: every copy on every portal, with each copy's versions")
def read_story(request: Request, story_id: RowId, _token: Reader) -> dict[str, Any]:
    story = get_story(request.app.state.repo, story_id)
    if story is None:
        raise ApiError(404, f"no story {story_id}", "story_id")
    return {
        "id": story.id,
        "title": story.title,
        "first_published": story.first_published.isoformat() if story.first_published else None,
        "copies": [
            {**article_json(copy.article), "versions": [_version_json(v) for v in copy.versions]}
            for copy in story.copies
        ],
    }


def _version_json(version: dict[str, Any]) -> dict[str, Any]:
    stored = version.get("stored_at")
    return {**version, "stored_at": stored.isoformat() if stored else None}


@router.get(
    "/trends",
    summary="Matching articles per day or week, optionally per source (default: the last 30 days)",
)
def trend(
    request: Request,
    _token: Reader,
    query: QueryText,
    since: Since = None,
    until: Until = None,
    source: Sources = [],  # noqa: B006
    lang: Languages = [],  # noqa: B006
    by: Literal["day", "week"] = "day",
    per_source: bool = True,
) -> dict[str, Any]:
    return trend_json(request, query, since, until, source, lang, by, per_source)


def trend_json(request: Request, query: str, *args: Any) -> dict[str, Any]:
    since, until, sources, languages, by, per_source = args
    filters = filters_from(since or TRENDS_SINCE, until, sources, languages)
    with search_errors():
        found = trends(request.app.state.repo, query, by=by, per_source=per_source, filters=filters)
    series = found.series()
    return {
        "query": query,
        "by": by,
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
        "verified": found.verified,
        "total": found.total(),
        "periods": [p.isoformat() for p in found.periods],
        "series": [
            {"source": name, "counts": counts} for name, counts in sorted(series.items(), key=_by_name)
        ],
    }


def _by_name(item: tuple[str | None, list[int]]) -> str:
    return item[0] or ""


@router.get(
    "/export",
    summary="Every matching article (all copies) as JSON lines or CSV, streamed",
)
def export_articles(
    request: Request,
    _token: Reader,
    query: QueryText,
    since: Since = None,
    until: Until = None,
    source: Sources = [],  # noqa: B006
    lang: Languages = [],  # noqa: B006
    out_format: Annotated[Literal["jsonl", "csv"], Query(alias="format")] = "jsonl",
) -> StreamingResponse:
    filters = filters_from(since, until, source, lang)
    with search_errors():
        wanted = ExportRequest(
            query, path=FilePath(f"export.{out_format}"), format=out_format, filters=filters
        )
        body = export_chunks(request.app.state.repo, wanted)
    kind = "application/x-ndjson" if out_format == "jsonl" else "text/csv; charset=utf-8"
    name = f"newsmon-{date.today().isoformat()}.{out_format}"
    return StreamingResponse(
        body, media_type=kind, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
