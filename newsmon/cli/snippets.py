"""Snippets as `newsmon search` and `newsmon watch test` print them, the matched words marked once.

A terminal shows the matched words in bold yellow; piped or redirected output (and JSON and CSV) wraps them in
`[[` and `]]`, the marker of alert payloads. No mark adds quotation marks, so a match the article itself put
in guillemets reads «[[Бейбітшілік пен келісім]]», its «» once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

MARK = ("[[", "]]")
STYLE = "bold yellow"  # rich's name of the terminal highlight


def runs(snippet: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """(text, matched) pieces of `snippet`; spans may overlap or be out of order."""
    out: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in sorted((max(0, s), min(len(snippet), e)) for s, e in spans):
        start = max(start, cursor)
        if end <= start:
            continue
        out += [(snippet[cursor:start], False), (snippet[start:end], True)]
        cursor = end
    out.append((snippet[cursor:], False))
    return [(text, matched) for text, matched in out if text]


def marked(snippet: str, spans: Sequence[tuple[int, int]]) -> str:
    """The snippet with each matched run between [[ and ]], for pipes, files, JSON and CSV."""
    return "".join(f"{MARK[0]}{text}{MARK[1]}" if matched else text for text, matched in runs(snippet, spans))


def styled(snippet: str, spans: Sequence[tuple[int, int]]) -> str:
    """The snippet with the matched runs in bold yellow (bold only under NO_COLOR), for a terminal."""
    colour = None if os.environ.get("NO_COLOR") else "yellow"
    return "".join(
        click.style(text, bold=True, fg=colour) if matched else text for text, matched in runs(snippet, spans)
    )


def rich_markup(snippet: str, spans: Sequence[tuple[int, int]], terminal: bool) -> str:
    """Rich markup for a table cell: article text escaped, matched runs styled on a terminal, else [[marked]]."""
    from rich.markup import escape

    if not terminal:
        return escape(marked(snippet, spans))
    return "".join(
        f"[{STYLE}]{escape(text)}[/{STYLE}]" if matched else escape(text)
        for text, matched in runs(snippet, spans)
    )


def for_stdout(snippet: str, spans: Sequence[tuple[int, int]]) -> str:
    """Styled when standard output is a terminal, marked with [[ ]] when it is piped or redirected."""
    return styled(snippet, spans) if stdout_is_terminal() else marked(snippet, spans)


def stdout_is_terminal() -> bool:
    """Whether standard output is a terminal that shows styles (not a pipe, a file or TERM=dumb)."""
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"
