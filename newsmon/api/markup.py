"""Highlighted snippets that are safe to put in a page, and query errors laid out for one.

Scraped titles and text are untrusted. A highlighted snippet is built from plain text and character spans: each
piece of text is escaped first and only then are <mark> tags put around the matched pieces, so nothing a portal
wrote can become markup. Templates never mark scraped text as safe themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from newsmon.query import highlight_snippet

_OPEN, _CLOSE = "\x00", "\x01"  # sentinels that clean text never holds (removed from the input first)


def snippet_with_spans(
    text: str, spans: Sequence[tuple[int, int]], width: int = 240
) -> tuple[str, list[tuple[int, int]]]:
    """A window of `text` around the first span (as alerts show it) and the spans within that window."""
    clean = text.replace(_OPEN, " ").replace(_CLOSE, " ")
    marked = highlight_snippet(clean, spans, width=width, mark=(_OPEN, _CLOSE))
    plain: list[str] = []
    out_spans: list[tuple[int, int]] = []
    position, start = 0, 0
    for char in marked:
        if char == _OPEN:
            start = position
        elif char == _CLOSE:
            out_spans.append((start, position))
        else:
            plain.append(char)
            position += 1
    return "".join(plain), out_spans


def mark_spans(text: str, spans: Sequence[tuple[int, int]]) -> Markup:
    """`text` escaped, with <mark> around each span (spans may overlap or be out of order; an empty or
    inverted span marks nothing)."""
    pieces: list[str] = []
    cursor = 0
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        start = max(start, cursor)
        if end <= start:
            continue
        pieces.append(str(escape(text[cursor:start])))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(str(escape(text[cursor:])))
    return Markup("".join(pieces))


def highlighted_snippet(text: str, spans: Sequence[tuple[int, int]], width: int = 240) -> Markup:
    """The snippet around the first match, escaped, with the matched words marked."""
    snippet, inner = snippet_with_spans(text, spans, width)
    return mark_spans(snippet, inner)


@dataclass(frozen=True, slots=True)
class QueryProblem:
    """A query syntax error in parts, for a page: what is wrong, the query, the character offset, a hint."""

    summary: str
    query: str
    position: int
    hint: str


def query_problem(message: str) -> QueryProblem | None:
    """The parts of a query syntax error's message, None for any other message.

    The message is laid out for a terminal: `what at N: "query"`, then the query and a caret line, each
    indented by two spaces, then an optional hint. A page shows the query once, in a <pre> with the caret
    under the position; in running text the caret lines would collapse onto the first.
    """
    lines = message.split("\n")
    if len(lines) < 3 or not lines[1].startswith("  ") or lines[2].strip() != "^":
        return None
    query, position = lines[1][2:], len(lines[2]) - 3
    quoted = f': "{query}"'
    if not lines[0].endswith(quoted) or position > len(query):
        return None
    # A tab would be wider than the one space under it in the caret line.
    return QueryProblem(lines[0][: -len(quoted)], query.replace("\t", " "), position, "\n".join(lines[3:]))
