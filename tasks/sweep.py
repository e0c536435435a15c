"""The safety net and the alert clock: re-enqueue what a lost message left behind, and make digests and spikes.

Unmatched articles (the enqueue after commit failed, or a worker died) and due alerts (retries whose time has
come, quiet hours that ended, sends whose lease ran out) are found in the database, so nothing depends on one
message arriving. The alerts tick turns held alerts into digests at each owner's period boundary and checks
spikes; both write outbox rows with unique keys, so extra ticks do no harm.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from newsmon.config import get_settings
from tasks import context
from tasks.app import app

log = logging.getLogger(__name__)
BATCH = 200


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Enqueue matching for stale unmatched articles and delivery for due alerts."""
    from tasks.delivery import deliver_alert_task
    from tasks.matching import match_articles_task

    repo = context.repository()
    grace = timedelta(seconds=get_settings().match_grace_seconds)
    unmatched = repo.unmatched_article_ids(limit=BATCH * 5, older_than=grace)
    for start in range(0, len(unmatched), BATCH):
        match_articles_task.apply_async((unmatched[start : start + BATCH],), queue="process")
    due = repo.due_alert_ids(limit=BATCH * 5, now=now)
    for alert_id in due:
        deliver_alert_task.apply_async((alert_id,), queue="alerts")
    if unmatched or due:
        log.info("sweeper re-enqueued %d unmatched articles and %d due alerts", len(unmatched), len(due))
    return {"unmatched": len(unmatched), "due_alerts": len(due)}


def alerts_tick(now: datetime | None = None, *, enqueue: bool = True) -> dict[str, int]:
    """Make the digests due now and today's spike alerts; send those due (quiet hours wait for the sweeper)."""
    from tasks.delivery import deliver_alert_task
    from tasks.digest import run_digests
    from tasks.spike import check_spikes

    now = now or datetime.now(UTC)
    repo = context.repository()
    digests = run_digests(repo, now)
    spikes = check_spikes(repo, now)
    if enqueue:
        for alert_id in (*digests, *spikes):
            deliver_alert_task.apply_async((alert_id,), queue="alerts")
    return {"digests": len(digests), "spikes": len(spikes)}


@app.task(name="newsmon.sweep", acks_late=True)
def sweep_task() -> dict[str, int]:
    return sweep()


@app.task(name="newsmon.alerts_tick", acks_late=True)
def alerts_tick_task() -> dict[str, int]:
    return alerts_tick()
