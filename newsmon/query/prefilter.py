"""Which article word forms could share a term with some watch word, decided without analysing them.

Analysing a word form the matcher has not seen (pymorphy3 + Kazakh stemmer) costs about half a
millisecond; a news stream keeps bringing new forms, most of which no watch cares about. This filter is
precomputed from the watches' side:
- a term of a text word is the word itself, one of its Kazakh stems (the word minus suffixes, the last
  stem letter maybe voiced) or a Russian lemma; all but irregular Russian lemmas begin with the first
  `len(term) - 2` letters of the word, so a form passes if it starts with such a prefix of a watch term;
- Russian forms that do not start like their lemma («дня» -> день, «люди» -> человек) are listed from
  pymorphy3 lexemes of the watch words and pass by name.
Forms in other scripts (Latin Kazakh needs transliteration first) always pass.
"""

from __future__ import annotations

import re
from functools import lru_cache

from newsmon.text.kazakh import KAZAKH_ONLY_LETTERS, TERM_FOLD
from newsmon.text.russian import morph_analyzer

MIN_PREFIX = 2
# A letter outside the Cyrillic block (such forms always pass).
_OTHER_LETTER = re.compile("(?![\u0400-\u04ff])[^\\W\\d_]")


def term_prefix(term: str) -> str:
    return term[: max(MIN_PREFIX, len(term) - 2)]


@lru_cache(maxsize=100_000)
def irregular_forms(word: str) -> frozenset[str]:
    """Forms of the Russian lexemes of `word` that do not begin with the prefix of their lemma."""
    if any(ch in KAZAKH_ONLY_LETTERS for ch in word) or not all("а" <= ch <= "я" or ch == "ё" for ch in word):
        return frozenset()
    found: set[str] = set()
    for parse in morph_analyzer().parse(word):
        prefix = term_prefix(parse.normal_form.replace("ё", "е"))
        for form in parse.lexeme:
            text = form.word.replace("ё", "е")
            if not text.startswith(prefix):
                found.add(text)
    return frozenset(found)


class FormFilter:
    """Answers "can this folded text word share a term with any registered watch word?" cheaply."""

    def __init__(self) -> None:
        self._prefixes: set[str] = set()
        self._sizes: set[int] = set()
        self._ordered_sizes: tuple[int, ...] = ()
        self._irregular: set[str] = set()

    def add(self, word: str, terms: frozenset[str]) -> None:
        for term in {*terms, word.translate(TERM_FOLD)}:
            prefix = term_prefix(term)
            self._prefixes.add(prefix)
            self._sizes.add(len(prefix))
        self._ordered_sizes = tuple(sorted(self._sizes))
        self._irregular.update(form.translate(TERM_FOLD) for form in irregular_forms(word))

    # Called for every new word form of every article: plain loops and one regex, no generators.
    def may_match(self, norm: str) -> bool:
        if _OTHER_LETTER.search(norm):
            return True
        folded = norm.translate(TERM_FOLD)
        if folded in self._irregular:
            return True
        prefixes, length = self._prefixes, len(folded)
        for size in self._ordered_sizes:
            if size > length:
                return False
            if folded[:size] in prefixes:
                return True
        return False
