"""Datelines as the portals print them: Russian and Kazakh month words, numeric and machine forms.

The demo pages carry absolute local dates (Asia/Almaty) so that what the crawler reads never depends on the day
the demo runs. Machine forms (ISO 8601 for meta tags and sitemaps, RFC 822 for RSS) carry the zone offset of
that date: UTC+6 before 2024-03-01, UTC+5 after.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from zoneinfo import ZoneInfo

ALMATY = ZoneInfo("Asia/Almaty")

RU_MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
KK_MONTHS = (
    "Қаңтар",
    "Ақпан",
    "Наурыз",
    "Сәуір",
    "Мамыр",
    "Маусым",
    "Шілде",
    "Тамыз",
    "Қыркүйек",
    "Қазан",
    "Қараша",
    "Желтоқсан",
)

# Style name -> format; {month_ru}/{month_kk} are month words, the rest are zero-padded numbers.
DATELINE_STYLES = {
    "ru-day-first": "{day} {month_ru} {year}, {hour}:{minute}",  # 10 декабря 2024, 13:02
    "ru-time-first": "{hour}:{minute}, {day} {month_ru} {year}",  # 13:51, 15 августа 2025
    "ru-year-mark": "{day} {month_ru} {year} г. {hour}:{minute}",  # 8 мая 2020 г. 12:28
    "kk-day-first": "{day} {month_kk} {year}, {hour}:{minute}",  # 16 Қараша 2024, 16:49
    "numeric": "{dd}.{mm}.{year}, {hour}:{minute}",  # 24.08.2025, 15:10
}


def parse_local(value: str) -> datetime:
    """Read a naive ISO local time from the portal data and attach the Asia/Almaty zone."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO local date-time such as 2024-12-10T13:02") from None
    if parsed.tzinfo is not None:
        raise ValueError(f"{value!r}: give local Almaty time without an offset")
    return parsed.replace(tzinfo=ALMATY)


def format_dateline(moment: datetime, style: str) -> str:
    """The visible date as a portal prints it, e.g. «16 Қараша 2024, 16:49»."""
    try:
        pattern = DATELINE_STYLES[style]
    except KeyError:
        raise ValueError(f"unknown dateline style {style!r}; known: {', '.join(DATELINE_STYLES)}") from None
    local = moment.astimezone(ALMATY)
    return pattern.format(
        day=local.day,
        dd=f"{local.day:02d}",
        mm=f"{local.month:02d}",
        month_ru=RU_MONTHS_GENITIVE[local.month - 1],
        month_kk=KK_MONTHS[local.month - 1],
        year=local.year,
        hour=f"{local.hour:02d}",
        minute=f"{local.minute:02d}",
    )


def iso_local(moment: datetime) -> str:
    """ISO 8601 with the local offset, as in article:published_time and news:publication_date."""
    return moment.astimezone(ALMATY).isoformat(timespec="seconds")


def rfc822(moment: datetime) -> str:
    """RSS pubDate with the local offset, e.g. «Tue, 10 Dec 2024 13:02:00 +0500»."""
    return format_datetime(moment.astimezone(ALMATY))
