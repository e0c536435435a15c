"""Language of an article: from its text first, the page's declarations when the text is too short.

Kazakh pages often declare lang="ru" (one template for both editions), so declared values only break
ties. newsmon.text.detect_language is used when it is available; py3langid otherwise.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from crawlers.pages.metadata import PageMetadata, jsonld_text

logger = logging.getLogger(__name__)

KAZAKH_LETTERS_RE = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
CYRILLIC_RE = re.compile("[а-яёА-ЯЁ]")
# Letters of the 2018 Latin Kazakh alphabet that other Latin-script languages rarely combine.
LATIN_KAZAKH_RE = re.compile("[ǵıńýúǴŃÝÚ]")
# Letters of Latin alphabets that the 2018 Kazakh one lacks (Turkish ş ğ ç, Czech ř č š ž ě ů, Polish ł ą ę...):
# Turkish shares its ı and Czech its ý and ú with Latin Kazakh.
NOT_LATIN_KAZAKH_RE = re.compile("[şğçřčšžěůłąęőűñßøæåàèìòùâêîôûëïÿœ]", re.IGNORECASE)
LATIN_RE = re.compile("[a-zA-Z]")
TURKIC_NEIGHBOURS = frozenset({"tk", "tr", "az", "uz", "ky", "tt", "ba"})
MIN_TEXT_FOR_DETECTION = 80
SAMPLE_CHARS = 500


def find_language(text: str, title: str | None, meta: PageMetadata) -> str | None:
    """ISO 639-1 code of the article: of its body, with the headline only when the body is shorter than a
    sample. A headline is a poor witness (short, names and borrowed words) that the language model had to be
    asked about on most pages, and in the other language of a bilingual portal it made a Russian article
    "mixed"."""
    declared = _declared(meta)
    sample = _whole_sentences(text) if len(text) >= SAMPLE_CHARS else f"{title or ''}\n{text}"[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_TEXT_FOR_DETECTION:
        return declared
    cyrillic = len(CYRILLIC_RE.findall(sample))
    latin = len(LATIN_RE.findall(sample))
    latin_kazakh = (
        latin > 50
        and len(LATIN_KAZAKH_RE.findall(sample)) / latin > 0.02
        and len(NOT_LATIN_KAZAKH_RE.findall(sample)) / latin < 0.005
    )
    if cyrillic > 50 or latin_kazakh:
        shared = _shared_verdict(sample)
        if shared:
            return shared
    if latin_kazakh:
        return "kk"
    if cyrillic > 50:
        kazakh = len(KAZAKH_LETTERS_RE.findall(sample))
        return "kk" if kazakh / cyrillic > 0.02 else _cyrillic_language(sample, declared)
    detected = _detect(sample)
    if declared == "kk" and detected in TURKIC_NEIGHBOURS:
        return "kk"
    return detected or declared


def _whole_sentences(text: str) -> str:
    """The first SAMPLE_CHARS of `text`, without the sentence cut off at their end when whole ones fill most of
    them: a piece of a sentence is poor evidence, and one too short to tell had to go to the language model."""
    sample = text[:SAMPLE_CHARS]
    end = max(sample.rfind("\n"), *(sample.rfind(f"{mark} ") for mark in ".!?…"))
    return sample[: end + 1] if end >= SAMPLE_CHARS // 2 else sample


def _shared_verdict(sample: str) -> str | None:
    """newsmon.text's ru/kk verdict when that analyser is installed and sure."""
    shared = _shared_detector()
    if shared is None:
        return None
    try:
        found = shared(sample)
    except Exception:  # the shared analyser is optional here; our own rules decide instead
        logger.debug("newsmon.text.detect_language failed", exc_info=True)
        return None
    return found if found in {"ru", "kk"} else None


CYRILLIC_LANGUAGES = frozenset({"ru", "bg", "uk", "sr", "mk", "be", "ky", "mn", "tg", "kk"})


def _cyrillic_language(sample: str, declared: str | None) -> str:
    """Russian unless the text or the page says another Cyrillic language (Bulgarian, Ukrainian...)."""
    detected = _detect(sample)
    if declared in CYRILLIC_LANGUAGES and detected in {None, declared}:
        return declared
    return detected if detected in CYRILLIC_LANGUAGES else "ru"


def _declared(meta: PageMetadata) -> str | None:
    value = (
        (jsonld_text(meta.jsonld.get("inLanguage")) if meta.jsonld else None)
        or meta.html_lang
        or meta.first("og:locale", "content-language", "language", "dc.language")
    )
    if not value:
        return None
    code = re.split(r"[-_]", value.strip().lower())[0]
    return {"kz": "kk", "qz": "kk"}.get(code, code) if 2 <= len(code) <= 3 else None


def _detect(sample: str) -> str | None:
    language, _score = _identifier().classify(sample)
    return str(language) if language else None


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """The langid model newsmon.text already holds (one copy, mapped from its cache), else py3langid's own."""
    try:
        from newsmon.text.language import identifier

        return identifier()
    except ImportError:
        import py3langid.langid

        return py3langid.langid.LanguageIdentifier.from_model_file(py3langid.langid.MODEL_FILE)


def release_models() -> None:
    """Drop the language model this process holds (what it mapped, or 70 MB where it had to unpack it); the
    next detection loads it again. For a crawl whose extraction has moved to worker processes."""
    _identifier.cache_clear()
    try:
        from newsmon.text.language import identifier
    except ImportError:
        return
    identifier.cache_clear()


@lru_cache(maxsize=1)
def _shared_detector() -> Callable[[str], str] | None:
    try:
        from newsmon.text import detect_language
    except ImportError:
        return None
    return detect_language
