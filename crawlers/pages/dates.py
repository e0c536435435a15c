"""Dates as portals print them: ISO metadata, Russian, Kazakh (Cyrillic and Latin) and English words.

Bylines are parsed by our own rules first (fast, and never month-first for dd.mm.yyyy); dateparser only
handles what the rules do not know. Local times go through the tz database zone (Asia/Almaty was UTC+6
before 2024-03-01 and UTC+5 since), never a fixed offset. Results are aware datetimes in UTC.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawlers.pages.date_words import (
    DAY_BEFORE_WORDS,
    FOLD_TABLE,
    JUST_NOW_WORDS,
    MAX_CASE_ENDING,
    MONTH_STEMS,
    RELATIVE_UNITS,
    TODAY_WORDS,
    YEAR_MARKERS,
    YESTERDAY_WORDS,
    ZONE_HOURS,
)

logger = logging.getLogger(__name__)

DEFAULT_TZ = "Asia/Almaty"

AGO_RE = re.compile(r"(?:(\d{1,3})\s*)?([a-zа-я]+)\.?\s+(?:назад|бурын|ago)\b")

ISO_RE = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
YEAR_RE = re.compile(r"(?<!\d)(?:1[89]|20|21)\d\d(?!\d)")
FIXED_OFFSET_RE = re.compile(r"^[+-]\d{2}:\d{2}$")
NUMERIC_DMY_RE = re.compile(r"(?<![\d.])(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?![\d])")
NUMERIC_YMD_RE = re.compile(r"(?<![\d.])(\d{4})[./](\d{1,2})[./](\d{1,2})(?![\d])")
TIME_RE = re.compile(r"(?<![\d.:])([01]?\d|2[0-3])[:](\d{2})(?::(\d{1,2}))?(?![\d])")
# A zone right after the time of day: "GMT+9", "UTC+05:00", "+0300", "мск", "Z".
ZONE_AFTER_TIME_RE = re.compile(
    r"\s*(?:([a-zа-я]{1,4})\b)?\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?(?![\d]))?", re.IGNORECASE
)
# Chinese, Japanese and Korean dates: 2019年6月24日 11時30分, 06月24日, 2019년 6월 24일.
CJK_DATE_RE = re.compile(r"(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")
CJK_TIME_RE = re.compile(r"(\d{1,2})\s*[時时시:]\s*(\d{1,2})\s*[分분]?")
WORD_RE = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


@lru_cache(maxsize=16)
def zone(name: str | None) -> tzinfo:
    """The tz database zone by name, or a fixed offset written "+09:00"; an unknown name falls back to
    Asia/Almaty with a log line."""
    if name and FIXED_OFFSET_RE.match(name):
        return _offset_zone(name)
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r, using %s", name, DEFAULT_TZ)
        return ZoneInfo(DEFAULT_TZ)


def to_utc(value: datetime, tz: str | None = DEFAULT_TZ) -> datetime:
    """An aware datetime keeps its instant; a naive one is local wall time in `tz`."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz))
    return value.astimezone(UTC)


def fold(text: str) -> str:
    """Lower-case, Kazakh and Latin-Kazakh letters folded to plain look-alikes, NBSP as space."""
    text = unicodedata.normalize("NFC", text).lower().translate(FOLD_TABLE)
    return text.replace("\xa0", " ").replace("\u202f", " ")


def month_of(word: str) -> int | None:
    """Month number of a folded word, allowing a case ending («ақпанда», «декабря», «qazanda»)."""
    for stem, month in MONTH_STEMS:
        if word.startswith(stem) and len(word) - len(stem) <= MAX_CASE_ENDING:
            if len(stem) <= 3 and len(word) > len(stem) + 1 and not _is_abbreviation(word, stem):
                continue
            return month
    return None


def _is_abbreviation(word: str, stem: str) -> bool:
    # "мар" must not swallow "марш", "may" must not swallow "mayor": short stems only as themselves.
    return word == stem or word.rstrip(".") == stem


def parse_iso(text: str, tz: str | None = DEFAULT_TZ) -> datetime | None:
    """ISO 8601 (as in meta tags and JSON-LD). An offset keeps the instant; no offset means local time."""
    found = split_iso(text)
    if found is None:
        return None
    local, offset = found
    return local.astimezone(UTC) if offset is not None else to_utc(local, tz)


