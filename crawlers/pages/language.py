"""Language of an article: from its text first, the page's declarations when the text is too short.

Kazakh pages often declare lang="ru" (one template for both editions), so declared values only break
ties. newsmon.text.detect_language is used when it is available; py3langid otherwise.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import lru_cache

from crawlers.pages.metadata import PageMetadata, jsonld_text

logger = logging.getLogger(__name__)

KAZAKH_LETTERS_RE = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
CYRILLIC_RE = re.compile("[а-яёА-ЯЁ]")
# Letters of the 2018 Latin Kazakh alphabet that other Latin-script languages rarely combine.
LATIN_KAZAKH_RE = re.compile("[ǵıńýúǴŃÝÚ]")
LATIN_RE = re.compile("[a-zA-Z]")
TURKIC_NEIGHBOURS = frozenset({"tk", "tr", "az", "uz", "ky", "tt", "ba"})
MIN_TEXT_FOR_DETECTION = 80


def find_language(text: str, title: str | None, meta: PageMetadata) -> str | None:
    """ISO 639-1 code of the article."""
    declared = _declared(meta)
    sample = f"{title or ''}\n{text}"[:3000]
    if len(sample.strip()) < MIN_TEXT_FOR_DETECTION:
        return declared
    cyrillic = len(CYRILLIC_RE.findall(sample))
    if cyrillic > 50:
        kazakh = len(KAZAKH_LETTERS_RE.findall(sample))
        return "kk" if kazakh / cyrillic > 0.02 else _cyrillic_language(sample, declared)
    latin = len(LATIN_RE.findall(sample))
    if latin > 50 and len(LATIN_KAZAKH_RE.findall(sample)) / latin > 0.02:
        return "kk"
    detected = _detect(sample)
    if declared == "kk" and detected in TURKIC_NEIGHBOURS:
        return "kk"
    return detected or declared


def _cyrillic_language(sample: str, declared: str | None) -> str:
    if declared in {"ru", "bg", "uk", "sr", "mk", "be", "ky", "mn", "tg"}:
        detected = _detect(sample)
        return declared if detected in {None, declared} else detected
    detected = _detect(sample)
    return detected if detected in {"ru", "bg", "uk", "sr", "mk", "be", "ky", "mn", "tg", "kk"} else "ru"


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
    shared = _shared_detector()
    if shared is not None:
        try:
            found = shared(sample)
        except Exception:  # the shared analyser is optional here; fall back to py3langid
            logger.debug("newsmon.text.detect_language failed", exc_info=True)
        else:
            if found in {"ru", "kk", "en"}:
                return found
    import py3langid

    language, _score = py3langid.classify(sample)
    return str(language) if language else None


@lru_cache(maxsize=1)
def _shared_detector() -> Callable[[str], str] | None:
    try:
        from newsmon.text import detect_language
    except ImportError:
        return None
    return detect_language
