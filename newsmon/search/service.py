"""Search service functions: what the CLI, the Python API and the HTTP API all call.

A search runs in two steps. The full-text index proposes candidates in the backend's order (bm25 on
SQLite, ts_rank on PostgreSQL, or newest first); each candidate story is then read and every copy is
checked with `Query.match` on its real text, which decides the query's exact meaning (NEAR, =exact,
fields, NOT) and gives the highlight spans. A story is shown once, at its best matching copy, with the
number of its copies that match; the cursor is the sort key of the last result shown.

A server answering the same searches again and again passes a `QueryCache`: a compiled query remembers how
each word form it has read relates to its words, so a repeated query checks its candidates faster.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsmon.models import StoredArticle
from newsmon.query import Query, QuerySyntaxError, compile_query, format_query, highlight_snippet
from newsmon.search.equivalents import widen
from newsmon.search.fts import Translation, render, translate
from newsmon.search.options import (
    DEFAULT_LIMIT,
    SearchError,
    SearchFilters,
    check_limit,
    check_sort,
    check_sources,
    decode_cursor,
    encode_cursor,
)
from newsmon.storage import Repository
from newsmon.storage.search import ArticleSelection, Candidate, Document

log = logging.getLogger(__name__)

MAX_EXAMINED = 20_000  # candidates one page may read before it returns what it has, with a cursor
MAX_QUERY_LENGTH = 2000
TEXT_LANGUAGES = frozenset({"ru", "kk", "en", "mixed", "other"})
CACHED_QUERIES = 256  # compiled queries a QueryCache keeps
# Characters of distinct articles all cached queries may have read before the least recently used are
# dropped: what a query learns about word forms grows with the new text it reads (about 10 MB a million).
CACHED_TEXT = 4_000_000


@dataclass(frozen=True, slots=True)
class PreparedQuery:
    """A checked query: compiled for verification and translated for the index."""

    text: str
    query: Query
    translation: Translation

    def match(self, doc: Document) -> Any:
        """The match (terms, spans) of one article, or None."""
        lang = (doc.language or "").lower()
        return self.query.match(
            doc.text, lang if lang in TEXT_LANGUAGES else None, title=doc.title, source=doc.source
        )

    def selection(self, filters: SearchFilters, dialect: str) -> ArticleSelection:
        return ArticleSelection(
            match=render(self.translation.expr, dialect),
            since=filters.since,
            until=filters.until,
            sources=filters.sources,
            languages=filters.languages,
            meta=self.translation.meta,
        )


def prepare_query(
    text: str, aliases: Mapping[str, str] | None = None, *, equivalents: bool = True
) -> PreparedQuery:
    """Compile a query (SearchError naming the position when it cannot be), widened with equivalents."""
    if not isinstance(text, str) or not text.strip():
        raise SearchError("query: empty; give words to search for, e.g. «Жамбыл облысы»", "query")
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchError(f"query: longer than {MAX_QUERY_LENGTH} characters", "query")
    try:
        query = compile_query(text, aliases=aliases)
        widened = widen(query.tree) if equivalents else query.tree
        if widened != query.tree:
            query = compile_query(format_query(widened))
    except QuerySyntaxError as exc:
        raise SearchError.from_syntax(exc) from None
    return PreparedQuery(text, query, translate(query.tree))


@dataclass(slots=True)
class _CachedQuery:
    prepared: PreparedQuery
    seen: set[int] = field(default_factory=set)  # ids of the articles it has read
    text_read: int = 0  # their characters


class QueryCache:
    """Compiled queries by text, shared by the threads of one server; thread-safe.

    An entry is the same `PreparedQuery` for every caller: matching only ever adds to its word-form memory
    (plain dict writes, atomic under the GIL), so concurrent searches may share it. The least recently used
    entries go when more than `size` are held or when the distinct articles they have read come to more
    than `text_budget` characters, which bounds the memory they hold. Queries with aliases are compiled
    afresh every time.
    """

    def __init__(self, size: int = CACHED_QUERIES, text_budget: int = CACHED_TEXT) -> None:
        self.size = size
        self.text_budget = text_budget
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, bool], _CachedQuery] = OrderedDict()
        self._text_read = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def text_read(self) -> int:
        """Characters of the distinct articles the queries held have read (what `text_budget` bounds)."""
        return self._text_read

    def prepare(
        self, text: str, aliases: Mapping[str, str] | None = None, *, equivalents: bool = True
    ) -> PreparedQuery:
        """As `prepare_query`, from the cache when this text was compiled before."""
        if aliases:
            return prepare_query(text, aliases, equivalents=equivalents)
        key = (text, equivalents)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry.prepared
        prepared = prepare_query(text, equivalents=equivalents)
        with self._lock:
            if key not in self._entries:
                self._entries[key] = _CachedQuery(prepared)
                self._trim()
        return prepared

    def count_read(
        self, prepared: PreparedQuery, read: Mapping[int, int], *, equivalents: bool = True
    ) -> None:
        """Record the articles (id -> characters) a cached query read; old entries go past the budget."""
        with self._lock:
            entry = self._entries.get((prepared.text, equivalents))
            if entry is None or entry.prepared is not prepared:
                return
            new = read.keys() - entry.seen
            characters = sum(read[i] for i in new)
            entry.seen |= new
            entry.text_read += characters
            self._text_read += characters
            self._trim()

    def _trim(self) -> None:
        while self._entries and (len(self._entries) > self.size or self._text_read > self.text_budget):
            _, dropped = self._entries.popitem(last=False)
            self._text_read -= dropped.text_read


@dataclass(frozen=True, slots=True)
class Result:
    """One story in a result list, shown by its best matching copy."""

    article_id: int
    story_id: int | None
    title: str | None
    url: str
    source: str | None
    language: str | None
    published: datetime | None
    snippet: str
    score: float
    copies: int  # copies of the story that match the query, this one included
    terms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values in field order (written out: `dataclasses.asdict` deep-copies every value)."""
        return {
            "article_id": self.article_id,
            "story_id": self.story_id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "language": self.language,
            "published": self.published.isoformat() if self.published else None,
            "snippet": self.snippet,
            "score": self.score,
            "copies": self.copies,
            "terms": list(self.terms),
        }


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """Everything one search page needs; `cursor` is the `next_cursor` of the previous page."""

    query: str
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: str = "relevance"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    aliases: Mapping[str, str] | None = None
    equivalents: bool = True
    snippet_width: int = 240


