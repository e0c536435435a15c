"""The text analyser that matching and search share.

Contract (stable; other packages rely on it):
- `clean_text(text) -> str`: display-safe normalisation (NFC, whitespace, invisible characters, homoglyphs
  inside Cyrillic words repaired). Keeps typographic quotes and dashes.
- `tokenize(text) -> list[Token]`: word tokens with character offsets into `text` and a folded form.
- `word_terms(word, lang=None) -> frozenset[str]`: the index terms of one word: Russian lemmas, Kazakh
  stems, Latin Kazakh transliterated to Cyrillic; what a query word and a text word must share to match.
- `analyse(text, lang=None) -> list[Token]`: tokens with their terms filled in (cached per word form).
- `detect_language(text) -> str`: "ru", "kk", "en", "mixed" or "other".
"""
