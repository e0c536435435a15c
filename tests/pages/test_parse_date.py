"""Byline dates as Kazakh portals print them, read against a fixed `now` (2025-09-01 17:00 in Almaty)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawlers.pages import parse_date

NOW = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)

CASES = [
    # (byline, expected instant in UTC) -- Asia/Almaty is UTC+5 since 2024-03-01, UTC+6 before
    ("10 декабря 2024, 13:02", "2024-12-10T08:02"),
    ("13:51, 15 августа 2025", "2025-08-15T08:51"),
    ("сегодня, 13:51", "2025-09-01T08:51"),
    ("Сегодня в 05:46, просмотров: 237", "2025-09-01T00:46"),
    ("вчера в 10:15", "2025-08-31T05:15"),
    ("8 мая 2020 г. 12:28", "2020-05-08T06:28"),
    ("24.08.2025, 15:10", "2025-08-24T10:10"),
    ("12.03.2025", "2025-03-11T19:00"),
    ("05.04.2025 14:00", "2025-04-05T09:00"),
    ("16 Қараша 2018, 16:49", "2018-11-16T10:49"),
    ("24 тамыз 2025, 15:10", "2025-08-24T10:10"),
    ("Бүгін, 13:51", "2025-09-01T08:51"),
    ("кеше", "2025-08-30T19:00"),
    ("Кеше, 10:15", "2025-08-31T05:15"),
    ("2 сағат бұрын", "2025-09-01T10:00"),
    ("5 минут назад", "2025-09-01T11:55"),
    ("час назад", "2025-09-01T11:00"),
    ("17 Qazan 2023", "2023-10-16T18:00"),
    ("17 Qazan 2023, 14:20", "2023-10-17T08:20"),
    ("1921 ж. 21 ақпанда", "1921-02-20T18:52"),  # Almaty kept local mean time (+05:07:48) until 1924
    ("2023 жылғы 17 қазан", "2023-10-16T18:00"),
    ("15 августа", "2025-08-14T19:00"),
    ("29 февраля 2024 года, 23:30", "2024-02-29T17:30"),
    ("1 марта 2024, 00:30", "2024-02-29T19:30"),
    ("Опубликовано: 3 сентября 2019 09:00", "2019-09-03T03:00"),
    ("Jan 5, 2021 10:00", "2021-01-05T04:00"),
    ("2025-08-15T13:51:00+05:00", "2025-08-15T08:51"),
    ("2025-08-15T13:51:00Z", "2025-08-15T13:51"),
    ("2025-08-15 13:51", "2025-08-15T08:51"),
    ("2023-10-17", "2023-10-16T18:00"),
]


@pytest.mark.parametrize(("byline", "expected"), CASES)
def test_byline_is_read_as_the_right_instant(byline: str, expected: str) -> None:
    # when a byline is parsed with the default zone (Asia/Almaty)
    found = parse_date(byline, now=NOW)
    # then it is that instant in UTC
    assert found is not None, byline
    assert found.tzinfo is not None
    assert found.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "просмотров: 237", "Автор: Светлана Ковалёва", "32.13.2025", "Тараз"]
)
def test_text_without_a_date_gives_none(text: str) -> None:
    assert parse_date(text, now=NOW) is None


def test_numeric_dates_are_never_month_first() -> None:
    # 05.04.2025 is the 5th of April (the dd.mm.yyyy trap of real portals)
    found = parse_date("05.04.2025", now=NOW, tz="UTC")
    assert found == datetime(2025, 4, 5, tzinfo=UTC)


def test_other_zone_is_used_through_the_tz_database() -> None:
    found = parse_date("10 декабря 2024, 13:02", tz="Europe/Moscow", now=NOW)
    assert found == datetime(2024, 12, 10, 10, 2, tzinfo=UTC)


def test_yearless_date_in_the_future_means_last_year() -> None:
    # on 1 September, «20 декабря» is last December
    assert parse_date("20 декабря", now=NOW) == datetime(2024, 12, 19, 19, 0, tzinfo=UTC)


def test_iso_value_with_offset_keeps_its_instant() -> None:
    assert parse_date("2020-02-01T10:00:00+06:00") == datetime(2020, 2, 1, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a zone written after the time wins over the source's zone
        ("Thu,28 Jul 2022 4:35:5 GMT+9", "2022-07-27T19:35:05"),
        ("Thu, 28 Jul 2022 04:35:05 -0500", "2022-07-28T09:35:05"),
        ("10 декабря 2024, 13:02 мск", "2024-12-10T10:02:00"),
        ("15.08.2025 13:51 UTC", "2025-08-15T13:51:00"),
        # a time range is no offset; a word after the time is no zone
        ("10:15-12:00 10.12.2024", "2024-12-10T05:15:00"),
        ("10 декабря 2024, 13:02 в Таразе", "2024-12-10T08:02:00"),
    ],
)
def test_zone_written_after_the_time_is_obeyed(text: str, expected: str) -> None:
    found = parse_date(text, now=NOW)
    assert found is not None, text
    assert found.strftime("%Y-%m-%dT%H:%M:%S") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019年6月24日 11時30分", datetime(2019, 6, 24, 2, 30, tzinfo=UTC)),
        ("2024년 5월 15일", datetime(2024, 5, 15, tzinfo=UTC)),
        ("[08月24日 11時30分]", datetime(2025, 8, 24, 2, 30, tzinfo=UTC)),
    ],
)
def test_chinese_japanese_korean_dates(text: str, expected: datetime) -> None:
    assert parse_date(text, now=NOW, tz="Asia/Tokyo" if "時" in text else "UTC") == expected