@dataclass(slots=True)
class _Page:
    """The state of one page being assembled: verified stories and the results so far."""

    prepared: PreparedQuery
    selection: ArticleSelection
    sort: str
    stories: dict[int, list[tuple[Document, Any]]] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    read: dict[int, int] = field(default_factory=dict)  # article id -> its size, for QueryCache's budget


def search(
    repo: Repository, request: SearchRequest, queries: QueryCache | None = None
) -> tuple[list[Result], str | None]:
    """One page of results and the cursor of the next page (None when there is none).

    `queries` lends compiled queries that earlier searches warmed up; results are the same without it.
    """
    sort, limit = check_sort(request.sort), check_limit(request.limit)
    after = decode_cursor(request.cursor, sort) if request.cursor else None
    if queries is None:
        prepared = prepare_query(request.query, request.aliases, equivalents=request.equivalents)
    else:
        prepared = queries.prepare(request.query, request.aliases, equivalents=request.equivalents)
    check_sources(repo, request.filters)
    page = _Page(prepared, prepared.selection(request.filters, repo.full_text_dialect), sort)
    try:
        return _collect(repo, request, page, after, limit)
    finally:
        if queries is not None:
            queries.count_read(prepared, page.read, equivalents=request.equivalents)


def _collect(
    repo: Repository, request: SearchRequest, page: _Page, after: tuple[Any, int] | None, limit: int
) -> tuple[list[Result], str | None]:
    sort = page.sort
    batch_size, examined = min(max(2 * limit, 50), 2000), 0
    while examined < MAX_EXAMINED:
        batch = repo.search_candidates(page.selection, sort, after, batch_size)
        _verify_stories(repo, page, batch)
        for position, candidate in enumerate(batch):
            after = _key(candidate, sort)
            best = page.stories.get(_story_key(candidate))
            if best and best[0][0].id == candidate.id:
                result = _result(page.prepared, best, request.snippet_width)
                if result is None:
                    continue
                page.results.append(result)
                if len(page.results) == limit:
                    more = position + 1 < len(batch) or len(batch) == batch_size
                    return page.results, encode_cursor(sort, after) if more else None
        examined += len(batch)
        if len(batch) < batch_size:
            return page.results, None
    log.info(
        "search %r read %d candidates for %d results; returning a cursor",
        request.query,
        examined,
        len(page.results),
    )
    return page.results, encode_cursor(sort, after) if after else None


