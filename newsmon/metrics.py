"""Prometheus metrics computed from the database (and the broker's queue lengths when it is Redis).

Every figure is read at scrape time from what every worker on every host writes to the shared database, so
one `/metrics` endpoint anywhere reports the whole deployment and no process keeps counters in memory.
`render_metrics()` returns the exposition body and its content type; the HTTP API mounts it at /metrics and
`newsmon metrics` prints it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from newsmon.config import Settings, get_settings
from newsmon.storage import Repository, open_repository

log = logging.getLogger(__name__)
QUEUES = ("crawl", "process", "alerts")
LATENCY_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)
LATENCY_WINDOW = timedelta(hours=24)
PRIORITY_SEPARATOR = "\x06\x16"  # kombu's Redis transport keeps priority steps in keys "<queue>\x06\x16<n>"
PRIORITY_STEPS = (3, 6, 9)


def _latency_histogram(values: list[float]) -> HistogramMetricFamily:
    buckets = [(str(edge), float(sum(1 for v in values if v <= edge))) for edge in LATENCY_BUCKETS]
    buckets.append(("+Inf", float(len(values))))
    return HistogramMetricFamily(
        "newsmon_alert_delivery_latency_seconds",
        f"Seconds from alert creation to sending, alerts sent in the last {LATENCY_WINDOW.total_seconds() / 3600:.0f} h.",
        buckets=buckets,
        sum_value=sum(values),
    )


def queue_lengths(redis_url: str) -> dict[str, int]:
    """Messages waiting in each Celery queue on a Redis broker."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=3)
    try:
        return {
            name: sum(
                int(client.llen(key))
                for key in (name, *(f"{name}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS))
            )
            for name in QUEUES
        }
    finally:
        client.close()


class NewsmonCollector(Collector):
    """Reads crawl runs, articles, matches, alerts and schedules at collection time."""

    def __init__(self, repo: Repository, settings: Settings) -> None:
        self.repo = repo
        self.settings = settings

    def collect(self) -> Iterator[Metric]:
        yield from self._crawls()
        yield from self._articles()
        yield from self._alerts()
        yield from self._sources()
        yield from self._queues()

    def _crawls(self) -> Iterator[Metric]:
        runs = CounterMetricFamily("newsmon_crawls", "Crawl runs by result.", labels=["result"])
        for status, count in sorted(self.repo.count_runs_by_status().items()):
            runs.add_metric([status], count)
        yield runs

    def _articles(self) -> Iterator[Metric]:
        articles, stories = self.repo.count_articles(), self.repo.count_stories()
        yield CounterMetricFamily("newsmon_articles_stored", "Articles stored.", value=articles)
        yield CounterMetricFamily(
            "newsmon_duplicates_stored",
            "Articles stored as another copy of a known story.",
            value=articles - stories,
        )
        yield CounterMetricFamily(
            "newsmon_matches", "Watch matches (one per watch and story).", value=self.repo.count_matches()
        )

    def _alerts(self) -> Iterator[Metric]:
        alerts = GaugeMetricFamily("newsmon_alerts", "Alerts by kind and status.", labels=["kind", "status"])
        for (kind, status), count in sorted(self.repo.count_alerts_by_status().items()):
            alerts.add_metric([kind, status], count)
        yield alerts
        yield _latency_histogram(self.repo.delivery_latencies(datetime.now(UTC) - LATENCY_WINDOW))

    def _sources(self) -> Iterator[Metric]:
        interval = GaugeMetricFamily(
            "newsmon_source_interval_seconds", "Current polling interval of each source.", labels=["source"]
        )
        last = GaugeMetricFamily(
            "newsmon_source_last_run_timestamp_seconds",
            "When each source was last crawled.",
            labels=["source"],
        )
        for item in self.repo.source_schedules():
            if not item.enabled:
                continue
            interval.add_metric([item.name], item.interval_seconds or self.settings.schedule_interval)
            if item.last_run_at:
                last.add_metric([item.name], item.last_run_at.timestamp())
        yield interval
        yield last

    def _queues(self) -> Iterator[Metric]:
        url = self.settings.broker_url
        if not url.startswith(("redis://", "rediss://")):
            return
        gauge = GaugeMetricFamily("newsmon_queue_length", "Messages waiting in each queue.", labels=["queue"])
        try:
            lengths = queue_lengths(url)
        except Exception as exc:  # an unreachable broker must not take the other metrics down
            log.warning("cannot read queue lengths from the broker: %s", exc)
            return
        for name, length in lengths.items():
            gauge.add_metric([name], length)
        yield gauge


def render_metrics(repo: Repository | None = None, settings: Settings | None = None) -> tuple[bytes, str]:
    """The Prometheus exposition of the current figures: (body, content type)."""
    settings = settings or get_settings()
    owned = repo is None
    repository = repo or open_repository(settings)
    try:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(NewsmonCollector(repository, settings))
        return generate_latest(registry), CONTENT_TYPE_LATEST
    finally:
        if owned:
            repository.dispose()
