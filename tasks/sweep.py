"""The safety net: re-enqueue what a lost message left behind.

Unmatched articles (the enqueue after commit failed, or a worker died) and due alerts (retries whose time has
come, sends whose lease ran out) are found in the database, so nothing depends on one message arriving.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from tasks import context
from tasks.app import app

log = logging.getLogger(__name__)
MATCH_GRACE = timedelta(seconds=20)  # leave fresh articles to the message enqueued at commit
BATCH = 200


def sweep() -> dict[str, int]:
    """Enqueue matching for stale unmatched articles and delivery for due alerts."""
    from tasks.delivery import deliver_alert_task
    from tasks.matching import match_articles_task

    repo = context.repository()
    unmatched = repo.unmatched_article_ids(limit=BATCH * 5, older_than=MATCH_GRACE)
    for start in range(0, len(unmatched), BATCH):
        match_articles_task.apply_async((unmatched[start : start + BATCH],), queue="process")
    due = repo.due_alert_ids(limit=BATCH * 5)
    for alert_id in due:
        deliver_alert_task.apply_async((alert_id,), queue="alerts")
    if unmatched or due:
        log.info("sweeper re-enqueued %d unmatched articles and %d due alerts", len(unmatched), len(due))
    return {"unmatched": len(unmatched), "due_alerts": len(due)}


@app.task(name="newsmon.sweep", acks_late=True)
def sweep_task() -> dict[str, int]:
    return sweep()
