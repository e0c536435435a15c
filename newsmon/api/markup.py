"""Highlighted snippets that are safe to put in a page.

Scraped titles and text are untrusted. A highlighted snippet is built from plain text and character spans: each
piece of text is escaped first and only then are <mark> tags put around the matched pieces, so nothing a portal
wrote can become markup. Templates never mark scraped text as safe themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    """`text` escaped, with <mark> around each span (spans may overlap or be out of order)."""
    pieces: list[str] = []
    cursor = 0
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if end <= cursor or start >= len(text):
            continue
        start = max(start, cursor)
        pieces.append(str(escape(text[cursor:start])))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(str(escape(text[cursor:])))
    return Markup("".join(pieces))


def highlighted_snippet(text: str, spans: Sequence[tuple[int, int]], width: int = 240) -> Markup:
    """The snippet around the first match, escaped, with the matched words marked."""
    snippet, inner = snippet_with_spans(text, spans, width)
    return mark_spans(snippet, inner)
