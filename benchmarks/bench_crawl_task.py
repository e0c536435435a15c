"""The crawl task's own overhead: `crawl_source` (lease, run record, child process supervision, summary,
rescheduling) against a bare `scrapy crawl` of the same source with the same settings, in the same run.

Both store into a fresh SQLite database each round (so both do the same work), against the demo portals on
127.0.0.1; medians of three rounds per portal, and the difference, are printed. The crawl tasks run one after
another in one interpreter, as in a worker process: once with a fresh `scrapy crawl` process per crawl, once
forked by the warm launcher (crawlers.launcher), whose start is paid by the first crawl alone.
"""

from __future__ import annotations

import json
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
import json, shutil, subprocess, sys, time
from pathlib import Path
from newsmon.models import Source
from tasks import context
from tasks.crawl import CrawlOptions, crawl_source
sources, rounds, data_dir = json.loads(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
options = CrawlOptions(enqueue_matching=False, extra_settings=tuple(json.loads(sys.argv[4]).items()))
for round_ in range(rounds):
    for values in sources:
        context.reset()
        shutil.rmtree(data_dir, ignore_errors=True)  # a fresh database and no saved validators, as the bare crawl
        subprocess.run([sys.executable, "-m", "newsmon.cli", "db", "upgrade"], check=True, capture_output=True)
        context.repository().upsert_source(Source(**values))
        started = time.perf_counter()
        result = crawl_source(values["name"], options)
        assert result["status"] == "ok", result
        print(values["name"], time.perf_counter() - started, flush=True)
"""


def task_crawls(data_dir: Path, launcher: bool) -> list[tuple[str, float]]:
    """Every round of crawl_source calls in one interpreter, as a worker process runs them, timed around
    each call; (source, seconds) in order."""
    env = {**os.environ, "NEWSMON_DATA_DIR": str(data_dir), "NEWSMON_SINCE_DAYS": "36500"}
    env.pop("NEWSMON_DATABASE_URL", None)
    env["NEWSMON_CRAWL_LAUNCHER"] = "true" if launcher else "false"
    sources = json.dumps(list(SOURCES.values()))
    command = [sys.executable, "-c", TASK_SCRIPT, sources, str(ROUNDS), str(data_dir), json.dumps(FAST)]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return [(line.split()[0], float(line.split()[1])) for line in done.stdout.splitlines() if line.strip()]


SOURCES: dict[str, dict[str, object]] = {}


def main() -> None:
    from tasks.crawl import CrawlOptions, crawl_command

    with tempfile.TemporaryDirectory() as tmp, DemoPortals() as portals:
        root = Path(tmp)
        bare: dict[str, list[float]] = {}
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
        fresh = task_crawls(root / "task-fresh", launcher=False)
        forked = task_crawls(root / "task-forked", launcher=True)
        print(
            f"median of {ROUNDS} rounds, each crawl into a fresh SQLite database; crawl tasks run one after"
        )
        print("another in one process, as a worker process runs them")
        print("source        bare scrapy crawl   task, fresh process   task, forked by the launcher")
        for name in bare:
            b = statistics.median(bare[name])
            f = statistics.median(t for n, t in fresh if n == name)
            k = statistics.median(t for n, t in forked[1:] if n == name)
            print(f"{name:12s}  {b:17.2f}s  {f:9.2f}s ({f - b:+.2f})  {k:14.2f}s ({k - b:+.2f})")
        first_name, first = forked[0]
        print(f"the worker process's first crawl ({first_name}), starting the launcher: {first:.2f}s")


if __name__ == "__main__":
    main()
