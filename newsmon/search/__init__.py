"""The analysts' search core: search, stories, trends and exports over the stored articles.

    from newsmon.search import SearchRequest, search
    results, next_cursor = search(repo, SearchRequest("«Жамбыл облысы» -спорт", sort="date", limit=20))

Service functions take a `Repository` and plain values and return plain dataclasses; the CLI, the
Python API (`newsmon.Archive`) and the HTTP API are renderings of them. Bad input raises `SearchError`
with the parameter at fault. docs/search.md explains ranking, collapsing, cursors and export columns.
"""

from newsmon.search.export import COLUMNS, FORMATS, ExportRequest, export, export_format, matching_rows
from newsmon.search.options import MAX_LIMIT, SearchError, SearchFilters, build_filters
from newsmon.search.service import (
    PreparedQuery,
    Result,
    SearchRequest,
    StoryCopy,
    StoryView,
    get_article,
    get_story,
    prepare_query,
    search,
)
from newsmon.search.trends import Trend, TrendPoint, sparkline, trends

__all__ = [
    "COLUMNS",
    "FORMATS",
    "MAX_LIMIT",
    "ExportRequest",
    "PreparedQuery",
    "Result",
    "SearchError",
    "SearchFilters",
    "SearchRequest",
    "StoryCopy",
    "StoryView",
    "Trend",
    "TrendPoint",
    "build_filters",
    "export",
    "export_format",
    "get_article",
    "get_story",
    "matching_rows",
    "prepare_query",
    "search",
    "sparkline",
    "trends",
]
