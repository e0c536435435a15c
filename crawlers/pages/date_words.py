"""Words portals use in dates: month names, relative days and units, year markers, zone names.

Data only, read by `crawlers.pages.dates`. Words are given folded (lower case, Kazakh and Latin-Kazakh
letters replaced by their plain look-alikes; see FOLD_TABLE).
"""

from __future__ import annotations

# Month stems after folding (see _fold): Russian, Kazakh Cyrillic, Latin Kazakh (2018 and older variants),
# English. A word is a month when it starts with a stem and adds at most a case ending.
MONTH_STEMS: tuple[tuple[str, int], ...] = (
    ("январ", 1),
    ("янв", 1),
    ("феврал", 2),
    ("фев", 2),
    ("март", 3),
    ("мар", 3),
    ("апрел", 4),
    ("апр", 4),
    ("мая", 5),
    ("май", 5),
    ("июн", 6),
    ("июл", 7),
    ("август", 8),
    ("авг", 8),
    ("сентябр", 9),
    ("сен", 9),
    ("октябр", 10),
    ("окт", 10),
    ("ноябр", 11),
    ("ноя", 11),
    ("декабр", 12),
    ("дек", 12),
    ("кантар", 1),
    ("акпан", 2),
    ("наурыз", 3),
    ("сауир", 4),
    ("мамыр", 5),
    ("маусым", 6),
    ("шилде", 7),
    ("тамыз", 8),
    ("кыркуйек", 9),
    ("казан", 10),
    ("караша", 11),
    ("желтоксан", 12),
    ("qantar", 1),
    ("aqpan", 2),
    ("nauryz", 3),
    ("sauir", 4),
    ("mamyr", 5),
    ("mausym", 6),
    ("shilde", 7),
    ("tamyz", 8),
    ("qyrkuiek", 9),
    ("qyrkuyek", 9),
    ("qazan", 10),
    ("qarasha", 11),
    ("jeltoqsan", 12),
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
)
MAX_CASE_ENDING = 5

# Kazakh letters to their Russian look-alikes, Latin Kazakh diacritics to plain letters.
FOLD_TABLE = str.maketrans(
    {
        "қ": "к",
        "ғ": "г",
        "ң": "н",
        "ә": "а",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ё": "е",
        "ý": "u",
        "ú": "u",
        "ı": "i",
        "á": "a",
        "ó": "o",
        "ń": "n",
        "ǵ": "g",
        "ü": "u",
        "ö": "o",
        "ş": "sh",
        "ç": "ch",
        "ğ": "g",
        "ä": "a",
    }
)

TODAY_WORDS = ("сегодня", "бугин", "today", "bugin")
YESTERDAY_WORDS = ("вчера", "кеше", "yesterday", "keshe")
DAY_BEFORE_WORDS = ("позавчера", "алдынгуни", "алдыңгуни")
JUST_NOW_WORDS = ("только что", "жана гана", "just now")

# Relative units: folded word prefix -> seconds.
RELATIVE_UNITS: tuple[tuple[str, int], ...] = (
    ("секунд", 1),
    ("сек", 1),
    ("second", 1),
    ("минут", 60),
    ("мин", 60),
    ("minute", 60),
    ("min", 60),
    ("сагат", 3600),
    ("час", 3600),
    ("hour", 3600),
    ("ч", 3600),
    ("кун", 86400),
    ("дн", 86400),
    ("ден", 86400),
    ("day", 86400),
    ("апта", 604800),
    ("недел", 604800),
    ("week", 604800),
)
YEAR_MARKERS = ("г", "года", "год", "гг", "ж", "жылы", "жылгы", "жыл", "жылдын", "year", "y", "jyly", "jylgy")

# Zone names printed after a time of day, as hours east of UTC ("12:30 мск", "4:35 GMT+9" uses the offset).
ZONE_HOURS: dict[str, int] = {
    "gmt": 0,
    "utc": 0,
    "z": 0,
    "wet": 0,
    "bst": 1,
    "cet": 1,
    "cest": 2,
    "eet": 2,
    "eest": 3,
    "msk": 3,
    "мск": 3,
    "est": -5,
    "edt": -4,
    "cst": -6,
    "cdt": -5,
    "pst": -8,
    "pdt": -7,
    "jst": 9,
    "kst": 9,
}
