"""Reading an article's words fast, exactly as `newsmon.text.tokenize` splits them.

`tokenize` builds a Token object per word (about 1 ms for a 5 KB article); the matcher only needs the
words as written, and character offsets only for articles that matched. When the tokenizer's pattern is
available both come straight from the regular expression; otherwise `tokenize` itself is used.
tests/query/test_reading.py checks that both ways agree.
"""

from __future__ import annotations

import re

from newsmon.text import tokenize
from newsmon.text import tokens as token_module
from newsmon.text.tokens import norm_of

_PATTERN: re.Pattern[str] | None = getattr(token_module, "_TOKEN", None)
if _PATTERN is not None and "word" not in _PATTERN.groupindex:
    _PATTERN = None


def surfaces(text: str) -> list[str]:
    """The words of `text` as written (a word whose folded form is empty is still listed)."""
    if _PATTERN is None or _PATTERN.groups != 2:
        return [token.surface for token in tokenize(text)]
    word_group = _PATTERN.groupindex["word"] - 1
    return [groups[word_group] for groups in _PATTERN.findall(text) if groups[word_group]]


def offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) in `text` of each token `tokenize` would give, in order."""
    if _PATTERN is None:
        return [(token.start, token.end) for token in tokenize(text)]
    spans = []
    for match in _PATTERN.finditer(text):
        surface = match.group("word")
        if surface and norm_of(surface):
            spans.append(match.span("word"))
    return spans
