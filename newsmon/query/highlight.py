"""Snippets around the first match with the matched words marked, for alerts and search results."""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_MARK = ("«[[", "]]»")
ELLIPSIS = "…"


def highlight_snippet(
    text: str,
    spans: Sequence[tuple[int, int]],
    width: int = 240,
    mark: tuple[str, str] = DEFAULT_MARK,
) -> str:
    """About `width` characters of `text` around the first span, every span inside marked.

    Spans are character offsets into `text` (as `Query.highlight` gives them). The window starts a
    third of its width before the first match, is cut at word boundaries, gets "…" where text was cut,
    and has its whitespace collapsed so it fits one line of a message.
    """
    if width < 1:
        raise ValueError(f"width must be positive, got {width}")
    ordered = sorted((max(0, s), min(len(text), e)) for s, e in spans if e > s and s < len(text))
    if ordered:
        first_start, first_end = ordered[0]
        start = max(0, min(first_start - width // 3, len(text) - width))
        start = _word_start(text, start, limit=first_start)
        end = _word_end(text, max(start + width, first_end), floor=first_end)
    else:
        start, end = 0, _word_end(text, width, floor=0)
    pieces: list[str] = [ELLIPSIS] if start > 0 else []
    cursor = start
    for span_start, span_end in ordered:
        if span_start >= end:
            break
        span_start, span_end = max(span_start, cursor), min(span_end, end)
        if span_end <= span_start:
            continue
        pieces += [text[cursor:span_start], mark[0], text[span_start:span_end], mark[1]]
        cursor = span_end
    pieces.append(text[cursor:end])
    if end < len(text):
        pieces.append(ELLIPSIS)
    return " ".join("".join(pieces).split())


def _word_start(text: str, position: int, limit: int) -> int:
    """Move `position` forward past a partial word, but never beyond `limit`."""
    if position <= 0:
        return 0
    if text[position - 1].isspace():
        return position
    space = next((i for i in range(position, limit) if text[i].isspace()), -1)
    return space + 1 if space >= 0 else position


def _word_end(text: str, position: int, floor: int) -> int:
    """Move `position` back to the end of a whole word, but never before `floor`."""
    if position >= len(text):
        return len(text)
    if text[position].isspace():
        return position
    space = next((i for i in range(position - 1, floor - 1, -1) if text[i].isspace()), -1)
    return space if space >= floor and space > 0 else position
