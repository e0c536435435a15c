"""Web pages for readers: search with highlighted results, an article, a story with every copy, trends."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from newsmon.api.auth import require_page
from newsmon.api.errors import ApiError
from newsmon.api.routes.search import trend_json
from newsmon.api.searching import PAGE_LIMIT, filters_from
from newsmon.query import split_marked
from newsmon.search import SearchRequest, get_article, get_story
from newsmon.storage.tokens import ApiToken

router = APIRouter(include_in_schema=False)
Reader = Annotated[ApiToken, Depends(require_page("reader"))]
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Text = Annotated[str, Query(max_length=2000)]
Short = Annotated[str, Query(max_length=200)]
SORTS = ("relevance", "date")
LANGUAGES = ("", "ru", "kk", "en")
DEFAULT_LIMIT = 20
FILTERS = ("query", "since", "until", "source", "lang")
RANGE_ORDER = re.compile(r"until \((?P<until>[^()]*)\) must be after since \((?P<since>[^()]*)\)")
DATE_TYPED = re.compile(r"\s*\d{4}-\d{2}-\d{2}")


def _form(query: str, since: str, until: str, source: str, lang: str, **extra: str) -> dict[str, str]:
    return {"query": query, "since": since, "until": until, "source": source, "lang": lang, **extra}


def _page_url(path: str, params: dict[str, str]) -> str:
    """A link to a page with these parameters; empty ones are left out, as the form would leave them."""
    return f"{path}?{urlencode({key: value for key, value in params.items() if value})}"


def _page_message(message: str, since: str, until: str) -> str:
    """An error as a page words it: the dates of an until-before-since error as the user typed them (the
    service gives the instants they were read as)."""
    order = RANGE_ORDER.fullmatch(message)
    if order:
        message = (
            f"until ({_as_typed(until, order['until'])}) must be after "
            f"since ({_as_typed(since, order['since'])})"
        )
    return message


def _as_typed(typed: str, read_as: str) -> str:
    """A date or time as typed; a duration (`30d`) with the time it stands for, which the user never saw."""
    if DATE_TYPED.match(typed):
        return typed.strip()
    try:
        moment = datetime.fromisoformat(read_as).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        moment = read_as
    return f"{typed.strip()}: {moment}" if typed.strip() else moment


@router.get("/search")
def search_page(
    request: Request,
    _token: Reader,
    query: Text = "",
    since: Short = "",
    until: Short = "",
    source: Short = "",
    lang: Short = "",
    sort: Short = "relevance",
    cursor: Annotated[str, Query(max_length=500)] = "",
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    form = _form(query, since, until, source, lang, sort=sort if sort in SORTS else "relevance")
    form["limit"] = "" if limit == DEFAULT_LIMIT else str(limit)
    context: dict[str, Any] = {"form": form, "sorts": SORTS, "languages": LANGUAGES, "results": None}
    context.update(message=None, field=None, next_url=None)
    context["trend_url"] = _page_url("/trends", {key: form[key] for key in FILTERS})
    status = 200
    if query.strip():
        try:
            filters = filters_from(since, until, [source] if source else [], [lang] if lang else [])
            wanted = SearchRequest(query, filters, form["sort"], limit, cursor or None)
            page = request.app.state.searcher.run(wanted)
        except ApiError as exc:
            context.update(message=_page_message(exc.message, since, until), field=exc.field)
            status = exc.status
        else:
            context["results"] = [(r, *split_marked(r.snippet)) for r in page.results]
            if page.next_cursor:
                context["next_url"] = _page_url("/search", {**form, "cursor": page.next_cursor})
    return request.app.state.pages.render(request, "search.html", http_status=status, **context)


@router.get("/articles/{article_id}")
def article_page(request: Request, article_id: RowId, _token: Reader) -> Response:
    repo = request.app.state.repo
    article = get_article(repo, article_id)
    if article is None:
        raise ApiError(404, f"no article {article_id}", "article_id")
    versions = repo.article_versions(article_id)
    return request.app.state.pages.render(request, "article.html", article=article, versions=versions)


@router.get("/stories/{story_id}")
def story_page(request: Request, story_id: RowId, _token: Reader) -> Response:
    story = get_story(request.app.state.repo, story_id)
    if story is None:
        raise ApiError(404, f"no story {story_id}", "story_id")
    portals = sorted({copy.article.source or "?" for copy in story.copies})
    return request.app.state.pages.render(
        request, "story.html", story=story, title=story.title, portals=portals
    )


@router.get("/trends")
def trends_page(
    request: Request,
    _token: Reader,
    query: Text = "",
    since: Short = "30d",
    until: Short = "",
    source: Short = "",
    lang: Short = "",
    by: Short = "day",
) -> Response:
    form = _form(query, since, until, source, lang, by=by if by in ("day", "week") else "day")
    context: dict[str, Any] = {
        "form": form,
        "languages": LANGUAGES,
        "trend": None,
        "message": None,
        "field": None,
    }
    status = 200
    if query.strip():
        try:
            context["trend"] = trend_json(
                request,
                query,
                since,
                until,
                [source] if source else [],
                [lang] if lang else [],
                form["by"],
                True,
            )
        except ApiError as exc:
            context.update(message=_page_message(exc.message, since, until), field=exc.field)
            status = exc.status
    return request.app.state.pages.render(request, "trends.html", http_status=status, **context)