def split_iso(text: str) -> tuple[datetime, tzinfo | None] | None:
    """An ISO 8601 value as (datetime, its written offset or None); aware when an offset is written."""
    match = ISO_RE.search(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    if not offset:
        return local, None
    written = _offset_zone(offset)
    return local.replace(tzinfo=written), written


def is_date_only(text: str) -> bool:
    """True for values like "2024-05-01" that carry a day but no time of day."""
    return bool(re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", text))


def _offset_zone(offset: str) -> tzinfo:
    if offset.upper() == "Z":
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_date(
    text: str,
    *,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
    languages: tuple[str, ...] | list[str] = ("ru", "kk"),
) -> datetime | None:
    """The publication instant (UTC) a byline or metadata string gives, or None when it gives none."""
    if not text or not text.strip():
        return None
    now = (now or datetime.now(UTC)).astimezone(UTC)
    found = parse_date_by_rules(text, tz=tz, now=now)
    if found is None and not ISO_RE.search(text):
        found = _dateparser_fallback(text.strip()[:300], tz, now, tuple(languages))
    return found


def parse_date_by_rules(text: str, *, tz: str = DEFAULT_TZ, now: datetime | None = None) -> datetime | None:
    """parse_date with our own rules only (no dateparser): cheap enough to test every short line."""
    text = text.strip()[:300]
    if not text:
        return None
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if re.match(r"\s*\d{4}-\d{2}-\d{2}", text):
        return parse_iso(text, tz)
    folded = fold(text)
    local_now = now.astimezone(zone(tz))
    for rule in (_relative_words, _relative_ago, _numeric, _worded, _cjk):
        found = rule(folded, local_now)
        if found is not None:
            return to_utc(found, tz) if found.tzinfo is None else found.astimezone(UTC)
    return parse_iso(text, tz) if ISO_RE.search(text) else None


def names_its_year(text: str) -> bool:
    """Whether a date text fixes its own year: a year, a dd.mm.yy date, or words relative to today."""
    folded = fold(text)
    if YEAR_RE.search(folded) or NUMERIC_DMY_RE.search(folded):
        return True
    epoch = datetime(2000, 1, 1)
    return _relative_words(folded, epoch) is not None or _relative_ago(folded, epoch) is not None


def _time_in(text: str) -> time | None:
    """The first time of day in `text`, aware when a zone follows it ("4:35:5 GMT+9", "12:30 мск")."""
    match = TIME_RE.search(text)
    if not match:
        return None
    clock = time(int(match.group(1)), int(match.group(2)), min(int(match.group(3) or 0), 59))
    zone_info = _zone_after(text, match.end())
    return clock.replace(tzinfo=zone_info) if zone_info is not None else clock


def _zone_after(text: str, at: int) -> tzinfo | None:
    """A fixed-offset zone written right after a time, or None when none is written."""
    match = ZONE_AFTER_TIME_RE.match(text, at)
    if not match or not (match.group(1) or match.group(2)):
        return None
    name, sign, hours, minutes = match.groups()
    base = ZONE_HOURS.get(name.lower()) if name else 0
    if base is None:
        return None  # a word that names no zone ("12:30 в Таразе")
    if name is None and (len(hours) < 2 or (sign == "-" and match.start(2) == at)):
        return None  # a bare "+5", or "10:15-12:00" (a range, not an offset)
    offset = timedelta(hours=base)
    if sign:
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=14):
            return None
        offset += delta if sign == "+" else -delta
    return timezone(offset)


def _relative_words(folded: str, local_now: datetime) -> datetime | None:
    words = set(WORD_RE.findall(folded))
    if any(phrase in folded for phrase in JUST_NOW_WORDS):
        return local_now.replace(tzinfo=None)
    for vocabulary, days in ((DAY_BEFORE_WORDS, 2), (TODAY_WORDS, 0), (YESTERDAY_WORDS, 1)):
        if words.intersection(vocabulary):
            day = local_now.date() - timedelta(days=days)
            return datetime.combine(day, _time_in(folded) or time(0, 0))
    return None


def _relative_ago(folded: str, local_now: datetime) -> datetime | None:
    match = AGO_RE.search(folded)
    if not match:
        return None
    count = int(match.group(1) or 1)
    unit = match.group(2)
    for prefix, seconds in RELATIVE_UNITS:
        if unit.startswith(prefix):
            return (local_now - timedelta(seconds=count * seconds)).replace(tzinfo=None)
    return None


def _numeric(folded: str, local_now: datetime) -> datetime | None:
    day_month_year = NUMERIC_DMY_RE.search(folded)
    if day_month_year:
        day, month, year = (int(g) for g in day_month_year.groups())
        if year < 100:
            year += 2000 if year <= local_now.year % 100 + 1 else 1900
        rest = folded[: day_month_year.start()] + " " + folded[day_month_year.end() :]
        return _combine(year, month, day, _time_in(rest))
    year_month_day = NUMERIC_YMD_RE.search(folded)
    if year_month_day:
        year, month, day = (int(g) for g in year_month_day.groups())
        rest = folded[: year_month_day.start()] + " " + folded[year_month_day.end() :]
        return _combine(year, month, day, _time_in(rest))
    return None


def _worded(folded: str, local_now: datetime) -> datetime | None:
    """Day, month name and optional year in any order the portals use."""
    tokens = [(m.group(0), m.start(), m.end()) for m in WORD_RE.finditer(folded)]
    for index, (word, _start, end) in enumerate(tokens):
        month = None if word.isdigit() else month_of(word)
        if month is None:
            continue
        day, year = _day_and_year_around(tokens, index)
        if day is None:
            continue
        clock = _time_in(folded[end:]) or _time_in(folded[: tokens[index][1]])
        if year is None:
            year = local_now.year
            guess = _combine(year, month, day, clock)
            if guess and guess.date() > local_now.date() + timedelta(days=2):
                year -= 1
        return _combine(year, month, day, clock)
    return None


def _day_and_year_around(tokens: list[tuple[str, int, int]], index: int) -> tuple[int | None, int | None]:
    def number(at: int, low: int, high: int) -> int | None:
        if 0 <= at < len(tokens) and tokens[at][0].isdigit() and low <= int(tokens[at][0]) <= high:
            return int(tokens[at][0])
        return None

    day = number(index - 1, 1, 31)
    after = index + 1
    if day is None:  # "October 17, 2023" / "Қазан 17"
        day = number(after, 1, 31)
        after += 1 if day is not None else 0
    year = number(after, 1800, 2100)
    if year is None:  # Kazakh year first: «2023 жылғы 17 қазан», «1921 ж. 21 ақпанда»
        back = index - 2
        while back >= 0 and tokens[back][0] in YEAR_MARKERS:
            back -= 1
        year = number(back, 1800, 2100) if back < index - 1 else None
    return day, year


def _cjk(folded: str, local_now: datetime) -> datetime | None:
    """年/月/日 dates; a missing year is the latest one that does not put the date in the future."""
    match = CJK_DATE_RE.search(folded)
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    clock_match = CJK_TIME_RE.search(folded, match.end())
    clock = None
    if clock_match and int(clock_match.group(1)) < 24 and int(clock_match.group(2)) < 60:
        clock = time(int(clock_match.group(1)), int(clock_match.group(2)))
    if year is None:
        year = local_now.year
        guess = _combine(year, month or 0, day or 0, clock)
        if guess and guess.date() > local_now.date() + timedelta(days=2):
            year -= 1
    return _combine(year, month or 0, day or 0, clock)


def _combine(year: int, month: int, day: int, clock: time | None) -> datetime | None:
    try:
        return datetime.combine(date(year, month, day), clock or time(0, 0))
    except ValueError:
        return None


def _dateparser_fallback(text: str, tz: str, now: datetime, languages: tuple[str, ...]) -> datetime | None:
    """Other languages and odd formats; day-first, past-preferring, relative to `now`."""
    if not re.search(r"\d", text):
        return None
    import dateparser

    settings = {
        "DATE_ORDER": "DMY",
        "TIMEZONE": tz,
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": now.astimezone(zone(tz)).replace(tzinfo=None),
        "REQUIRE_PARTS": ["day", "month"],
    }
    supported = [lang for lang in (*languages, "en") if lang in _dateparser_languages()]
    try:
        found = dateparser.parse(text, languages=supported or None, settings=settings)
    except Exception:  # dateparser raises many kinds on odd input; a byline never stops extraction
        logger.debug("dateparser failed on %r", text, exc_info=True)
        return None
    return found.astimezone(UTC) if found else None


@lru_cache(maxsize=1)
def _dateparser_languages() -> frozenset[str]:
    from dateparser.languages.loader import default_loader

    return frozenset(default_loader.get_locale_map().keys())
