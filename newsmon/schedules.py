"""The grammar of a source's `schedule` field, read by the source loader (to report a bad value when its
file loads) and by the scheduler (to plan the next run) alike.

  (none) or `adaptive`      start at NEWSMON_SCHEDULE_INTERVAL, then adapt to what the crawls find
  `30s`, `15m`, `2h`, `1d`, `1w`, `900`  a fixed interval (SHORTEST_INTERVAL seconds to a year)
  `*/30 * * * *`            a cron expression (minute hour day month weekday) in the source's time zone
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsmon.timespec import TimeSpecError, parse_duration

SHORTEST_INTERVAL = 10  # seconds
LONGEST_INTERVAL = 366 * 86400  # seconds: a source crawled less than once a year wants `enabled: false`
SECONDS = re.compile(r"(\d+)\s*s")


class ScheduleError(ValueError):
    """A source's schedule cannot be read; the message shows the accepted forms."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """How one source is scheduled: adaptive, a fixed interval, or a cron expression."""

    kind: str  # adaptive | interval | cron
    seconds: int | None = None
    cron: str | None = None
    timezone: str = "Asia/Almaty"  # the zone a cron expression is read in

    def describe(self) -> str:
        if self.kind == "cron":
            return f"cron {self.cron}"
        return "adaptive" if self.kind == "adaptive" else f"every {self.seconds}s"


def parse_schedule(text: str | None, timezone: str = "Asia/Almaty") -> Schedule:
    """Read a source's `schedule` field; None and 'adaptive' mean adaptive polling."""
    value = (text or "").strip()
    if not value or value.lower() == "adaptive":
        return Schedule("adaptive")
    if not value.isascii():  # int() and \d read other scripts' digits too: '²' or '١٠m' is no number here
        raise _unreadable(value)
    if len(value.split()) == 5:
        crontab_of(value)  # validate now, not at the first run
        return Schedule("cron", cron=value, timezone=timezone)
    try:
        plain = (
            value if value.isdigit() else (match.group(1) if (match := SECONDS.fullmatch(value)) else None)
        )
        seconds = int(plain) if plain is not None else int(parse_duration(value).total_seconds())
    except TimeSpecError:
        raise _unreadable(value) from None
    if seconds < SHORTEST_INTERVAL:
        raise ScheduleError(f"schedule {value!r} is shorter than {SHORTEST_INTERVAL} seconds")
    if seconds > LONGEST_INTERVAL:
        raise ScheduleError(
            f"schedule {value!r} is longer than a year; use `enabled: false` to stop crawling"
        )
    return Schedule("interval", seconds=seconds)


def _unreadable(value: str) -> ScheduleError:
    return ScheduleError(
        f"schedule {value!r} is not 'adaptive', an interval (15m, 2h, 1d) or a cron expression (*/30 * * * *)"
    )


def crontab_of(expression: str, **options: object) -> object:
    """Celery's crontab of a five-field expression (its fields come in another order)."""
    from celery.schedules import crontab

    minute, hour, day, month, weekday = expression.split()
    try:
        return crontab(minute, hour, weekday, day, month, **options)
    except (ValueError, TypeError) as exc:
        raise ScheduleError(f"cron expression {expression!r} is invalid: {exc}") from None
