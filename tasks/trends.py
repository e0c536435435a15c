"""Daily upkeep of kept trend counts: the commonest words are kept before anyone asks for their trend."""

from __future__ import annotations

import logging
import time

from newsmon.config import get_settings
from newsmon.search.trends import keep_common_words
from tasks import context
from tasks.app import app

log = logging.getLogger(__name__)


@app.task(name="newsmon.keep_common_trends", acks_late=True)
def keep_common_trends_task() -> dict[str, object]:
    """Idempotent: a word already kept is skipped, so a second beat's tick only reads the index."""
    started = time.monotonic()
    kept = keep_common_words(context.repository(), get_settings().trends_keep_min_articles)
    seconds = round(time.monotonic() - started, 1)
    log.info("kept trend counts for %d common words in %.1f s: %s", len(kept), seconds, ", ".join(kept))
    return {"kept": kept, "seconds": seconds}
