"""The words compiled queries look for, and the lookup from an article's word forms to them.

Each distinct query word is registered once (however many watches use it) and gets a small integer id.
An article is read once: every token's folded form is looked up in a per-form cache that maps it to the
ids of all query words it satisfies. On a cache miss the form is analysed with `newsmon.text.word_terms`
(itself cached) and the terms are looked up in an inverted index, so the cost of morphology is paid once
per distinct form, never per watch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import newsmon.text as text_analysis
from newsmon.query.prefilter import FormFilter
from newsmon.text.kazakh import TERM_FOLD  # the alphabet terms are written in (қ->к, ә->а, ...)
from newsmon.text.tokens import norm_of

log = logging.getLogger(__name__)

MORPH, EXACT, PREFIX = "morph", "exact", "prefix"
MAX_CACHED_FORMS = 400_000
OBSERVED_AFTER = 1000  # articles read before word costs come from what was read
_NO_IDS: tuple[int, ...] = ()
_MISSING = (-1,)


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
    """Registry of query words with an inverted index from terms, forms and prefixes to word ids.

    `prefilter` (on by default) skips analysing text words that cannot share a term with any query word
    (see newsmon.query.prefilter); switch it off to analyse every word.
    """

    def __init__(self, prefilter: bool = True) -> None:
        self.specs: list[WordSpec] = []
        self._ids: dict[WordSpec, int] = {}
        self._by_term: dict[str, list[int]] = {}
        self._by_form: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[int]] = {}
        self._prefix_lengths: set[int] = set()
        self._filter = FormFilter() if prefilter else None
        # lang -> text word as written -> ids; a surface maps to None when it is not a word token.
        self._cache: dict[str | None, dict[str, tuple[int, ...] | None]] = {}
        self._cached = 0
        # Articles read, and in how many of them each word id occurred.
        self.articles_read = 0
        self.document_counts: list[int] = []

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
            terms = query_word_terms(spec.form)
            for term in terms:
                self._by_term.setdefault(term, []).append(word_id)
            if self._filter is not None:
                self._filter.add(spec.form, terms)
        return word_id

    def ids_of_form(self, norm: str, lang: str | None = None) -> tuple[int, ...]:
        """Ids of every query word that a text word with folded form `norm` satisfies."""
        found: set[int] = set(self._by_form.get(norm, _NO_IDS))
        terms: frozenset[str] = frozenset()
        if self._by_term and (self._filter is None or self._filter.may_match(norm)):
            terms = text_analysis.word_terms(norm, lang)
            for term in terms:
                found.update(self._by_term.get(term, _NO_IDS))
        if self._by_prefix:
            for candidate in {norm, norm.translate(TERM_FOLD), *terms}:
                for length in self._prefix_lengths:
                    if length <= len(candidate):
                        found.update(self._by_prefix.get(candidate[:length], _NO_IDS))
        return tuple(sorted(found)) if found else _NO_IDS

    def _surface_ids(self, surface: str, lang: str | None) -> tuple[int, ...] | None:
        if self._cached >= MAX_CACHED_FORMS:
            log.info("word form cache of %d entries is full; starting over", self._cached)
            self._cache.clear()
            self._cached = 0
        norm = norm_of(surface)
        ids = self.ids_of_form(norm, lang) if norm else None
        self._cache.setdefault(lang, {})[surface] = ids
        self._cached += 1
        return ids

    def read_words(self, words: list[str], lang: str | None = None) -> dict[int, list[int]]:
        """Word id -> indexes of the tokens (as `tokenize` counts them) that satisfy it, for a text split
        into its words by `newsmon.query.reading.surfaces`. `lang` is the article's own code, whatever it
        is ("de" reads as text without Russian or Kazakh rules)."""
        lang = text_analysis.analysis_language(lang)
        hits: dict[int, list[int]] = {}
        cache = self._cache.get(lang)
        if cache is None:
            cache = self._cache.setdefault(lang, {})
        index = 0
        for surface in words:
            ids = cache.get(surface, _MISSING)
            if ids is _MISSING:
                ids = self._surface_ids(surface, lang)
            if not ids:
                if ids is not None:  # a word no watch asks for: counted, nothing to record
                    index += 1
                continue
            for word_id in ids:
                found = hits.get(word_id)
                if found is None:
                    hits[word_id] = [index]
                else:
                    found.append(index)
            index += 1
        return hits

    def cost(self, word_id: int) -> float:
        """How common a word is in news text (lower = rarer), to pick selective triggers: the share of the
        articles read that held it once enough were read, a guess from its length before that."""
        if self.articles_read >= OBSERVED_AFTER:
            return (self.document_counts[word_id] + 0.5) / (self.articles_read + 1)
        spec = self.specs[word_id]
        base = 1.0 if len(spec.form) <= 3 else 3.0 / len(spec.form)
        return base * (3.0 if spec.kind == PREFIX else 1.0)

    def observe(self, word_ids: Iterable[int]) -> None:
        """Count one article that held these word ids (for `cost`)."""
        counts = self.document_counts
        if len(counts) < len(self.specs):
            counts.extend([0] * (len(self.specs) - len(counts)))
        for word_id in word_ids:
            counts[word_id] += 1
        self.articles_read += 1
