"""Durations and dates as analysts type them after --since and --until."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsmon.timespec import TimeSpecError, parse_duration, parse_since

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30m", timedelta(minutes=30)), ("12h", timedelta(hours=12)), ("7d", timedelta(days=7)),
     ("2w", timedelta(weeks=2)), ("1y", timedelta(days=365)), (" 3 d ", timedelta(days=3))],
)  # fmt: skip
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_since_a_year_or_a_date() -> None:
    assert parse_since("1y", NOW) == datetime(2025, 11, 27, 12, 0, tzinfo=UTC)
    assert parse_since("2025-03-01", NOW) == datetime(2025, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize("text", ["вчера", "5 years", "1.3.2025", ""])
def test_unreadable_since_names_the_forms(text: str) -> None:
    with pytest.raises(TimeSpecError, match="7d"):
        parse_since(text, NOW)


@pytest.mark.parametrize("text", ["5000y", "99999999999d"])
def test_a_duration_too_long_is_a_clear_error(text: str) -> None:
    with pytest.raises(TimeSpecError, match=text):
        parse_since(text, NOW)
