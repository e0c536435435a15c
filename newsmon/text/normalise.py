"""Display-safe cleaning and the folded matching form of text.

Web text from regional portals carries invisible characters, HTML entities left over by CMS editors and
Latin letters typed inside Cyrillic words (and the other way round). Matching must not depend on any of
that, and neither should what we show to users.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

# Latin letter -> the Cyrillic letter it is mistaken for (and typed instead of) in Cyrillic words.
LATIN_TO_CYRILLIC: dict[str, str] = {
    "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "i": "і", "h": "һ", "k": "к",
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "У", "I": "І",
    "ə": "ә", "Ə": "Ә", "ɵ": "ө", "Ɵ": "Ө",
}  # fmt: skip
# Cyrillic letter -> Latin look-alike, for Cyrillic letters typed inside Latin words.
CYRILLIC_TO_LATIN: dict[str, str] = {
    "а": "a", "с": "c", "е": "e", "о": "o", "р": "p", "х": "x", "у": "y", "і": "i", "һ": "h", "к": "k",
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "O", "Р": "P",
    "Т": "T", "Х": "X", "У": "Y", "І": "I", "ј": "j", "Ј": "J", "ѕ": "s", "Ѕ": "S",
}  # fmt: skip
# Letters of neighbouring Cyrillic alphabets that keyboards substitute for the Kazakh ones.
CYRILLIC_VARIANTS = str.maketrans({"ҡ": "қ", "Ҡ": "Қ", "ӊ": "ң", "Ӊ": "Ң", "ӈ": "ң", "Ӈ": "Ң"})

# Folding of typographic punctuation to ASCII for the matching form.
TYPOGRAPHIC_TO_ASCII = str.maketrans(
    {
        "«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "‟": '"', "″": '"',
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "ʼ": "'", "`": "'",
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
        "…": "...", "ё": "е", "Ё": "Е",
    }
)  # fmt: skip

_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff\u180e]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_SPACE_AROUND_NEWLINE = re.compile(" *(\r\n|\r|\n) *")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
# The letters `is_latin` and `is_cyrillic` accept, as character classes (within letter runs).
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f\u0259\u018f\u0275\u019f]")
CYRILLIC_LETTER = re.compile("[\u0400-\u052f]")  # the letters `is_cyrillic` accepts
_VARIANT_LETTER = re.compile("[ҡҠӊӉӈӇ]")  # the keys of CYRILLIC_VARIANTS
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff" or "\u0500" <= char <= "\u052f"


def is_latin(char: str) -> bool:
    return (char.isascii() and char.isalpha()) or "\u00c0" <= char <= "\u024f" or char in "əƏɵƟ"


def repair_word_script(word: str) -> str:
    """Map look-alike letters of the minority script to the script the word is written in."""
    cyrillic = sum(1 for ch in word if is_cyrillic(ch))
    latin = sum(1 for ch in word if is_latin(ch))
    if not cyrillic or not latin:
        return word
    latin_only = sum(1 for ch in word if is_latin(ch) and ch not in LATIN_TO_CYRILLIC)
    cyrillic_only = sum(1 for ch in word if is_cyrillic(ch) and ch not in CYRILLIC_TO_LATIN)
    to_cyrillic = cyrillic_only > latin_only or (cyrillic_only == latin_only and cyrillic >= latin)
    table = LATIN_TO_CYRILLIC if to_cyrillic else CYRILLIC_TO_LATIN
    return "".join(table.get(ch, ch) for ch in word)


def count_matches(pattern: re.Pattern[str], text: str) -> int:
    """Characters of `text` that `pattern` (one character class) matches, without building a list of them."""
    return len(text) - len(pattern.sub("", text))


def _repair_run(match: re.Match[str]) -> str:
    word = match.group()
    if word.isascii() or not _LATIN_LETTER.search(word) or not CYRILLIC_LETTER.search(word):
        return word
    return repair_word_script(word)


def repair_homoglyphs(text: str) -> str:
    """Repair mixed-script words letter run by letter run; other text is left untouched.

    Only a text holding both scripts can hold a mixed word, and only a run holding both needs a look.
    """
    if _VARIANT_LETTER.search(text):
        text = text.translate(CYRILLIC_VARIANTS)
    if not _LATIN_LETTER.search(text) or not CYRILLIC_LETTER.search(text):
        return text
    return _LETTER_RUN.sub(_repair_run, text)


def unescape_entities(text: str) -> str:
    """HTML entities as characters; twice, as CMS exports often double-escape ("&amp;laquo;")."""
    for _ in range(2):
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def clean_text(text: str) -> str:
    """NFC, entities unescaped, invisible and control characters removed, spaces collapsed, homoglyphs repaired.

    Newlines are kept (paragraph structure is meaningful; CRLF becomes LF); spaces around them are dropped.
    """
    if not isinstance(text, str):
        raise TypeError(f"clean_text expects str, got {type(text).__name__}")
    return _clean(text)


@lru_cache(maxsize=16)
def _clean(text: str) -> str:
    """`clean_text`, remembered for the last few texts: a crawl cleans each article's text twice (to tell
    its language, then to normalise it), and the second time costs only a comparison."""
    text = unescape_entities(text)
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    return repair_homoglyphs(text.strip(" "))


def fold_clean(text: str) -> str:
    """The matching form of text that is already clean: lowercase, ё -> е, ASCII quotes and dashes."""
    return text.lower().translate(TYPOGRAPHIC_TO_ASCII)


def fold(text: str) -> str:
    """The matching form: clean + lowercase + ё -> е + typographic quotes and dashes folded to ASCII."""
    return fold_clean(clean_text(text))