_NOT_READ = object()  # a copy the index matched exactly, not yet read for its spans


def _story_key(item: Candidate | Document) -> int:
    return item.story_id if item.story_id is not None else -item.id


def _key(item: Candidate | Document, sort: str) -> tuple[Any, int]:
    return (item.score, item.id) if sort == "relevance" else (item.date, item.id)


def _verify_stories(repo: Repository, page: _Page, batch: Sequence[Candidate]) -> None:
    """Read and check every copy of the batch's stories not seen yet; best copy first per story."""
    new = [c for c in batch if _story_key(c) not in page.stories]
    if not new:
        return
    members = repo.story_members(sorted({c.story_id for c in new if c.story_id is not None}))
    ids = {i for story in members.values() for i in story} | {c.id for c in new if c.story_id is None}
    for key in {_story_key(c) for c in new}:
        page.stories[key] = []
    exact = page.prepared.translation.exact
    for doc in repo.search_documents(page.selection, sorted(ids)):
        page.read[doc.id] = 1 + len(doc.text) + len(doc.title or "")  # at least 1: each id is kept too
        # When the index decides the query exactly, every copy it returns matches: only the copy shown is
        # read for its spans (in _result), instead of every copy of every candidate story.
        match = _NOT_READ if exact else page.prepared.match(doc)
        if match is not None:
            page.stories.setdefault(_story_key(doc), []).append((doc, match))
    for copies in page.stories.values():
        copies.sort(key=lambda pair: _key(pair[0], page.sort), reverse=page.sort == "date")


def _result(prepared: PreparedQuery, copies: list[tuple[Document, Any]], width: int) -> Result | None:
    """The story's best copy that the query matches on its text, or None when none does.

    The index can find a word as part of a hyphenated one («Жомарт» in «Қасым-Жомарт»), which the query
    does not match (and a watch does not fire on): such a story is not a result."""
    doc, match = copies[0]
    if match is _NOT_READ:
        read = ((doc, prepared.match(doc)) for doc, _ in copies)
        doc, match = next(((doc, found) for doc, found in read if found is not None), (doc, None))
    if match is None:
        return None
    return Result(
        article_id=doc.id,
        story_id=doc.story_id,
        title=doc.title,
        url=doc.url,
        source=doc.source,
        language=doc.language,
        published=doc.published,
        snippet=highlight_snippet(doc.text, match.spans, width=width),
        score=doc.score,
        copies=len(copies),
        terms=tuple(match.terms),
    )


# --- articles and stories ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StoryCopy:
    """One copy of a story with its earlier versions (oldest first; empty when never changed)."""

    article: StoredArticle
    versions: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class StoryView:
    id: int
    title: str | None
    first_published: datetime | None
    copies: tuple[StoryCopy, ...]


def get_article(repo: Repository, article_id: int) -> StoredArticle | None:
    return repo.get_article(article_id)


def get_story(repo: Repository, story_id: int) -> StoryView | None:
    """A story with every copy (any portal, any language) and every stored version of each copy."""
    story = repo.get_story(story_id)
    if story is None:
        return None
    copies = tuple(
        StoryCopy(article, tuple(repo.article_versions(article.id)))
        for article in repo.story_articles(story_id)
    )
    return StoryView(story.id, story.title, story.first_published, copies)
