"""Reading an article's words fast, exactly as `newsmon.text.tokenize` splits them.

`tokenize` builds a Token object per word (about 1 ms for a 5 KB article); the matcher only needs the
words as written, and character offsets only for articles that matched. When the tokenizer's pattern is
available both come straight from the regular expression; otherwise `tokenize` itself is used.
tests/query/test_reading.py checks that both ways agree.

Offsets of words already read are found again with `str.find` instead of a second pass of the pattern,
which costs more than the find: between two words the text holds no letter or digit (the pattern would
have taken it as a word) except inside an HTML entity, so a text holding "&" is scanned again instead.
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


def offsets(text: str, words: list[str] | None = None, count: int | None = None) -> list[tuple[int, int]]:
    """(start, end) in `text` of the first `count` tokens `tokenize` would give (all when None), in order.

    `words`, when given, must be what `surfaces(text)` returns: the offsets are then found from them.
    """
    if count is not None and count <= 0:
        return []
    if _PATTERN is None:
        return [(token.start, token.end) for token in tokenize(text)][:count]
    spans: list[tuple[int, int]] = []
    if words is None or "&" in text:
        for match in _PATTERN.finditer(text):
            surface = match.group("word")
            if surface and norm_of(surface):
                spans.append(match.span("word"))
                if len(spans) == count:
                    break
        return spans
    cursor = 0
    for word in words:
        start = text.find(word, cursor)
        cursor = start + len(word)
        if norm_of(word):
            spans.append((start, cursor))
            if len(spans) == count:
                break
    return spans
