"""The text analyser that matching and search share.

Contract (stable; other packages rely on it):
- `clean_text(text) -> str`: display-safe normalisation (NFC, whitespace, invisible characters, HTML
  entities, homoglyphs inside Cyrillic and Latin words repaired). Keeps typographic quotes and dashes.
- `fold(text) -> str`: the matching form: clean + lowercase + ё -> е + quotes and dashes folded to ASCII.
- `Token(surface, start, end, norm, terms)`: one word; start/end are offsets into the text as given.
- `tokenize(text) -> list[Token]`: word tokens with character offsets into `text` and a folded form.
- `word_terms(word, lang=None) -> frozenset[str]`: the index terms of one word: Russian lemmas, Kazakh
  stems, Latin Kazakh transliterated to Cyrillic; what a query word and a text word must share to match.
  Terms are untagged strings in one alphabet (Kazakh-only letters folded); see `newsmon.text.terms`.
- `analyse(text, lang=None) -> list[Token]`: tokens with their terms filled in (cached per word form).
- `index_text(text, lang=None) -> str`: every word's terms in order, the document a full-text index holds.
- `analysis_language(code) -> str | None`: the `lang` to analyse an article in from any language code it
  carries ("ru"/"kk", aliases such as "kz" included; None for the rest). `lang` above must be one of
  ru, kk, en, mixed, other or None; an article's own code goes through this first.
- `LANGUAGE_ALIASES`: other spellings of ru and kk (kz, qaz, kaz, rus).
- `detect_language(text) -> str`: "ru", "kk", "en", "mixed" or "other".
- `transliterate_kazakh_latin(text) -> str`: Latin Kazakh (2018 or 2021 alphabet) to Cyrillic.
- `analyzer_version: str`: changes whenever terms may change, so stored indexes can be rebuilt.
- `release_models()`: drop the loaded models and per-word caches (a process whose analysis has moved to
  workers); the next call loads them again.
"""

from newsmon.text.language import detect_language, identifier
from newsmon.text.latin_kazakh import transliterate_kazakh_latin
from newsmon.text.normalise import clean_text, fold
from newsmon.text.russian import morph_analyzer
from newsmon.text.terms import (
    LANGUAGE_ALIASES,
    analyse,
    analysis_language,
    analyzer_version,
    clear_word_caches,
    index_text,
    word_terms,
)
from newsmon.text.tokens import Token, tokenize


def release_models() -> None:
    """Let the language model, the Russian dictionaries and the word caches go (100 MB and more)."""
    identifier.cache_clear()
    morph_analyzer.cache_clear()
    clear_word_caches()


__all__ = [
    "LANGUAGE_ALIASES",
    "Token",
    "analyse",
    "analysis_language",
    "analyzer_version",
    "clean_text",
    "detect_language",
    "fold",
    "index_text",
    "release_models",
    "tokenize",
    "transliterate_kazakh_latin",
    "word_terms",
]
