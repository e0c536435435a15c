"""Index terms: what a query word and a text word must share to match morphologically.

Terms are plain strings in one alphabet: lowercase, ё -> е, and the Kazakh-only letters folded to the
Russian letters typists put in their place (қ->к, ң->н, ғ->г, ү/ұ->у, ө->о, ә->а, і->и, һ->х). They carry
no language tag: a Russian lemma and a Kazakh stem spelt alike (тараз, мерке, астана) are meant to meet,
which is what lets a Kazakh keyword find a Russian text that names the same place. Which analyses a word
gets:
- a word with Kazakh-only letters, or any Cyrillic word when lang="kk": Kazakh stems;
- Latin Kazakh (letters only Latin Kazakh uses, «q» not followed by «u», or lang="kk"): transliterated
  to Cyrillic, then Kazakh stems; the Latin form itself is kept as a term too;
- other Cyrillic words: the Russian lemma(s) pymorphy3 trusts for a dictionary word (plus, without a
  language, the form itself, since Kazakh words like «бала» are Russian dictionary words too); for a word
  it does not know, its guess and the Kazakh stems;
- anything else (English, numbers): the folded form.
Hyphenated words keep their first parts as written and analyse the last part («Нұр-Сұлтанда» ->
нур-султан), so «Султан» does not match «Нур-Султан».
"""

from __future__ import annotations

import re
from functools import lru_cache

from newsmon.text.kazakh import KAZAKH_ONLY_LETTERS, TERM_FOLD, kazakh_stems
from newsmon.text.latin_kazakh import KAZAKH_LATIN_LETTERS, latin_variant, transliterate_word
from newsmon.text.normalise import is_cyrillic, is_latin
from newsmon.text.russian import russian_lemmas
from newsmon.text.tokens import Token, norm_of, tokenize, word_surfaces

# Bump when the terms of any word may change (rules, override list, dictionaries), so indexes are rebuilt.
analyzer_version = "1"

LANGUAGES = frozenset({"ru", "kk", "en", "mixed", "other"})
_Q_NOT_QU = re.compile(r"q(?!u)")
_APOSTROPHES = re.compile("['\u2019\u02bc]")


def _latin_terms(word: str, lang: str | None) -> frozenset[str]:
    kazakh = lang == "kk" or any(ch in KAZAKH_LATIN_LETTERS for ch in word) or _Q_NOT_QU.search(word)
    if not kazakh:
        return frozenset({word})
    cyrillic = transliterate_word(word, latin_variant(word))
    return kazakh_stems(cyrillic) | {word}


def _cyrillic_terms(word: str, lang: str | None) -> frozenset[str]:
    if lang == "kk" or any(ch in KAZAKH_ONLY_LETTERS for ch in word):
        return kazakh_stems(word)
    lemmas, trusted = russian_lemmas(word)
    if trusted:
        return lemmas if lang == "ru" else lemmas | {word}
    return lemmas | kazakh_stems(word)


def _single_terms(word: str, lang: str | None) -> frozenset[str]:
    word = _APOSTROPHES.sub("", word) if any(is_cyrillic(ch) for ch in word) else word
    if not word or not any(ch.isalpha() for ch in word):
        return frozenset({word} if word else ())
    if all(is_cyrillic(ch) or not ch.isalpha() for ch in word):
        terms = _cyrillic_terms(word, lang)
    elif all(is_latin(ch) or not ch.isalpha() for ch in word):
        terms = _latin_terms(word, lang)
    else:
        terms = frozenset({word})
    return frozenset(term.translate(TERM_FOLD) for term in terms)


def _norm_terms(norm: str, lang: str | None) -> frozenset[str]:
    head, sep, last = norm.rpartition("-")
    if not sep or not head or not last:
        return _single_terms(norm.strip("-"), lang)
    prefix = head.translate(TERM_FOLD) + "-"
    return frozenset(prefix + term for term in _single_terms(last, lang))


_terms_of_norm = lru_cache(maxsize=500_000)(_norm_terms)


@lru_cache(maxsize=500_000)
def word_terms(word: str, lang: str | None = None) -> frozenset[str]:
    """The index terms of one word; two words match morphologically iff their term sets intersect."""
    return _terms_of_norm(norm_of(word), _analysis_language(lang))


# Other spellings of our languages' codes found in pages, feeds and queries.
LANGUAGE_ALIASES = {"kz": "kk", "qaz": "kk", "kaz": "kk", "rus": "ru"}


def analysis_language(code: str | None) -> str | None:
    """The `lang` to analyse an article in, from whatever language code it carries: "ru" or "kk" (aliases
    included), whose rules apply, else None. Articles carry any ISO code their page or the detector gave
    ("de", "uk", ...), which the analyser's own functions refuse as unknown; such an article must still be
    indexed and matched, as text without Russian or Kazakh rules."""
    folded = (code or "").strip().lower()
    folded = LANGUAGE_ALIASES.get(folded, folded)
    return folded if folded in ("ru", "kk") else None


def _analysis_language(lang: str | None) -> str | None:
    """The language whose rules apply: ru or kk; other known values (en, mixed, other) get none."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {sorted(LANGUAGES)} or None")
    return lang if lang in ("ru", "kk") else None


def analyse(text: str, lang: str | None = None) -> list[Token]:
    """Tokens of `text` with their terms filled in."""
    return [Token(t.surface, t.start, t.end, t.norm, word_terms(t.norm, lang)) for t in tokenize(text)]


@lru_cache(maxsize=500_000)
def _index_form(norm: str, lang: str | None) -> str:
    """One word's part of an index document. Its terms are computed here, not through the caches of
    `word_terms`: the string is all indexing needs again, and caching the term set too would hold each
    form twice over (a process that indexes a million articles fills these caches)."""
    return " ".join(sorted(_norm_terms(norm, lang) or {norm}))


@lru_cache(maxsize=200_000)  # as many as norm_of holds
def _surface_index_form(surface: str, lang: str | None) -> str:
    """`_index_form` of a word as written ("" for one that folds to nothing): one cache lookup a word."""
    norm = norm_of(surface)
    return _index_form(norm, lang) if norm else ""


def clear_word_caches() -> None:
    """Forget the folded forms and terms remembered per word form."""
    for cached in (norm_of, _terms_of_norm, word_terms, _index_form, _surface_index_form):
        cached.cache_clear()


def index_text(text: str, lang: str | None = None) -> str:
    """Every word's terms (sorted per word) in reading order, space-separated: the document a full-text
    index holds for `text`. The same terms as `analyse`, without building tokens (each form cached)."""
    lang = _analysis_language(lang)
    return " ".join(filter(None, [_surface_index_form(surface, lang) for surface in word_surfaces(text)]))
