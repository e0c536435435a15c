"""Crawl one source: a `scrapy crawl` child process under a per-source lease, with a time limit and a memory
cap, recorded as a crawl run with Scrapy's stats.

The Twisted reactor cannot restart inside a worker, so every crawl is its own process; the lease makes sure
no source is crawled twice at once across machines, and it expires if the worker dies.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from newsmon.config import Settings, get_settings
from newsmon.models import Source
from tasks import context
from tasks.app import app

log = logging.getLogger(__name__)
GRACE_SECONDS = 20


@dataclass(frozen=True, slots=True)
class CrawlOptions:
    since: str | None = None
    limit: int | None = None
    enqueue_matching: bool = True
    extra_settings: tuple[tuple[str, str], ...] = ()


def source_file(source: Source, directory: Path) -> Path:
    """The definition handed to the child process (JSON, which the YAML loader reads too)."""
    values = dataclasses.asdict(source)
    values["founded"] = source.founded.isoformat() if source.founded else None
    values["selectors"] = dict(source.selectors)
    values.pop("origin", None)
    path = directory / f"{source.name}.json"
    path.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    return path


def crawl_command(source: Source, directory: Path, options: CrawlOptions) -> tuple[list[str], Path]:
    stats_file = directory / "stats.json"
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "source",
        "-a",
        f"sources_file={source_file(source, directory)}",
    ]
    command += ["-a", f"source={source.name}", "-s", f"NEWSMON_STATS_FILE={stats_file}"]
    command += ["-s", f"NEWSMON_ENQUEUE_MATCHING={int(options.enqueue_matching)}", "-s", "LOG_LEVEL=INFO"]
    if options.since:
        command += ["-a", f"since={options.since}"]
    if options.limit:
        command += ["-a", f"limit={options.limit}"]
    for key, value in options.extra_settings:
        command += ["-s", f"{key}={value}"]
    return command, stats_file


def _limit_memory(megabytes: int) -> Any:
    def apply() -> None:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def run_child(command: list[str], settings: Settings, log_path: Path) -> tuple[int | None, str]:
    """Run the crawl process; returns (exit code, finish reason of the supervision)."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawlers.settings"}
    with log_path.open("wb") as log_file:
        child = subprocess.Popen(
            command,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=_limit_memory(settings.crawl_memory_mb),
        )
        try:
            return child.wait(timeout=settings.crawl_time_limit), "finished"
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGTERM)  # Scrapy closes the spider cleanly on SIGTERM
            try:
                child.wait(timeout=GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            return child.returncode, "timeout"
        except BaseException:  # worker shutdown: stop the crawl cleanly, record it, re-raise
            child.send_signal(signal.SIGTERM)
            child.wait(timeout=GRACE_SECONDS)
            raise


def read_stats(path: Path) -> dict[str, Any]:
    """Scrapy's final stats as the crawl process wrote them, with its finish reason; {} if it died first."""
    if not path.exists():
        return {}
    record = json.loads(path.read_text(encoding="utf-8"))
    return {**record.get("stats", {}), "finish_reason": record.get("finish_reason")}


def _status(code: int | None, supervision: str, stats: dict[str, Any]) -> tuple[str, str]:
    reason = str(stats.get("finish_reason") or supervision)
    if supervision == "timeout":
        return "timeout", "time limit reached"
    if code == 0 and reason == "finished":
        return "ok", reason
    if code is not None and code < 0:
        return "failed", f"killed by signal {-code}"
    if reason in {"shutdown", "cancelled"}:
        return "interrupted", reason
    if code == 0:
        return "ok", reason
    return "failed", f"exit code {code}" + ("; memory cap?" if code in (1, 137) and not stats else "")


def crawl_source(name: str, options: CrawlOptions | None = None) -> dict[str, Any]:
    """Crawl one registered source now, unless another process is crawling it."""
    options = options or CrawlOptions()
    settings = get_settings()
    repo = context.repository()
    source = repo.get_source(name)
    if source is None:
        raise LookupError(f"no source named {name!r}; see `newsmon sources list`")
    owner, lock = uuid.uuid4().hex, f"crawl:{name}"
    if not repo.acquire_lock(lock, owner, timedelta(seconds=settings.crawl_time_limit + 120)):
        log.info("source %s is being crawled elsewhere; skipped", name)
        return {"source": name, "status": "locked"}
    run_id = repo.start_run(name)
    status, reason, stats = "failed", "crashed", {}
    try:
        with tempfile.TemporaryDirectory(prefix="newsmon-crawl-") as tmp:
            command, stats_file = crawl_command(source, Path(tmp), options)
            log_path = settings.data_dir / "logs" / f"crawl-{name}-{run_id}.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            try:
                code, supervision = run_child(command, settings, log_path)
            except BaseException:
                status, reason = "interrupted", "worker shutdown"
                raise
            stats = read_stats(stats_file)
            status, reason = _status(code, supervision, stats)
    finally:
        repo.finish_run(run_id, status, reason, stats)
        repo.release_lock(lock, owner)
    log.info("crawl of %s: %s (%s), %s new articles", name, status, reason, stats.get("newsmon/store/new", 0))
    return {"source": name, "run_id": run_id, "status": status, "reason": reason, "stats": stats}


@app.task(name="newsmon.crawl_source", acks_late=True)
def crawl_source_task(name: str, since: str | None = None, limit: int | None = None) -> dict[str, Any]:
    result = crawl_source(name, CrawlOptions(since=since, limit=limit))
    return {k: v for k, v in result.items() if k != "stats"}
