"""Glue between HTTP parameters and the search service, shared by /api/articles and the search page.

The search core raises `SearchError(message, field)` for input it cannot use; here that becomes a 400 that
names the parameter. Result snippets come with the matched words marked; they are split back into plain
text and spans so that pages escape the text first and put <mark> in afterwards.

`Searcher` is the app's one way to search: it keeps compiled queries for repeated searches, shared by the
server's threads. A search takes no write lock on SQLite (its statements begin no transaction), so
searches in several threads never queue behind one another or behind a crawl storing its batches.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from newsmon.api.errors import ApiError
from newsmon.query.highlight import split_marked
from newsmon.search import Result, SearchError, SearchFilters, SearchRequest, build_filters, search
from newsmon.search.service import QueryCache
from newsmon.storage import Repository

PAGE_LIMIT = 100
TRENDS_SINCE = "30d"


@contextmanager
def search_errors() -> Iterator[None]:
    """Bad search input -> 400 naming the parameter; anything the index cannot take -> 400 too, not 500."""
    try:
        yield
    except SearchError as exc:
        raise ApiError(400, exc.message, exc.field) from None
    except RecursionError:
        raise ApiError(400, "query nests too deeply", "query") from None


def filters_from(
    since: str | None, until: str | None, sources: Sequence[str], languages: Sequence[str]
) -> SearchFilters:
    with search_errors():
        return build_filters(since or None, until or None, list(sources) or None, list(languages) or None)


@dataclass(frozen=True, slots=True)
class SearchPage:
    results: list[Result]
    next_cursor: str | None


class Searcher:
    """Runs the app's searches, with compiled queries kept between requests."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.queries = QueryCache()

    def run(self, request: SearchRequest) -> SearchPage:
        with search_errors():
            results, next_cursor = search(self.repo, request, self.queries)
        return SearchPage(results, next_cursor)


def result_json(result: Result) -> dict[str, Any]:
    data = result.to_dict()
    snippet, spans = split_marked(result.snippet)
    data["snippet"], data["highlights"] = snippet, [list(span) for span in spans]
    data["links"] = {"article": f"/api/articles/{result.article_id}"}
    if result.story_id is not None:
        data["links"]["story"] = f"/api/stories/{result.story_id}"
    return data
