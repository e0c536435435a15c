"""Fingerprints of article text: exact hash, MinHash of word shingles, and the facts a copy must keep.

Everything here is deterministic (fixed seeds, no process-dependent hashing) so a fingerprint computed by one
worker today equals the one computed by another worker next year, and fingerprints can be stored.

Text analysis (folding and tokenising) sits behind `analyse_words`; it uses a local fold (lowercase, ё→е,
Latin look-alikes inside Cyrillic words repaired, Kazakh letters reduced to their Russian base letters) so the
engine does not depend on `newsmon.text` yet.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from pipelines.near_duplicate.minhash import signature as minhash_signature

NUM_PERM = 128
MINHASH_SEED = 1
SHINGLE_WORDS = 3
# A body shorter than this many words is too thin to compare alone: the title is added to it.
MIN_BODY_WORDS = 8
# Facts kept per article: enough for any news text, bounded for long ones.
MAX_SLOTS = 256
NAME_STEM = 5

_TOKEN_RE = re.compile(
    r"(?:(?<![\w.,/-])[-−+](?=\d))?\d+(?:[ \u00a0\u202f]\d{3}(?!\d))*(?:[.,:/-]\d+)*"  # numbers, dates, phones
    r"|[^\W\d_]+(?:[-'’][^\W\d_]+)*",  # words
)
_STRONG_END = frozenset("!?…\n")
_LOOKALIKES = str.maketrans(
    "aceopxykmtbhiABCEHKMOPTXYI",
    "асеорхукмтвһіАВСЕНКМОРТХУІ",
)
_LOOKALIKE_LATIN = frozenset("aceopxykmtbhiABCEHKMOPTXYI")
# Kazakh letters folded to the Russian letters portals type instead of them (қ→к, ү→у, і→и...).
_KAZAKH_BASE = str.maketrans("әғқңөұүһіё", "агкноуухие")
# Month names after folding, by month number: Russian genitive, Kazakh, English.
_MONTHS_BY_NUMBER = {
    1: ("январ", "кантар", "janua"),
    2: ("феврал", "акпан", "febru"),
    3: ("марта", "наурыз", "march"),
    4: ("апрел", "сауир", "april"),
    5: ("мая", "мамыр", "may"),
    6: ("июня", "маусым", "june"),
    7: ("июля", "шилде", "july"),
    8: ("август", "тамыз", "augus"),
    9: ("сентяб", "кыркуйек", "septe"),
    10: ("октяб", "казан", "octob"),
    11: ("ноябр", "караша", "novem"),
    12: ("декаб", "желтоксан", "decem"),
}
_MONTH_NUMBER = {name[:5]: number for number, names in _MONTHS_BY_NUMBER.items() for name in names}


class Word(NamedTuple):
    """One token: the folded form used for shingles and the facts that its surface form carries."""

    norm: str
    is_number: bool
    is_name: bool


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the index stores per article: compact, JSON-serialisable, enough to verify a candidate."""

    content_hash: str
    # MinHash signature: NUM_PERM little-endian uint32 values (datasketch's scheme affine32, see minhash.py).
    signature: bytes
    shingles: int
    # Hashed facts (numbers, dates, amounts, capitalised names), sorted.
    facts: tuple[int, ...]
    # (context, value) pairs: the words around a fact and the fact; two texts that put different values
    # into the same context disagree on that fact (template announcements).
    slots: tuple[tuple[int, int], ...]
    words: int
    published: datetime | None = None
    lang: str | None = None

    @property
    def hashvalues(self) -> np.ndarray:
        return np.frombuffer(self.signature, dtype="<u4")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for a database column or Redis)."""
        return {
            "content_hash": self.content_hash,
            "signature": base64.b64encode(self.signature).decode("ascii"),
            "shingles": self.shingles,
            "facts": list(self.facts),
            "slots": [list(pair) for pair in self.slots],
            "words": self.words,
            "published": self.published.isoformat() if self.published else None,
            "lang": self.lang,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fingerprint:
        try:
            signature = base64.b64decode(data["signature"])
            if len(signature) != NUM_PERM * 4:
                raise ValueError(f"signature has {len(signature)} bytes, expected {NUM_PERM * 4}")
            published = data.get("published")
            return cls(
                content_hash=str(data["content_hash"]),
                signature=signature,
                shingles=int(data["shingles"]),
                facts=tuple(int(v) for v in data["facts"]),
                slots=tuple((int(c), int(v)) for c, v in data["slots"]),
                words=int(data["words"]),
                published=datetime.fromisoformat(published) if published else None,
                lang=data.get("lang"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed fingerprint record: {exc}") from exc


def _hash32(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest(), "little")


_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
_LATIN_RE = re.compile("[A-Za-z]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_RU_KK_RE = re.compile("[а-яёәғқңөұүһі]", re.IGNORECASE)
_KK_ONLY_RE = re.compile("[әғқңөұүһі]", re.IGNORECASE)


def _repair_lookalikes(word: str, cyrillic_text: bool) -> str:
    """Latin letters that look Cyrillic, inside a Cyrillic word (or a whole look-alike word in Cyrillic text)."""
    if _LATIN_RE.search(word) is None:
        return word
    if _CYRILLIC_RE.search(word) or (cyrillic_text and _LOOKALIKE_LATIN.issuperset(word)):
        return word.translate(_LOOKALIKES)
    return word


def _count(pattern: re.Pattern[str], text: str) -> int:
    """Characters of `text` that `pattern` matches (one new string, not a list of matches)."""
    return len(text) - len(pattern.sub("", text))


@lru_cache(maxsize=65536)
def _fold_word(word: str, cyrillic_text: bool) -> str:
    """The folded form of a word token (cached: news vocabulary repeats)."""
    return _repair_lookalikes(word, cyrillic_text).lower().translate(_KAZAKH_BASE)


def _number_value(token: str) -> str:
    return re.sub(r"[ \u00a0\u202f+]", "", token).replace(",", ".").replace("−", "-")


def _starts_sentence(gap: str, previous: str) -> bool:
    """Whether the text between two tokens ends a sentence; a period after an initial or a short
    abbreviation («Б. Сапарбаев», «ул. Абая») does not."""
    if not previous or not _STRONG_END.isdisjoint(gap):
        return True
    return "." in gap and not (previous.isalpha() and len(previous) <= 3)


# _TOKEN_RE as a separator kept in the split: text before the first token, token, gap, token, ..., text after.
_TOKEN_SPLIT_RE = re.compile(f"({_TOKEN_RE.pattern})")
# What a token's own letters say (_token_shape): a number, a plain word, a capitalised word, a word in
# capitals of two letters or more, a single capital (an initial when a period follows).
NUMBER, PLAIN, CAPITALISED, CAPITALS, CAPITAL = range(5)


@lru_cache(maxsize=65536)
def _token_shape(token: str) -> tuple[int, tuple[Word, Word] | None]:
    """The token's shape and its Word as a non-name and as a name, built once per token (news vocabulary
    repeats); None for a word of Latin look-alikes, whose folding depends on the text around it."""
    first = token[0]
    if not first.isalpha():
        number = Word(_number_value(token), True, False)
        return NUMBER, (number, number)
    if first.isupper():
        shape = CAPITAL if len(token) == 1 else CAPITALS if token.isupper() else CAPITALISED
    else:
        shape = PLAIN
    if _LOOKALIKE_LATIN.issuperset(token):
        return shape, None
    norm = _fold_word(token, False)
    return shape, (Word(norm, False, False), Word(norm, False, True))


def analyse_words(text: str) -> list[Word]:
    """Tokens of `text` in reading order, folded, with what kind of fact each one is."""
    text = unicodedata.normalize("NFKC", text)
    # Tokens at the odd places: the gap before token parts[i] is parts[i - 1], the one after it parts[i + 1].
    parts = _TOKEN_SPLIT_RE.split(text)
    # Whether the text is mostly Cyrillic matters only to a word made of Latin look-alikes («Х», «COBET»):
    # counted once the first such word comes, since counting the letters of every text took a seventh of
    # the fingerprint's time.
    cyrillic_text: bool | None = None
    words: list[Word] = []
    previous = ""
    for i in range(1, len(parts), 2):
        token = parts[i]
        shape, forms = _token_shape(token)
        before, previous = previous, token
        if shape == CAPITAL and parts[i + 1].startswith("."):
            continue  # an initial: «А. Ахметов» and «Ахметов» are the same name
        # A capitalised word is a name unless it only starts a sentence (all-caps words always are).
        is_name = shape == CAPITALS or (shape == CAPITALISED and not _starts_sentence(parts[i - 1], before))
        if forms is not None:
            words.append(forms[is_name])
            continue
        if cyrillic_text is None:
            cyrillic_text = _count(_CYRILLIC_RE, text) * 2 > _count(_LETTER_RE, text)
        words.append(Word(_fold_word(token, cyrillic_text), False, is_name))
    return words


def shingle_set(norms: list[str]) -> set[bytes]:
    """Word n-grams of the folded tokens (unigrams for texts shorter than one n-gram)."""
    size = SHINGLE_WORDS if len(norms) >= SHINGLE_WORDS else 1
    return {" ".join(norms[i : i + size]).encode("utf-8") for i in range(len(norms) - size + 1)}


def _date_value(day: Word, month: Word) -> str | None:
    """«15 марта» / «15 наурыз» / «15 March» as «15.03», the same value as the numeric form."""
    number = _MONTH_NUMBER.get(month.norm[:5]) if not month.is_number else None
    if number is None or not day.norm.isdigit() or not 1 <= int(day.norm) <= 31:
        return None
    return f"{int(day.norm)}.{number:02d}"


def _own_dates(published: datetime | None) -> frozenset[str]:
    """How a dateline would write the publication day (UTC and Kazakhstan time), to ignore it as a fact."""
    if published is None:
        return frozenset()
    return _day_forms(published.date()) | _day_forms((published + timedelta(hours=5)).date())


@lru_cache(maxsize=1024)
def _day_forms(day: date) -> frozenset[str]:
    """The ways a dateline writes `day` (cached: a crawl's articles share a few days)."""
    return frozenset(
        {
            day.strftime("%d.%m.%Y"),
            day.strftime("%d.%m.%y"),
            day.strftime("%d.%m"),
            day.isoformat(),
            f"{day.day}.{day.month:02d}",
        }
    )


def fact_slots(words: list[Word], ignore: frozenset[str] = frozenset()) -> Iterator[tuple[str, str]]:
    """(context, value) for each fact: context is the word before and the word after the fact.
    A number followed by a month is one date fact; values in `ignore` (the own dateline) are skipped."""
    for i, word in enumerate(words):
        if not (word.is_number or word.is_name):
            continue
        after = i + 1
        value = word.norm[:NAME_STEM]
        if word.is_number:
            date = _date_value(word, words[after]) if after < len(words) else None
            value = date or word.norm
            after += 1 if date else 0
            if value in ignore:
                continue
            value = "#" + value
        prev_word = words[i - 1].norm[:NAME_STEM] if i else "^"
        next_word = words[after].norm[:NAME_STEM] if after < len(words) else "$"
        yield f"{prev_word} _ {next_word}", value


def extract_slots(words: list[Word], ignore: frozenset[str] = frozenset()) -> set[tuple[int, int]]:
    """Hashed `fact_slots`, as stored in a fingerprint; the low bit of a value tells a number (1) from a name (0)."""
    return {
        (_hash32(context), (_hash32(value) & ~1) | value.startswith("#"))
        for context, value in fact_slots(words, ignore)
    }


def guess_language(text: str) -> str:
    """Script-level guess, used only when the caller knows no language."""
    cyrillic = _count(_RU_KK_RE, text)
    if cyrillic and _count(_KK_ONLY_RE, text) * 50 > cyrillic:
        return "kk"
    if cyrillic:
        return "ru"
    return "en" if re.search(r"[a-z]", text, re.IGNORECASE) else "other"


def fingerprint(
    text: str,
    *,
    title: str | None = None,
    lang: str | None = None,
    published: datetime | None = None,
) -> Fingerprint:
    """Fingerprint of an article body. The title counts only when the body is too short to stand alone,
    because republishers rewrite titles freely while keeping the body."""
    if not isinstance(text, str):
        raise TypeError(f"fingerprint() needs the article text as str, got {type(text).__name__}")
    words = analyse_words(text)
    if len(words) < MIN_BODY_WORDS and title:
        words = analyse_words(title) + words
    norms = [w.norm for w in words]
    shingles = shingle_set(norms)
    slots = sorted(extract_slots(words, _own_dates(published)))[:MAX_SLOTS]
    return Fingerprint(
        content_hash=hashlib.blake2b(" ".join(norms).encode("utf-8"), digest_size=16).hexdigest(),
        signature=minhash_signature(shingles, NUM_PERM, MINHASH_SEED).astype("<u4").tobytes(),
        shingles=len(shingles),
        facts=tuple(sorted({value for _, value in slots})),
        slots=tuple(slots),
        words=len(words),
        published=published,
        lang=lang or guess_language(text),
    )
