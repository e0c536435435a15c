"""When each source is crawled next, and the beat-driven tick that enqueues the crawls that are due.

Schedules live in the database (`sources.next_run_at`, `sources.interval_seconds`), not in beat: one fixed beat
entry runs `schedule_crawls` every few seconds, which claims due sources with an atomic conditional UPDATE
(`FOR UPDATE SKIP LOCKED` on PostgreSQL) and enqueues one crawl for each. A changed schedule is read at the
next tick, and two beat processes (or two overlapping ticks) cannot both claim one source.

A source's `schedule` (newsmon/schedules.py reads it) is adaptive, a fixed interval or a cron expression.
Every next run gets a random spread of NEWSMON_SCHEDULE_JITTER, so sources do not all fire together.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import redis

from newsmon.config import Settings, get_settings
from newsmon.schedules import Schedule, crontab_of
from newsmon.storage import Repository
from tasks import context
from tasks.app import app

log = logging.getLogger(__name__)
SPEED_UP = 0.7  # interval factor after a crawl that found new articles
SLOW_DOWN = 1.5  # interval factor after a crawl that found nothing new
CLAIM_BATCH = 2000
# A claimed source whose crawl message is lost is claimed again after the crawl's own limit, or at the next tick
# when the broker is a Redis found emptied or restarted (BROKER_MARK gone, or left by another run of it).
CLAIM_MARGIN_SECONDS = 300
BROKER_MARK = "newsmon:broker:mark"
# Called with the repository at the start of every tick: the worker commands register one that syncs changed
# source definition files (newsmon.cli.sources.DefinitionWatcher), which tasks may not import.
_tick_hooks: list[Callable[[Repository], object]] = []


def before_each_tick(hook: Callable[[Repository], object]) -> None:
    """Run `hook(repo)` at the start of every scheduler tick in this process (and the processes it forks)."""
    _tick_hooks.append(hook)


def cron_next(expression: str, after: datetime, timezone: str) -> datetime:
    """The first time after `after` (aware) that the cron expression names, read in `timezone`."""
    local = after.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    schedule: Any = crontab_of(expression, nowfun=lambda: local)
    return after + schedule.remaining_estimate(local)


def adapt_interval(current: int, new_articles: int, settings: Settings) -> int:
    """Poll a source that found something more often, one that found nothing less often, within bounds."""
    factor = SPEED_UP if new_articles > 0 else SLOW_DOWN
    low, high = (
        settings.schedule_min_interval,
        max(settings.schedule_min_interval, settings.schedule_max_interval),
    )
    return int(min(high, max(low, round(current * factor))))


@dataclass(frozen=True, slots=True)
class NextRun:
    interval_seconds: int
    at: datetime


def plan_next_run(
    schedule: Schedule,
    interval: int | None,
    outcome: tuple[str, int],
    now: datetime,
    settings: Settings,
) -> NextRun:
    """After a crawl with outcome (status, new articles): the interval to keep and the next run time.

    An interrupted crawl (worker shutdown) runs again at the next tick and goes on from what was stored;
    a failed one keeps its interval; only ok crawls move an adaptive interval.
    """
    status, new_articles = outcome
    if schedule.kind == "cron":
        assert schedule.cron is not None
        first = cron_next(schedule.cron, now, schedule.timezone)
        gap = (cron_next(schedule.cron, first, schedule.timezone) - first).total_seconds()
        if status == "interrupted":
            return NextRun(int(gap), now)
        return NextRun(int(gap), first + timedelta(seconds=random.uniform(0, settings.schedule_jitter * gap)))
    if schedule.kind == "interval":
        current = int(schedule.seconds or settings.schedule_interval)
    else:
        current = int(interval or settings.schedule_interval)
        if status == "ok":
            current = adapt_interval(current, new_articles, settings)
    if status == "interrupted":
        return NextRun(current, now)
    jitter = settings.schedule_jitter * current
    return NextRun(current, now + timedelta(seconds=current + random.uniform(-jitter, jitter)))


def broker_was_reset(broker_url: str) -> bool:
    """True when a Redis broker no longer holds the mark the last tick left in it, or holds one from before
    it restarted (the mark is the server's run_id). Emptied (restarted without persistence, or flushed), it
    lost the crawl messages queued for claimed sources. Restarted with persistence, it can still have lost
    the message a worker had taken but not started: the worker gives it back while Redis is down, which
    fails, and Redis redelivers it only after the visibility timeout, the claim's whole hold. Other brokers
    keep their queues (or hold the claims only until the crawl's time limit)."""
    if not broker_url.startswith(("redis://", "rediss://")):
        return False
    client = redis.Redis.from_url(broker_url, decode_responses=True)
    try:
        try:
            run = str(client.info("server").get("run_id", ""))
        except redis.ResponseError:  # a Redis that refuses INFO: only an emptied one is told apart
            run = "1"
        return client.getset(BROKER_MARK, run) != run
    except redis.RedisError:  # the broker is down: the enqueue below fails and says so
        return False
    finally:
        client.close()


def enqueue_crawls(names: list[str], expires: float) -> None:
    """One crawl message per source, all through one producer connection."""
    from tasks.crawl import crawl_source_task

    with app.producer_or_acquire() as producer:
        for name in names:
            # A message still queued when the claim runs out is dropped; the next claim enqueues a fresh one.
            crawl_source_task.apply_async((name,), queue="crawl", expires=expires, producer=producer)


def schedule_crawls(
    now: datetime | None = None, enqueue: Callable[[list[str], float], None] = enqueue_crawls
) -> dict[str, int]:
    """One tick: close runs whose worker vanished (their sources are due again at once), claim the sources that
    are due, enqueue their crawls."""
    from tasks.crawl import GRACE_SECONDS

    settings = get_settings()
    repo = context.repository()
    now = now or datetime.now(UTC)
    for hook in _tick_hooks:
        try:
            hook(repo)
        except Exception:  # a hook's failure (a definition sync) must not stop the crawls that are due
            log.exception("scheduler tick: %r failed; claiming due sources anyway", hook)
    lost_after = timedelta(seconds=settings.crawl_time_limit + GRACE_SECONDS + CLAIM_MARGIN_SECONDS)
    lost = repo.close_orphaned_runs(now, "crawl:", "worker lost")  # lease ran out: its worker died
    lost += repo.close_lost_runs(now - lost_after, "worker lost")  # older than any crawl may run
    if broker_was_reset(settings.effective_broker_url):
        released = repo.release_lost_claims(now)
        if released:
            log.warning(
                "the broker was restarted or emptied: %d crawls queued and not started sent again (%s)",
                len(released),
                ", ".join(released[:10]) + (", ..." if len(released) > 10 else ""),
            )
    hold = timedelta(seconds=settings.crawl_time_limit + CLAIM_MARGIN_SECONDS)
    names = repo.claim_due_sources(now, hold, limit=CLAIM_BATCH)
    if names:
        enqueue(names, hold.total_seconds())
    if names or lost:
        log.info("scheduler enqueued %d crawls; %d runs closed as lost", len(names), len(lost))
    for run in lost:
        log.warning(
            "crawl run %s of %s lost its worker", run[1], run[0], extra={"source": run[0], "run_id": run[1]}
        )
    return {"enqueued": len(names), "lost_runs": len(lost)}


@app.task(name="newsmon.schedule_crawls", acks_late=True)
def schedule_crawls_task() -> dict[str, int]:
    return schedule_crawls()
