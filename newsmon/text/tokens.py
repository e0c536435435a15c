"""Word tokens with offsets into the text as given, so highlighting can wrap the original characters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from newsmon.text.normalise import fold

_LETTER = r"[^\W_]"
# Marks and invisible characters that may sit inside a word without ending it.
_INNER = "[\u0300-\u036f\u00ad\u200b-\u200d\u2060]"
# Letters, with marks allowed inside: (letter | mark)* written as letter* (mark letter*)*, which the regex
# engine runs without trying an alternative at every character.
_PART = rf"{_LETTER}+(?:{_INNER}{_LETTER}*)*"
# Hyphens and apostrophes join parts only when a word character follows («Нур-Султан», «Қазақстан-2050», «O’Neil»).
_JOINER = "[-\u2010\u2011'\u2019\u02bc]"
_TOKEN = re.compile(
    rf"(?P<entity>&(?:#\d{{1,7}}|#[xX][0-9a-fA-F]{{1,6}}|[A-Za-z][A-Za-z0-9]{{1,31}});)"
    rf"|(?P<word>{_PART}(?:{_JOINER}{_PART})*)"
)


@dataclass(frozen=True, slots=True)
class Token:
    """One word: `surface[start:end]` of the original text, its folded form and (after analysis) its terms."""

    surface: str
    start: int
    end: int
    norm: str
    terms: frozenset[str] = frozenset()


@lru_cache(maxsize=200_000)
def norm_of(surface: str) -> str:
    """The folded form of one word surface; cached because news text repeats its words."""
    return fold(surface)


def tokenize(text: str) -> list[Token]:
    """Word tokens of `text` (HTML entities are skipped, not read as words); terms are left empty."""
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects str, got {type(text).__name__}")
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        surface = match.group("word")
        if surface is None:
            continue
        norm = norm_of(surface)
        if norm:
            tokens.append(Token(surface, match.start(), match.end(), norm))
    return tokens


# _TOKEN with the word as its only group: findall gives each word as written, and "" for a skipped entity.
_WORD_SURFACE = re.compile(_TOKEN.pattern.replace("(?P<entity>", "(?:").replace("(?P<word>", "("))


def word_surfaces(text: str) -> list[str]:
    """The words of `text` as written, in order: `tokenize` without offsets or folding, for indexing (a
    list built in C, four times faster than a loop over matches)."""
    return [surface for surface in _WORD_SURFACE.findall(text) if surface]
