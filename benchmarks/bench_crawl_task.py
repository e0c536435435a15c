"""The crawl task's own overhead: `crawl_source` (lease, run record, child process supervision, summary,
rescheduling) against a bare `scrapy crawl` of the same source with the same settings, in the same run.

Both store into a fresh SQLite database each round (so both do the same work), against the demo portals on
127.0.0.1; medians of three rounds per portal, and the difference, are printed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newsmon.demo.server import DemoPortals

ROUNDS = 3
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "LOG_LEVEL": "WARNING"}


def prepare(data_dir: Path) -> dict[str, str]:
    """Environment for a fresh database in data_dir, migrated."""
    env = {**os.environ, "NEWSMON_DATA_DIR": str(data_dir), "NEWSMON_SINCE_DAYS": "36500"}
    env.pop("NEWSMON_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    return env


def bare_crawl(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, env={**env, "SCRAPY_SETTINGS_MODULE": "crawlers.settings"}, check=True, capture_output=True
    )
    return time.perf_counter() - started


TASK_SCRIPT = """
import json, sys, time
from newsmon.models import Source
from tasks import context
from tasks.crawl import CrawlOptions, crawl_source
source = Source(**json.loads(sys.argv[1]))
context.repository().upsert_source(source)
options = CrawlOptions(enqueue_matching=False, extra_settings=tuple(json.loads(sys.argv[2]).items()))
started = time.perf_counter()
result = crawl_source(source.name, options)
assert result["status"] == "ok", result
print(time.perf_counter() - started)
"""


def task_crawl(name: str, env: dict[str, str]) -> float:
    """crawl_source in a fresh interpreter, timed around the call only (as in a running worker)."""
    command = [sys.executable, "-c", TASK_SCRIPT, *task_arguments(name)]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return float(done.stdout.split()[-1])


def task_arguments(name: str) -> list[str]:
    import json

    return [json.dumps(SOURCES[name]), json.dumps(FAST)]


SOURCES: dict[str, dict[str, object]] = {}


def main() -> None:
    from tasks.crawl import CrawlOptions, crawl_command

    with tempfile.TemporaryDirectory() as tmp, DemoPortals() as portals:
        root = Path(tmp)
        bare: dict[str, list[float]] = {}
        task: dict[str, list[float]] = {}
        for source in portals.sources():
            SOURCES[source.name] = {
                "name": source.name,
                "home": source.home,
                "languages": list(source.languages),
                "feeds": list(source.feeds),
                "sitemaps": list(source.sitemaps),
                "listings": list(source.listings),
            }
        for round_ in range(ROUNDS):
            for source in portals.sources():
                workdir = root / f"bare-{round_}-{source.name}"
                workdir.mkdir()
                command, _ = crawl_command(
                    source, workdir, CrawlOptions(enqueue_matching=False, extra_settings=tuple(FAST.items()))
                )
                bare.setdefault(source.name, []).append(bare_crawl(command, prepare(workdir / "data")))
                env = prepare(root / f"task-{round_}-{source.name}")
                task.setdefault(source.name, []).append(task_crawl(source.name, env))
        print(f"median of {ROUNDS} rounds, each crawl into a fresh SQLite database")
        for name in bare:
            b, t = statistics.median(bare[name]), statistics.median(task[name])
            print(f"{name:10s}  bare scrapy crawl {b:6.2f}s   crawl task {t:6.2f}s   overhead {t - b:+6.2f}s")


if __name__ == "__main__":
    main()
