"""One scheduler tick with 1,000 due sources: claim them and enqueue their crawls (target: under 1 s).

Measured on SQLite and, when reachable, PostgreSQL, enqueueing to Redis when reachable (else counting the
messages only). The baseline, measured in the same run, is a plain read of every source row.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SOURCES = 1000
ROUNDS = 3
PG = "host=127.0.0.1 port=5432 dbname=test user=postgres"


def postgres_url() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG, autocommit=True, connect_timeout=3) as conn:
            conn.execute("DROP DATABASE IF EXISTS newsmon_bench_schedule WITH (FORCE)")
            conn.execute("CREATE DATABASE newsmon_bench_schedule")
        return "postgresql+psycopg://postgres@127.0.0.1:5432/newsmon_bench_schedule"
    except Exception:
        return None


def redis_url() -> str | None:
    try:
        import redis

        url = "redis://127.0.0.1:6379/12"
        client = redis.Redis.from_url(url, socket_timeout=3)
        client.flushdb()
        client.close()
        return url
    except Exception:
        return None


def tick_seconds(database_url: str, broker: str | None, data_dir: Path) -> tuple[float, float, float]:
    """Median seconds of a read of all sources (baseline), a tick that only claims, and a full tick."""
    os.environ.update({"NEWSMON_DATABASE_URL": database_url, "NEWSMON_DATA_DIR": str(data_dir)})
    os.environ["NEWSMON_BROKER_URL"] = broker or ""
    from newsmon.config import get_settings
    from newsmon.models import Source
    from newsmon.storage.migrate import upgrade
    from tasks import context

    get_settings.cache_clear()
    context.reset()
    from tasks.scheduling import enqueue_crawls, schedule_crawls

    repo = context.repository()
    upgrade(repo.engine)
    for i in range(SOURCES):
        repo.upsert_source(Source(name=f"bench-{i:04d}", home=f"http://127.0.0.1:9/{i}/"))

    def enqueue(names: list[str], expires: float) -> None:
        if broker:
            enqueue_crawls(names, expires)

    reads, claims, ticks = [], [], []
    for round_ in range(ROUNDS):
        started = time.perf_counter()
        assert len(repo.source_schedules()) == SOURCES
        reads.append(time.perf_counter() - started)
        for step, (times, send) in enumerate(((claims, lambda names, expires: None), (ticks, enqueue))):
            now = datetime.now(UTC) + timedelta(days=2 * round_ + step)  # every source is due again
            started = time.perf_counter()
            result = schedule_crawls(now, send)
            times.append(time.perf_counter() - started)
            assert result["enqueued"] == SOURCES, result
    repo.dispose()
    context.reset()
    return statistics.median(reads), statistics.median(claims), statistics.median(ticks)


def main() -> None:
    broker = redis_url()
    targets = [("sqlite", None)]
    pg = postgres_url()
    if pg:
        targets.append(("postgresql", pg))
    print(f"{SOURCES} due sources, median of {ROUNDS} ticks; enqueue to {'Redis' if broker else 'nowhere'}")
    for name, url in targets:
        with tempfile.TemporaryDirectory() as tmp:
            database = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
            read, claim, tick = tick_seconds(database, broker, Path(tmp))
        print(
            f"{name:10s}  baseline read of all sources {read * 1000:7.1f} ms   "
            f"claim only {claim * 1000:7.1f} ms   tick with enqueue {tick * 1000:7.1f} ms"
        )
    cleanup(broker, pg)


def cleanup(broker: str | None, pg: str | None) -> None:
    if broker:
        import redis

        redis.Redis.from_url(broker).flushdb()
    if pg:
        import psycopg

        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS newsmon_bench_schedule WITH (FORCE)")


if __name__ == "__main__":
    main()
