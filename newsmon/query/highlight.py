"""Snippets around the first match with the matched words marked, for alerts and search results.

A mark made of text can clash with the article's own punctuation: «[[…]]» around words the article put in
guillemets reads ««[[Бейбітшілік пен келісім]]»». `snippet_with_spans` gives the snippet unmarked with the
spans of its matched words, so whoever shows it marks them (a colour, [[…]], <mark>) without that clash.
"""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_MARK = ("«[[", "]]»")
ELLIPSIS = "…"
_OPEN, _CLOSE = "\x00", "\x01"  # marks no text holds once they are blanked out of it


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


def snippet_with_spans(
    text: str, spans: Sequence[tuple[int, int]], width: int = 240
) -> tuple[str, list[tuple[int, int]]]:
    """The snippet `highlight_snippet` makes, as plain text and the spans of the matched words in it.

    Nothing is added to the text, so a match the article itself quoted keeps its «» once, whatever mark
    is put around it later.
    """
    clean = text.replace(_OPEN, " ").replace(_CLOSE, " ")
    return split_marked(highlight_snippet(clean, spans, width=width, mark=(_OPEN, _CLOSE)), (_OPEN, _CLOSE))


def split_marked(snippet: str, mark: tuple[str, str] = DEFAULT_MARK) -> tuple[str, list[tuple[int, int]]]:
    """A snippet with marked words -> (plain text, spans of the marked words in it); an unclosed mark is text."""
    opening, closing = mark
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length, rest = 0, snippet
    while (start := rest.find(opening)) >= 0 and (end := rest.find(closing, start + len(opening))) >= 0:
        before, inner = rest[:start], rest[start + len(opening) : end]
        plain += [before, inner]
        length += len(before)
        spans.append((length, length + len(inner)))
        length += len(inner)
        rest = rest[end + len(closing) :]
    plain.append(rest)
    return "".join(plain), spans


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
