"""What a caller may ask of search, checked once: filters, sort, limit, cursor. Bad input -> SearchError.

`SearchError(message, field)` names the input that was wrong ("query", "since", "limit", ...) so the
HTTP API can answer 400/422 pointing at the parameter, and the CLI can print one line.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from newsmon.query import QuerySyntaxError
from newsmon.text import LANGUAGE_ALIASES
from newsmon.timespec import TimeSpecError, parse_since

if TYPE_CHECKING:
    from newsmon.storage import Repository

SORTS = ("relevance", "date")
LANGUAGES = ("ru", "kk", "en")  # the languages the archive is analysed for (others are stored too)
# ISO 639 codes as articles are stored with them; the query language reads `lang:kz` as kk, and so does this.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
MAX_LIMIT = 1000
DEFAULT_LIMIT = 20
SOURCES_SHOWN = 12  # source names an unknown-source error lists


class SearchError(ValueError):
    """Input search cannot use; `field` is the parameter at fault, `position` the offset in a query."""

    def __init__(self, message: str, field: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.position = position

    @classmethod
    def from_syntax(cls, exc: QuerySyntaxError) -> SearchError:
        return cls(str(exc), "query", exc.position)


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Metadata filters besides the query: a time range (until exclusive), sources, languages."""

    since: datetime | None = None
    until: datetime | None = None
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


def parse_time(value: str | datetime | date | None, field: str, *, end: bool = False) -> datetime | None:
    """`7d`, `2025-03-01`, `2025-03-01T10:00+05:00` or a datetime; a bare date as `until` means its end."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise SearchError(f"{field}: {value.isoformat()} has no time zone; give one (e.g. +05:00)", field)
        return value
    if isinstance(value, date):
        start = datetime(value.year, value.month, value.day, tzinfo=UTC)
        return _day_after(start, value.isoformat(), field) if end else start
    try:
        moment = parse_since(value)
    except TimeSpecError as exc:
        raise SearchError(f"{field}: {exc}", field) from None
    bare_date = len(value.strip()) == 10 and "T" not in value
    return _day_after(moment, value, field) if end and bare_date else moment


def _day_after(start: datetime, typed: str, field: str) -> datetime:
    """The end of the day starting at `start` (a bare date as `until` takes in that whole day)."""
    try:
        return start + timedelta(days=1)
    except OverflowError:
        raise SearchError(
            f"{field}: {typed} is the last day a date can hold; leave {field} out for no end", field
        ) from None


def build_filters(
    since: str | datetime | date | None = None,
    until: str | datetime | date | None = None,
    source: str | list[str] | tuple[str, ...] | None = None,
    lang: str | list[str] | tuple[str, ...] | None = None,
) -> SearchFilters:
    """Checked filters from user input (CLI options, API parameters, keyword arguments)."""
    start, stop = parse_time(since, "since"), parse_time(until, "until", end=True)
    if start and stop and start >= stop:
        raise SearchError(f"until ({stop.isoformat()}) must be after since ({start.isoformat()})", "until")
    sources = _names(source)
    try:
        languages = language_codes(_names(lang))
    except ValueError as exc:
        raise SearchError(f"lang: {exc}", "lang") from None
    return SearchFilters(start, stop, sources, languages)


def language_codes(values: Iterable[str]) -> tuple[str, ...]:
    """Language codes as articles are stored with them: lowercase, aliases read (kz as kk), each once.

    Search filters and watches both compare them with each article's code, so `RU` or `kz` would match
    nothing; ValueError names a value that is no code at all (`russian`)."""
    codes: list[str] = []
    for value in values:
        code = value.strip().lower()
        code = LANGUAGE_ALIASES.get(code, code)
        if not LANGUAGE_CODE.fullmatch(code):
            raise ValueError(
                f"{value!r} is not a language code; use two- or three-letter codes such as "
                f"{', '.join(LANGUAGES)} (kz is read as kk)"
            )
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def check_sources(repo: Repository, filters: SearchFilters) -> None:
    """A source filter must name at least one source the archive holds articles from: a misspelt name
    («zakon» for «zakon.kz») would otherwise read as "nothing matched". The error suggests the closest
    names. Among several names, those without articles yet are let be (a portal not crawled so far)."""
    if not filters.sources or repo.any_source_has_articles(filters.sources):
        return
    known = repo.article_sources()
    close = difflib.get_close_matches(filters.sources[0], known, n=3, cutoff=0.5)
    if close:
        hint = f"did you mean {', '.join(repr(name) for name in close)}?"
    elif known:
        more = ", ..." if len(known) > SOURCES_SHOWN else ""
        hint = f"sources with articles: {', '.join(known[:SOURCES_SHOWN])}{more}"
    else:
        hint = "the archive holds no articles yet"
    names = " or ".join(repr(name) for name in filters.sources)
    raise SearchError(f"source: no article in the archive comes from {names}; {hint}", "source")


def _names(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    return tuple(x.strip() for item in items for x in item.split(",") if x.strip())


def check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise SearchError(f"sort: {sort!r} is not a sort order; use relevance or date", "sort")
    return sort


def check_limit(limit: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise SearchError(f"limit: {limit!r} is not a whole number; use 1 to {MAX_LIMIT}", "limit")
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"limit: {limit!r} is out of range; use 1 to {MAX_LIMIT}", "limit")
    return limit


def encode_cursor(sort: str, key: tuple[Any, int]) -> str:
    """An opaque cursor: base64 of the JSON sort key of the last result shown."""
    first = key[0].isoformat() if isinstance(key[0], datetime) else key[0]
    payload = json.dumps({"s": sort, "k": [first, key[1]]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    """The sort key inside a cursor made by `encode_cursor` for the same sort order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        kind, (first, last_id) = payload["s"], payload["k"]
        if kind != sort:
            raise SearchError(f"cursor: it belongs to sort={kind}, not sort={sort}", "cursor")
        value = datetime.fromisoformat(first) if sort == "date" else float(first)
        if not isinstance(last_id, int) or (isinstance(value, datetime) and value.tzinfo is None):
            raise TypeError("id or date")
    except SearchError:
        raise
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise SearchError("cursor: not a cursor this search returned", "cursor") from None
    return value, last_id
