"""Latin-script Kazakh to Cyrillic.

Two official Latin alphabets are in use on portals: the 2018 one with acute accents (á ǵ ń ó ú ý, ı for
и/й, i for і, y for ы, u for ұ, ý for у, digraphs sh/ch) and the 2021 one with Turkic letters (ä ğ ñ ö ü ū
ş ç, ı for і, i for и/й, u for у, ū for ұ). The letters they share but read differently (ı, i, u) are decided
by which alphabet's own letters occur in the text; without any, the 2018 reading is used, as most Latin
Kazakh on news portals (e.g. Kazinform's) is in that alphabet.
"""

from __future__ import annotations

import re

MARKERS_2018 = frozenset("áǵńóúýÁǴŃÓÚÝ")
MARKERS_2021 = frozenset("äğñöūüşçÄĞÑÖŪÜŞÇ")
# Letters that only Latin Kazakh uses (either alphabet), for telling it from English.
KAZAKH_LATIN_LETTERS = frozenset("áǵıńóúýäğñöūüşç")

_COMMON = {
    "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "j": "ж", "k": "к", "l": "л",
    "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с", "t": "т", "v": "в", "y": "ы",
    "z": "з", "w": "у", "x": "х", "c": "ц",
}  # fmt: skip
_TABLE_2018 = {
    **_COMMON,
    "á": "ә", "ǵ": "ғ", "ń": "ң", "ó": "ө", "ú": "ү", "ý": "у", "u": "ұ", "i": "і", "ı": "и",
    "ä": "ә", "ğ": "ғ", "ñ": "ң", "ö": "ө", "ü": "ү", "ū": "ұ", "ş": "ш", "ç": "ч",
}  # fmt: skip
_TABLE_2021 = {
    **_COMMON,
    "ä": "ә", "ğ": "ғ", "ñ": "ң", "ö": "ө", "ü": "ү", "ū": "ұ", "u": "у", "ş": "ш", "ç": "ч", "ı": "і",
    "i": "и", "á": "ә", "ǵ": "ғ", "ń": "ң", "ó": "ө", "ú": "ү", "ý": "у",
}  # fmt: skip
_DIGRAPHS = {"sh": "ш", "ch": "ч"}
_VOWELS = frozenset("аәеёиоөұүуыіэюя")
_LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u024f]+")


def latin_variant(text: str) -> str:
    """'2021' when the text uses letters only the 2021 alphabet has, else '2018'."""
    has_2021 = any(ch in MARKERS_2021 for ch in text)
    has_2018 = any(ch in MARKERS_2018 for ch in text)
    return "2021" if has_2021 and not has_2018 else "2018"


def _glide(letters: list[str], index: int) -> str:
    """и after a vowel is written й in Cyrillic (Aıdos -> Айдос, Qaıyrly -> Қайырлы)."""
    return "й" if index > 0 and letters[index - 1] in _VOWELS else "и"


def transliterate_word(word: str, variant: str = "2018") -> str:
    """One run of Latin letters to Cyrillic, keeping a capital first letter (or an all-capitals word)."""
    table = _TABLE_2021 if variant == "2021" else _TABLE_2018
    # Turkic capitals: in 2021 I is the capital of ı and İ of i; str.lower() would give "i" and "i̇".
    capital_i = "ı" if variant == "2021" else "i"
    lower = word.replace("İ", "i").replace("I", capital_i).lower()
    out: list[str] = []
    i = 0
    while i < len(lower):
        pair = lower[i : i + 2]
        if variant == "2018" and pair in _DIGRAPHS:
            out.append(_DIGRAPHS[pair])
            i += 2
            continue
        letter = table.get(lower[i], lower[i])
        out.append(_glide(out, len(out)) if letter == "и" else letter)
        i += 1
    result = "".join(out)
    if word.isupper() and len(word) > 1:
        return result.upper()
    if word[:1].isupper():
        return result[:1].upper() + result[1:]
    return result


def transliterate_kazakh_latin(text: str) -> str:
    """Latin Kazakh (2018 or 2021 alphabet) to Cyrillic; everything that is not a Latin letter is kept."""
    if not isinstance(text, str):
        raise TypeError(f"transliterate_kazakh_latin expects str, got {type(text).__name__}")
    variant = latin_variant(text)
    return _LATIN_RUN.sub(lambda m: transliterate_word(m.group(), variant), text)
