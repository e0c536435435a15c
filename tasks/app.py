"""The one Celery app: JSON messages carrying ids, three queues, late acks on idempotent tasks.

Redis (or RabbitMQ) in production; by default a SQLite-backed broker in the data directory, so a laptop
needs no server. Retries, digests and quiet hours are database rows claimed by the beat sweeper, never long
ETA countdowns (which Redis redelivers or loses).
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import beat_init, worker_process_init
from kombu import Queue

from newsmon.config import Settings, get_settings
from tasks.schedule import beat_schedule

QUEUES = ("crawl", "process", "alerts")
ROUTES = {
    "newsmon.crawl_source": {"queue": "crawl"},
    "newsmon.schedule_crawls": {"queue": "process"},
    "newsmon.check_health": {"queue": "process"},
    "newsmon.match_articles": {"queue": "process"},
    "newsmon.sweep": {"queue": "process"},
    "newsmon.deliver_alert": {"queue": "alerts"},
}


def transport_options(broker_url: str, visibility: int) -> dict[str, int]:
    """Redis redelivers unacked tasks after `visibility_timeout`; the SQLite transport takes no such option."""
    return (
        {"visibility_timeout": visibility} if broker_url.startswith(("redis", "rediss", "sentinel")) else {}
    )


def create_app(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = Celery("newsmon", broker=settings.effective_broker_url, set_as_current=True)
    # Longer than the longest task, so an unacked task is not redelivered while it still runs.
    visibility = settings.crawl_time_limit + 300
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        result_backend=None,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=settings.crawl_time_limit + 120,
        task_queues=[Queue(name) for name in QUEUES],
        task_default_queue="process",
        task_routes=ROUTES,
        broker_transport_options=transport_options(settings.effective_broker_url, visibility),
        result_backend_transport_options=transport_options(settings.effective_broker_url, visibility),
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        beat_schedule=beat_schedule(),
        timezone="UTC",
        include=[
            "tasks.crawl",
            "tasks.matching",
            "tasks.delivery",
            "tasks.sweep",
            "tasks.scheduling",
            "tasks.health",
            "tasks.trends",
        ],
    )
    return app


app = create_app()


@worker_process_init.connect
def _dispose_after_fork(**_: object) -> None:
    """Connections inherited from the parent process must not be shared after fork."""
    from tasks.context import reset

    reset()


# Set by `newsmon run`, which runs beat in a child of its worker process.
EMBEDDED_BEAT = "NEWSMON_EMBEDDED_BEAT"


@beat_init.connect
def _embedded_beat_dies_with_worker(**_: object) -> None:
    """A worker killed outright (SIGKILL, the OOM killer) would leave its embedded beat ticking alone, and a
    restarted `newsmon run` would add a second one. A standalone `newsmon beat` is left alone."""
    if os.environ.get(EMBEDDED_BEAT) == "1":
        from newsmon.child_process import die_with_parent

        die_with_parent()
