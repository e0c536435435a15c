"""Enqueue matching right after an article is committed.

Messages carry ids only. Sending is by task name, so the pipelines never import the tasks package. A broker
that is down costs a log line, not an article: the unmatched row is picked up by the beat sweeper.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

MATCH_TASK = "newsmon.match_articles"


class MatchQueue:
    """Sends `newsmon.match_articles(ids)` to the `process` queue."""

    def __init__(self, broker_url: str) -> None:
        self.broker_url = broker_url
        self._app: Celery | None = None

    def _celery(self) -> Celery:
        """The client, made at the first send: a crawl imports Celery only when it has articles to send."""
        if self._app is None:
            from celery import Celery

            self._app = Celery("newsmon-outbox", broker=self.broker_url, set_as_current=False)
            self._app.conf.update(
                task_serializer="json",
                broker_connection_timeout=3,
                broker_connection_retry=False,
                broker_transport_options={"max_retries": 1},
            )
        return self._app

    def enqueue(self, article_ids: Sequence[int]) -> bool:
        try:
            self._celery().send_task(MATCH_TASK, args=[list(article_ids)], queue="process", retry=False)
            return True
        except Exception as exc:  # broker down: the sweeper re-enqueues unmatched articles
            log.warning(
                "could not enqueue matching for articles %s (%s); the sweeper will", list(article_ids), exc
            )
            return False

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
