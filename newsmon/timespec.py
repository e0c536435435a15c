"""Durations and dates typed by users: `30m`, `12h`, `7d`, `2w`, `1y` (365 days), or an ISO date."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

DURATION = re.compile(r"^\s*(\d+)\s*([mhdwy])\s*$")
UNITS = {
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "y": timedelta(days=365),
}


class TimeSpecError(ValueError):
    """A duration or date that cannot be read; the message shows the accepted forms."""


def parse_duration(text: str) -> timedelta:
    match = DURATION.match(text or "")
    if not match:
        raise TimeSpecError(f"{text!r} is not a duration; use e.g. 30m, 12h, 7d, 2w or 1y")
    try:
        return int(match.group(1)) * UNITS[match.group(2)]
    except OverflowError:
        raise TimeSpecError(f"{text!r} is longer than a duration can be") from None


def parse_window(text: str | int | None) -> timedelta | None:
    """A crawl's since-window: '2d', '12h', '90m', '1w', '1y' or a number of days; None, '' or 0 means no
    bound. Read alike by the spider and by the cheap poll that decides whether the crawl may be skipped."""
    if text is None or text == "":
        return None
    value = str(text).strip()
    try:
        span = timedelta(days=int(value)) if value.isdigit() else parse_duration(value)
    except (TimeSpecError, OverflowError):  # a plain ValueError: a crawl's last error line names its type
        raise ValueError(f"since must be a duration like 2d, 12h, 90m, 1w or 1y, got {text!r}") from None
    return span or None


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`7d` means seven days before now; an ISO date or datetime means itself (UTC when no zone is given)."""
    now = now or datetime.now(UTC)
    if DURATION.match(text or ""):
        try:
            return now - parse_duration(text)
        except OverflowError:
            raise TimeSpecError(f"{text!r} reaches back before the year 1") from None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise TimeSpecError(f"{text!r} is neither a duration (7d, 12h, 1y) nor a date (2025-03-01)") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
