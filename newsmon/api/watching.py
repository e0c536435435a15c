"""Watch checks and query tests shared by the JSON endpoints and the watch pages."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from newsmon.api.errors import ApiError, reason_for
from newsmon.api.markup import snippet_with_spans
from newsmon.models import Watch
from newsmon.query import Query, QuerySyntaxError, compile_query
from newsmon.search.options import language_codes
from newsmon.storage import Repository
from newsmon.text import LANGUAGE_ALIASES, detect_language

DELETED_NAME = re.compile(r" \(deleted \d+\)$")


@dataclass(frozen=True, slots=True)
class TextResult:
    """How one text fared against a query: matched or not, the words found, a snippet with its spans.

    `language` is set when the watch takes only some languages: the text's own (given or detected), which
    the matcher checks as it checks an article's; `excluded` says the text failed that check.
    """

    index: int
    matched: bool
    terms: tuple[str, ...]
    snippet: str
    spans: tuple[tuple[int, int], ...]
    language: str | None = None
    excluded: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "index": self.index,
            "matched": self.matched,
            "terms": list(self.terms),
            "snippet": self.snippet,
            "spans": [list(span) for span in self.spans],
        }


def query_error_message(exc: QuerySyntaxError) -> str:
    message = f"{exc.message} (at character {exc.position})"
    return f"{message}; {exc.hint}" if exc.hint else message


def compiled(query: str, field: str = "query") -> Query:
    """The compiled query, or a 400 naming the field and saying what is wrong with it."""
    try:
        return compile_query(query)
    except QuerySyntaxError as exc:
        raise ApiError(400, query_error_message(exc), field) from None
    except RecursionError:
        raise ApiError(400, "query nests too deeply", field) from None


def live_watch(repo: Repository, watch_id: int) -> Watch:
    """The watch, or a 404 when there is none or it was deleted: changing it would bring it back."""
    item = repo.get_watch(watch_id)
    if item is None:
        raise ApiError(404, f"no watch {watch_id}", "watch_id")
    if item.deleted:
        raise ApiError(404, f"watch {watch_id} ({item.former_name!r}) was deleted", "watch_id")
    return item


def live_watches(repo: Repository) -> list[Watch]:
    return [item for item in repo.list_watches() if not item.deleted]


def watch_languages(values: Sequence[str]) -> tuple[str, ...]:
    """A watch's languages read as search reads `lang`; a word that is no code is a 400 naming `languages`."""
    try:
        return language_codes(values)
    except ValueError as exc:
        raise ApiError(400, f"languages: {exc}", "languages") from None


def checked_watch(repo: Repository, item: Watch) -> Watch:
    """The watch as it should be saved (language codes normalised) if it can be: its query compiles, its
    channels exist, its name is free and is not one that marks a deleted watch."""
    if DELETED_NAME.search(item.name):
        raise ApiError(400, "a name ending in '(deleted N)' marks a deleted watch; choose another", "name")
    compiled(item.query)
    item = dataclasses.replace(item, languages=watch_languages(item.languages))
    known = {channel.name for channel in repo.list_channels()}
    missing = [name for name in item.channels if name not in known]
    if missing:
        raise ApiError(400, f"unknown channel(s): {', '.join(missing)}", "channels")
    holder = repo.get_watch(item.name)
    if holder is not None and holder.id != item.id:
        raise ApiError(409, f"a watch named {item.name!r} exists", "name")
    return item


def input_error(exc: ValidationError) -> ApiError:
    """A 400 for the first problem of a model built from a form: the field by its form name and what it
    takes in words (a web page shows this to people, not pydantic's wording)."""
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error.get("loc", ())) or None
    reason = reason_for(error, field)
    return ApiError(400, f"{field}: {reason}" if field else reason, field)


def try_query(
    query: str, texts: Sequence[tuple[str, str | None]], languages: Sequence[str] = ()
) -> list[TextResult]:
    """Run `query` on each (text, language) pair: which match, and a highlighted snippet of each.

    With `languages` (a watch's, normalised) a text in another language does not match, as an article
    would not; its found words are still marked, so the snippet shows why only the language failed.
    """
    rule = compiled(query)
    results: list[TextResult] = []
    for index, (text, lang) in enumerate(texts):
        found = rule.match(text, lang)
        spans = list(found.spans) if found else []
        snippet, inner = snippet_with_spans(text, spans)
        terms = found.terms if found else ()
        language = _language_of(text, lang) if languages else None
        excluded = language is not None and language not in languages
        results.append(
            TextResult(
                index,
                found is not None and not excluded,
                tuple(terms),
                snippet,
                tuple(inner),
                language,
                excluded,
            )
        )
    return results


def _language_of(text: str, lang: str | None) -> str:
    """A text's language code as an article would carry it: the one given, else the detected one."""
    given = (lang or "").strip().lower()
    return LANGUAGE_ALIASES.get(given, given) or detect_language(text)
