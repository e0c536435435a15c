"""Language of a text: Russian, Kazakh, English, a mix of them, or something else.

py3langid knows Kazakh, but on short or quoted passages it drifts to Kyrgyz, Tatar, Bashkir, Ukrainian or
Bulgarian; the Kazakh-only letters settle those cases. Paragraphs are judged one by one so that a Kazakh
article quoting Russian paragraphs comes out "mixed" rather than whichever language has more text.
"""

from __future__ import annotations

import re

from py3langid.langid import LanguageIdentifier

from newsmon.text.langid_model import load_identifier
from newsmon.text.loading import load_once
from newsmon.text.normalise import CYRILLIC_LETTER, clean_text, count_matches

OURS = ("ru", "kk", "en")
# Letters Kazakh has and Russian lacks; і alone is also Ukrainian/Belarusian, so it counts only with others.
KAZAKH_MARKERS = frozenset("әғқңөұүһӘҒҚҢӨҰҮҺ")
# Latin letters that only Latin Kazakh uses (Turkish shares ı ğ ş ç ö ü, so those do not count), plus q.
KAZAKH_LATIN_MARKERS = frozenset("áǵńóúýūñqÁǴŃÓÚÝŪÑQ")
TURKIC_NEIGHBOURS = frozenset({"ky", "tt", "ba", "mn", "uz", "tg", "kk"})
# Letters Russian writes and Bulgarian, Ukrainian, Serbian and Macedonian do not (ы, э), letters of other
# Cyrillic alphabets that Russian lacks, and Russian words Kazakh has no use for (Kazakh typed on a Russian
# keyboard has ы and no Kazakh letters, and seldom two of these words): a chunk with the first, two of the third and none
# of the second or of KAZAKH_MARKERS is Russian without asking the model, which took 9% of a crawl's
# extraction time.
RUSSIAN_LETTERS = "ыэЫЭ"
NOT_RUSSIAN_LETTERS = "іїєґўјљњћђџѓќѕӏҗҙҫҡӊӈӑӗӳІЇЄҐЎЈЉЊЋЂЏЃЌЅӀҖҘҪҠӉӇӐӖӲ"
KAZAKH_IN_RUSSIAN = 0.03  # share of a Russian chunk's letters that Kazakh names in it may hold
MIN_SECOND_SHARE = 0.2  # a second language must hold this share of the letters to call a text mixed
MIN_SECOND_LETTERS = 60
SHORT_CHUNK = 40  # letters; shorter chunks are only told apart among our own languages
CHUNK_LETTERS = 400
_PARAGRAPHS = re.compile(r"\n\s*\n|\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_KAZAKH_MARKER = re.compile(f"[{''.join(sorted(KAZAKH_MARKERS))}]")
_KAZAKH_LATIN_MARKER = re.compile(f"[{''.join(sorted(KAZAKH_LATIN_MARKERS))}]")
_RUSSIAN_LETTER = re.compile(f"[{RUSSIAN_LETTERS}]")
_NOT_RUSSIAN_LETTER = re.compile(f"[{NOT_RUSSIAN_LETTERS}]")
_OTHER_CYRILLIC_LETTER = re.compile(f"[{NOT_RUSSIAN_LETTERS.replace('і', '').replace('І', '')}]")
_KAZAKH_I = re.compile("[іІ]")
_RUSSIAN_WORD = re.compile(
    r"(?<![\w-])(?:и|в|на|по|для|что|как|при|также|года|его|это|был|была|были|было|будет|или|но|уже)(?![\w-])"
)


@load_once
def identifier() -> LanguageIdentifier:
    return load_identifier()


def _letters(text: str) -> int:
    return sum(map(str.isalpha, text))


def _chunks(text: str) -> list[tuple[str, int]]:
    """Paragraphs, long ones cut at sentence ends into pieces of about CHUNK_LETTERS letters, with their
    letter counts."""
    chunks: list[tuple[str, int]] = []
    for paragraph in _PARAGRAPHS.split(text):
        piece, letters = "", 0
        for sentence in _SENTENCE_END.split(paragraph):
            piece = f"{piece} {sentence}" if piece else sentence
            letters += _letters(sentence)
            if letters >= CHUNK_LETTERS:
                chunks.append((piece, letters))
                piece, letters = "", 0
        if piece.strip():
            chunks.append((piece, letters))
    return chunks


def _chunk_language(chunk: str, letters: int) -> str:
    cyrillic = count_matches(CYRILLIC_LETTER, chunk)
    markers = count_matches(_KAZAKH_MARKER, chunk)
    if cyrillic * 2 > letters and markers >= max(2, cyrillic * 0.02):
        return "kk"
    if _plainly_russian(chunk, letters, cyrillic, markers):
        return "ru"
    latin_markers = count_matches(_KAZAKH_LATIN_MARKER, chunk) - chunk.lower().count("qu")
    if cyrillic * 2 < letters and latin_markers >= max(2, letters * 0.03):
        return "kk"  # Latin-script Kazakh (2018 or 2021 alphabet)
    ranking = identifier().rank(chunk)
    if letters < SHORT_CHUNK:
        return next((lang for lang, _ in ranking if lang in OURS), "other")
    best = ranking[0][0]
    if best in OURS:
        return best
    if cyrillic * 2 > letters and best in TURKIC_NEIGHBOURS:
        return "kk"
    return "other"


def _plainly_russian(chunk: str, letters: int, cyrillic: int, markers: int) -> bool:
    """Cyrillic with ы or э, two Russian words (и, в, что...), and no letter of another Cyrillic alphabet (Belarusian ў,
    Ukrainian є ї, Serbian ј, Tatar җ) but the few Kazakh ones of a name or title quoted in a Russian article
    («Бейбітшілік пен келісім»: і and the Kazakh markers, up to KAZAKH_IN_RUSSIAN of the letters; Kazakh text
    holds several times that)."""
    if letters < SHORT_CHUNK or cyrillic * 2 <= letters or _RUSSIAN_LETTER.search(chunk) is None:
        return False
    if _NOT_RUSSIAN_LETTER.search(chunk) is not None:  # і, unless it is quoted Kazakh
        if _OTHER_CYRILLIC_LETTER.search(chunk) is not None:
            return False
        markers += count_matches(_KAZAKH_I, chunk)
    return markers <= KAZAKH_IN_RUSSIAN * cyrillic and len(set(_RUSSIAN_WORD.findall(chunk))) >= 2


def detect_language(text: str, *, cleaned: bool = False) -> str:
    """ "ru", "kk", "en", "mixed" (substantial parts in two of these) or "other".

    `cleaned=True` skips `clean_text` for text that already went through it."""
    if not isinstance(text, str):
        raise TypeError(f"detect_language expects str, got {type(text).__name__}")
    weights: dict[str, int] = {}
    for chunk, letters in _chunks(text if cleaned else clean_text(text)):
        if letters:
            lang = _chunk_language(chunk, letters)
            weights[lang] = weights.get(lang, 0) + letters
    if not weights:
        return "other"
    total = sum(weights.values())
    ranked = sorted(weights.items(), key=lambda item: -item[1])
    first = ranked[0][0]
    if len(ranked) > 1:
        second, second_letters = ranked[1]
        substantial = second_letters >= max(MIN_SECOND_LETTERS, total * MIN_SECOND_SHARE)
        if first in OURS and second in OURS and substantial:
            return "mixed"
    return first if first in OURS else "other"
