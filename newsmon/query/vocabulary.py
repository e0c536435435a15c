"""The words compiled queries look for, and the lookup from an article's word forms to them.

Each distinct query word is registered once (however many watches use it) and gets a small integer id.
An article is read once: every token's folded form is looked up in a per-form cache that maps it to the
ids of all query words it satisfies. On a cache miss the form is analysed with `newsmon.text.word_terms`
(itself cached) and the terms are looked up in an inverted index, so the cost of morphology is paid once
per distinct form, never per watch.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import newsmon.text as text_analysis
from newsmon.text import Token
from newsmon.text.kazakh import TERM_FOLD  # the alphabet terms are written in (қ->к, ә->а, ...)

log = logging.getLogger(__name__)

MORPH, EXACT, PREFIX = "morph", "exact", "prefix"
MAX_CACHED_FORMS = 400_000
_NO_IDS: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class WordSpec:
    """A query word as the matcher sees it: its folded form and how text words must relate to it."""

    kind: str  # morph: share a term; exact: same folded form; prefix: folded form or a term starts with it
    form: str


def _has_latin(form: str) -> bool:
    return any(ch.isalpha() and ch < "\u0400" for ch in form)


def query_word_terms(form: str) -> frozenset[str]:
    """Terms of a query word. A Latin-script query word may be Latin Kazakh («Jambyl», «Taraz») even
    without the letters that give Latin Kazakh away in running text, so it also gets its Kazakh reading."""
    terms = text_analysis.word_terms(form)
    return terms | text_analysis.word_terms(form, "kk") if _has_latin(form) else terms


def prefix_forms(stem: str) -> set[str]:
    """What a prefix is compared with: the folded stem, its term alphabet form, and for a Latin stem its
    Cyrillic reading (so «Taraz*» finds «Таразда»)."""
    forms = {stem, stem.translate(TERM_FOLD)}
    if _has_latin(stem):
        readings = text_analysis.word_terms(stem, "kk") - {stem}
        if readings:
            forms.add(max(readings, key=len))
    return {form for form in forms if form}


class Vocabulary:
    """Registry of query words with an inverted index from terms, forms and prefixes to word ids."""

    def __init__(self) -> None:
        self.specs: list[WordSpec] = []
        self._ids: dict[WordSpec, int] = {}
        self._by_term: dict[str, list[int]] = {}
        self._by_form: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[int]] = {}
        self._prefix_lengths: set[int] = set()
        self._cache: dict[tuple[str, str | None], tuple[int, ...]] = {}

    def __len__(self) -> int:
        return len(self.specs)

    def add(self, spec: WordSpec) -> int:
        """The id of `spec`, registering it (and indexing its terms) on first sight."""
        known = self._ids.get(spec)
        if known is not None:
            return known
        word_id = len(self.specs)
        self.specs.append(spec)
        self._ids[spec] = word_id
        self._cache.clear()
        if spec.kind == PREFIX:
            for prefix in prefix_forms(spec.form):
                self._by_prefix.setdefault(prefix, []).append(word_id)
                self._prefix_lengths.add(len(prefix))
            return word_id
        self._by_form.setdefault(spec.form, []).append(word_id)
        if spec.kind == MORPH:
            for term in query_word_terms(spec.form):
                self._by_term.setdefault(term, []).append(word_id)
        return word_id

    def ids_of_form(self, norm: str, lang: str | None = None) -> tuple[int, ...]:
        """Ids of every query word that a text word with folded form `norm` satisfies."""
        key = (norm, lang)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if len(self._cache) >= MAX_CACHED_FORMS:
            log.info("form cache of %d entries is full; starting over", len(self._cache))
            self._cache.clear()
        found = self._lookup(norm, lang)
        self._cache[key] = found
        return found

    def _lookup(self, norm: str, lang: str | None) -> tuple[int, ...]:
        found: set[int] = set(self._by_form.get(norm, _NO_IDS))
        terms: frozenset[str] = frozenset()
        if self._by_term or self._by_prefix:
            terms = text_analysis.word_terms(norm, lang)
        for term in terms:
            found.update(self._by_term.get(term, _NO_IDS))
        if self._by_prefix:
            for candidate in {norm, *terms}:
                for length in self._prefix_lengths:
                    if length <= len(candidate):
                        found.update(self._by_prefix.get(candidate[:length], _NO_IDS))
        return tuple(sorted(found)) if found else _NO_IDS

    def positions(self, tokens: Sequence[Token], lang: str | None = None) -> dict[int, list[int]]:
        """Word id -> indexes of the tokens that satisfy it, in text order."""
        hits: dict[int, list[int]] = {}
        cache = self._cache
        for index, token in enumerate(tokens):
            ids = cache.get((token.norm, lang))
            if ids is None:
                ids = self.ids_of_form(token.norm, lang)
            for word_id in ids:
                found = hits.get(word_id)
                if found is None:
                    hits[word_id] = [index]
                else:
                    found.append(index)
        return hits

    def cost(self, word_id: int) -> float:
        """A guess at how common a word is in news text (lower = rarer), to pick selective triggers."""
        spec = self.specs[word_id]
        base = 1.0 if len(spec.form) <= 3 else 3.0 / len(spec.form)
        return base * (3.0 if spec.kind == PREFIX else 1.0)
