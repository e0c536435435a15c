"""Russian lemmas from pymorphy3, corrected by an override list and a rule for surnames."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources

import pymorphy3

from newsmon.text.loading import load_once

logger = logging.getLogger(__name__)

OVERRIDES_FILE = "overrides_ru.txt"
# Parses scoring at least this share of the best one count for a dictionary word: «банки» -> банк (not
# банка, 0.15), «дела» -> дело, «стали» -> стать (not сталь, 0.01).
KNOWN_SCORE_RATIO = 0.3
# Guessed (out-of-dictionary) words: only parses tied with the best one.
GUESS_SCORE_RATIO = 0.99
# Russian-declined surnames: Сапарбаев, Сапарбаева, Сапарбаевым, Путиной... -> the masculine base.
SURNAME = re.compile(r"^(?P<base>[а-я]{3,}(?:ов|ев|ин|ын))(?:а|у|ым|ом|е|ой|ою|ых|ыми|ы)?$")


@load_once
def morph_analyzer() -> pymorphy3.MorphAnalyzer:
    """The process's one analyser: loading the dictionaries takes a moment and some memory."""
    return pymorphy3.MorphAnalyzer()


def parse_overrides(text: str) -> dict[str, str]:
    """form -> lemma from the override table; a malformed line is reported and skipped."""
    table: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        lemma, _, forms = line.partition("\t")
        lemma = lemma.strip().lower().replace("ё", "е")
        if not lemma or " " in lemma:
            logger.warning("%s line %d: expected 'lemma<TAB>forms', got %r", OVERRIDES_FILE, number, raw)
            continue
        for form in [lemma, *forms.split()]:
            table[form.lower().replace("ё", "е")] = lemma
    return table


@lru_cache(maxsize=1)
def overrides() -> dict[str, str]:
    text = resources.files("newsmon.text").joinpath(OVERRIDES_FILE).read_text(encoding="utf-8")
    return parse_overrides(text)


def surname_base(word: str) -> str | None:
    match = SURNAME.match(word)
    return match.group("base") if match else None


def russian_lemmas(word: str) -> tuple[frozenset[str], bool]:
    """(lemmas, trusted) of a lowercase Cyrillic word; trusted = a dictionary word or an override.

    Untrusted lemmas are pymorphy's guess for a word it does not know: the caller adds other analyses.
    """
    override = overrides().get(word)
    if override:
        return frozenset({override}), True
    morph = morph_analyzer()
    parses = morph.parse(word)
    known = morph.word_is_known(word)
    ratio = KNOWN_SCORE_RATIO if known else GUESS_SCORE_RATIO
    top = parses[0].score if parses else 0.0
    lemmas = {p.normal_form.replace("ё", "е") for p in parses if p.score >= top * ratio}
    base = surname_base(word)
    if base:
        lemmas.add(base)
    return frozenset(lemmas or {word}), known
