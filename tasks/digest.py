"""Digests: the held alerts of an owner's hourly, daily or weekly watches, sent as one message per period.

Matching stores an alert per (watch, story, channel) with status "held" for watches in a digest mode. At each
tick (beat, every minute) the held alerts created before the owner's latest period boundary are gathered per
(owner, schedule, channel) into ONE digest alert (kind "digest"), and marked "digested" in the same
transaction. The digest's idempotency key names owner, channel, schedule and boundary, so a second tick, a
second beat or a retried task cannot send a period twice; alerts that arrive late go into the next period.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from newsmon.models import Alert, Watch
from newsmon.storage import NewAlert, Repository
from tasks.matching import in_quiet_hours

log = logging.getLogger(__name__)

DIGEST_MODES = ("hourly", "daily", "weekly")
DEFAULT_DIGEST_AT = "09:00"
WEEKLY_DAY = 0  # Monday: weekly digests go out on Monday at digest_at


@dataclass(frozen=True, slots=True)
class Schedule:
    """When one owner's digests go out: the mode, the local time and the time zone."""

    owner: str
    mode: str
    digest_at: str
    timezone: str

    @classmethod
    def of(cls, watch: Watch) -> Schedule:
        at = DEFAULT_DIGEST_AT if watch.mode == "hourly" else watch.digest_at or DEFAULT_DIGEST_AT
        return cls(watch.owner, watch.mode, at, watch.timezone)

    @property
    def label(self) -> str:
        return self.mode if self.mode == "hourly" else f"{self.mode} {self.digest_at}"


def period_boundary(schedule: Schedule, now: datetime) -> datetime:
    """The latest boundary at or before `now` (UTC): the hour, or digest_at local time (Mondays for weekly)."""
    tz = ZoneInfo(schedule.timezone)
    local = now.astimezone(tz)
    if schedule.mode == "hourly":
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    at = time.fromisoformat(schedule.digest_at)
    day = local.date()
    if schedule.mode == "weekly":
        day -= timedelta(days=(local.weekday() - WEEKLY_DAY) % 7)
    step = timedelta(days=7 if schedule.mode == "weekly" else 1)
    boundary = datetime.combine(day, at, tz)
    if boundary > local:
        boundary = datetime.combine(day - step, at, tz)
    return boundary.astimezone(UTC)


def digest_key(schedule: Schedule, channel_id: int, boundary: datetime) -> str:
    return f"digest:{schedule.owner}:{channel_id}:{schedule.label}:{boundary:%Y%m%dT%H%MZ}"


def digest_payload(schedule: Schedule, boundary: datetime, alerts: Sequence[Alert]) -> dict[str, Any]:
    """What a digest row carries: enough to render it (tasks.messages.render_digest) at send time."""
    return {
        "kind": "digest",
        "owner": schedule.owner,
        "period": schedule.mode,
        "timezone": schedule.timezone,
        "period_end": boundary.isoformat(),
        "alert_ids": [a.id for a in alerts],
        "items": [a.payload for a in alerts],
    }


def _digest_alert(
    schedule: Schedule, channel_id: int, boundary: datetime, send_at: datetime | None, held: list[Alert]
) -> NewAlert:
    payload = digest_payload(schedule, boundary, held)
    return NewAlert(channel_id, digest_key(schedule, channel_id, boundary), payload, next_attempt_at=send_at)


def _group_held(
    repo: Repository, watches: dict[int, Watch], now: datetime
) -> tuple[dict[tuple[Schedule, int], list[Alert]], list[int]]:
    """Held alerts due for a digest, per (schedule, channel); and those of watches switched to instant."""
    groups: dict[tuple[Schedule, int], list[Alert]] = defaultdict(list)
    release: list[int] = []
    for alert in repo.held_alerts():
        watch = watches.get(alert.watch_id or 0)
        if watch is None or not watch.enabled:
            continue
        if watch.mode not in DIGEST_MODES:
            release.append(alert.id)  # the watch went back to instant: send what it held
            continue
        schedule = Schedule.of(watch)
        if alert.created_at is None or alert.created_at < period_boundary(schedule, now):
            groups[(schedule, alert.channel_id)].append(alert)
    return groups, release


def run_digests(repo: Repository, now: datetime | None = None) -> list[int]:
    """Create the digests due at `now`; returns the ids of the digest alerts (and released ones) to send."""
    now = now or datetime.now(UTC)
    watches = {w.id: w for w in repo.list_watches()}
    groups, release = _group_held(repo, watches, now)
    created: list[int] = []
    if release:
        repo.release_held_alerts(release)
        created.extend(release)
    for (schedule, channel_id), alerts in groups.items():
        boundary = period_boundary(schedule, now)
        send_at = in_quiet_hours(watches[alerts[0].watch_id or 0], now)  # None: send right away
        build = partial(_digest_alert, schedule, channel_id, boundary, send_at)
        digest_id = repo.digest_held_alerts([a.id for a in alerts], build)
        if digest_id is not None:
            log.info(
                "digest #%s for %s (%s) on channel %s: %d alerts",
                digest_id,
                schedule.owner,
                schedule.label,
                channel_id,
                len(alerts),
            )
            created.append(digest_id)
    return created
