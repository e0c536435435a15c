"""Spike alerts: tell a watch's owner when today's stories far exceed the watch's usual day.

A watch with `spike_factor` (say 3.0) alerts once per local day when the stories it matched today number more
than `spike_factor` times its average over the previous `TRAILING_DAYS` days. A watch that usually matches
less than one story a day counts as one a day, so two stories after a silent week are not a spike at 3×.
Counts are stories (one match per watch and story), not copies: a press release carried by ten portals is
one story. The idempotency key names watch, channel and local date, so ticks can run as often as they like.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from newsmon.models import Watch
from newsmon.storage import NewAlert, Repository
from tasks.channels import Message
from tasks.matching import in_quiet_hours
from tasks.messages import render_alert

log = logging.getLogger(__name__)

TRAILING_DAYS = 7
LISTED_STORIES = 10


@dataclass(frozen=True, slots=True)
class DailyCounts:
    """Stories a watch matched today and on average over the trailing days (local days of its owner)."""

    day: date
    today: int
    usual: float
    article_ids: tuple[int, ...]  # today's, newest first

    def is_spike(self, factor: float) -> bool:
        return self.today > factor * max(self.usual, 1.0)


def daily_counts(watch: Watch, matches: list[tuple[datetime, int]], now: datetime) -> DailyCounts:
    """Bucket (matched at, article id) pairs into the owner's local days."""
    tz = ZoneInfo(watch.timezone)
    today = now.astimezone(tz).date()
    first = today - timedelta(days=TRAILING_DAYS)
    per_day: Counter[date] = Counter()
    todays: list[int] = []
    for matched_at, article_id in matches:
        day = matched_at.astimezone(tz).date()
        if first <= day <= today and matched_at <= now:
            per_day[day] += 1
            if day == today:
                todays.append(article_id)
    usual = sum(per_day[first + timedelta(days=i)] for i in range(TRAILING_DAYS)) / TRAILING_DAYS
    return DailyCounts(today, per_day[today], usual, tuple(reversed(todays)))


def spike_payload(repo: Repository, watch: Watch, counts: DailyCounts) -> dict[str, Any]:
    """An alert payload (the schema of tasks/messages.py) about the spike, linking today's newest story."""
    articles = {a.id: a for a in repo.get_articles(list(counts.article_ids[:LISTED_STORIES]))}
    listed = [articles[i] for i in counts.article_ids[:LISTED_STORIES] if i in articles]
    ratio = counts.today / max(counts.usual, 1.0)
    newest = listed[0] if listed else None
    return {
        "kind": "spike",
        "watch_id": watch.id,
        "watch_name": watch.name,
        "title": f"{counts.today} stories today, {ratio:.1f}× the usual {counts.usual:.1f} a day",
        "url": newest.url if newest else "",
        "source": newest.source if newest else None,
        "published": newest.published.isoformat() if newest and newest.published else None,
        "snippet": "; ".join(a.title or a.url for a in listed),
        "day": counts.day.isoformat(),
        "today": counts.today,
        "usual": round(counts.usual, 2),
        "factor": watch.spike_factor,
        "stories": [{"url": a.url, "title": a.title, "source": a.source} for a in listed],
    }


def render_spike(payload: Mapping[str, Any], *, owner_tz: str) -> Message:
    """An alert message whose JSON form says it is a spike and carries the counts."""
    message = render_alert(payload, owner_tz=owner_tz)
    keys = ("watch_id", "watch_name", "day", "today", "usual", "factor", "stories", "title", "url")
    data = {"kind": "spike", **{key: payload.get(key) for key in keys}}
    return dataclasses.replace(message, subject=f"[newsmon] spike: {payload.get('watch_name')}", data=data)


def check_spikes(repo: Repository, now: datetime | None = None) -> list[int]:
    """Create today's spike alerts for watches over their factor; returns the ids created."""
    now = now or datetime.now(UTC)
    watches = [w for w in repo.list_watches(enabled_only=True) if w.spike_factor]
    if not watches:
        return []
    matches: dict[int, list[tuple[datetime, int]]] = {w.id: [] for w in watches}
    for watch_id, matched_at, article_id in repo.match_times(
        [w.id for w in watches], now - timedelta(days=TRAILING_DAYS + 2)
    ):
        matches[watch_id].append((matched_at, article_id))
    channels = {c.name: c for c in repo.list_channels() if c.enabled}
    created: list[int] = []
    for watch in watches:
        counts = daily_counts(watch, matches[watch.id], now)
        if not counts.today or not counts.is_spike(float(watch.spike_factor or 0)):
            continue
        payload = spike_payload(repo, watch, counts)
        if not payload["url"]:
            continue
        send_at = in_quiet_hours(watch, now)  # None: send right away
        for name in watch.channels:
            if name not in channels:
                continue
            key = f"spike:{watch.id}:{counts.day.isoformat()}:{channels[name].id}"
            new = NewAlert(channels[name].id, key, payload, next_attempt_at=send_at)
            alert_id = repo.add_alert(new, kind="spike", watch_id=watch.id)
            if alert_id is not None:
                log.info(
                    "spike of watch %r: %d stories today (usual %.1f)", watch.name, counts.today, counts.usual
                )
                created.append(alert_id)
    return created
