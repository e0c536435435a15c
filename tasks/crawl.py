"""Crawl one source: a `scrapy crawl` child process under a per-source lease, with a time limit and a memory
cap, recorded as a crawl run with Scrapy's stats and a tidy summary, then rescheduled.

The Twisted reactor cannot restart inside a worker, so every crawl is its own process. The lease is a row in
the shared database, renewed while the crawl runs and short enough to run out soon after a worker is killed,
so no source is crawled twice at once across machines and none stays locked. SIGTERM (worker shutdown) is
passed to the crawl, which closes cleanly; the run is recorded as interrupted and the source is due again at
the next tick, which goes on from what was stored (stored URLs are not fetched again).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from newsmon.config import Settings, get_settings
from newsmon.models import Source
from newsmon.schedules import ScheduleError, parse_schedule
from tasks import context
from tasks.app import app
from tasks.crawl_process import GRACE_SECONDS, CrawlInterrupted, crawl_status, run_child, sigterm_interrupts
from tasks.poll import LAST_FULL, NOT_MODIFIED, poll_unchanged
from tasks.run_summary import summarise, unreachable
from tasks.scheduling import plan_next_run

log = logging.getLogger(__name__)
T = TypeVar("T")
DB_ATTEMPTS = 5  # writes at the end of a crawl outlast a database restart of a few seconds
LOG_TAIL_BYTES = 16384
# The lines of a crawl log that say what went wrong: a traceback's last line, or an ERROR/CRITICAL record.
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)(: .*)?$")
ERROR_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[^\]]+\] (?:ERROR|CRITICAL): (.+)$")
__all__ = ["GRACE_SECONDS", "CrawlOptions", "crawl_source", "crawl_source_task"]


@dataclass(frozen=True, slots=True)
class CrawlOptions:
    since: str | None = None
    limit: int | None = None
    enqueue_matching: bool = True
    extra_settings: tuple[tuple[str, str], ...] = ()
    # Scheduled crawls first ask the discovery pages whether anything changed (see tasks.poll), and their crawl
    # sends the source's validators. Any other crawl (asked for by hand) sends none: it reads every feed,
    # sitemap and listing page in full, and saves the validators it got for the scheduled crawls after it.
    poll_first: bool = False


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
    if not options.poll_first:
        command += ["-s", "NEWSMON_CONDITIONAL_ASK=0"]
    if options.since:
        command += ["-a", f"since={options.since}"]
    if options.limit:
        command += ["-a", f"limit={options.limit}"]
    for key, value in options.extra_settings:
        command += ["-s", f"{key}={value}"]
    return command, stats_file


def read_stats(path: Path) -> dict[str, Any]:
    """Scrapy's final stats as the crawl process wrote them, with its finish reason; {} if it died first."""
    if not path.exists():
        return {}
    record = json.loads(path.read_text(encoding="utf-8"))
    return {**record.get("stats", {}), "finish_reason": record.get("finish_reason")}


def crawl_log_path(settings: Settings, name: str, run_id: int) -> Path:
    """Where the crawl process of one run writes its log (kept after the run, for reading why it failed)."""
    return settings.data_dir / "logs" / f"crawl-{name}-{run_id}.log"


def last_error_line(path: Path) -> str | None:
    """The last line of a crawl log that says what went wrong, so a failure is explained without opening it."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - LOG_TAIL_BYTES))
            lines = handle.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if EXCEPTION_LINE.match(line):
            return line.strip()
        if record := ERROR_RECORD.match(line):
            return record.group(1).strip()
    return None


def lease_seconds(settings: Settings) -> int:
    """Short enough that a killed worker's lease runs out soon; renewed every third of it while crawling."""
    return max(15, min(60, settings.crawl_time_limit))


def retrying(action: Callable[[], T], what: str, extra: dict[str, Any]) -> T:
    """Run a database write, retrying for a while if the database is restarting."""
    import time

    for attempt in range(1, DB_ATTEMPTS + 1):
        try:
            return action()
        except Exception as exc:
            if attempt == DB_ATTEMPTS:
                raise
            log.warning("%s failed (%s); retrying", what, exc, extra=extra)
            time.sleep(min(10, 2**attempt))
    raise AssertionError("unreachable")


class LeaseKeeper(threading.Thread):
    """Renews the crawl lease until stopped; a failed renewal is logged, the lease is retried next time."""

    def __init__(self, lock: str, owner: str, ttl: int, extra: dict[str, Any]) -> None:
        super().__init__(name=f"lease-{lock}", daemon=True)
        self.lock, self.owner, self.ttl, self.extra = lock, owner, ttl, extra
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.ttl / 3):
            try:
                context.repository().acquire_lock(self.lock, self.owner, timedelta(seconds=self.ttl))
            except Exception as exc:
                log.warning("cannot renew lease %s: %s", self.lock, exc, extra=self.extra)


def crawl_source(name: str, options: CrawlOptions | None = None) -> dict[str, Any]:
    """Crawl one registered source now, unless another process is crawling it."""
    options = options or CrawlOptions()
    settings = get_settings()
    repo = context.repository()
    source = repo.get_source(name)
    if source is None:
        raise LookupError(f"no source named {name!r}; see `newsmon sources list`")
    owner, lock, ttl = uuid.uuid4().hex, f"crawl:{name}", lease_seconds(settings)
    if not repo.acquire_lock(lock, owner, timedelta(seconds=ttl)):
        log.info("source %s is being crawled elsewhere; skipped", name, extra={"source": name})
        return {"source": name, "status": "locked"}
    last = next(iter(repo.recent_runs(name, limit=1)), None) if options.poll_first else None
    run_id = repo.start_run(name)
    extra = {"source": name, "run_id": run_id}
    keeper = LeaseKeeper(lock, owner, ttl, extra)
    keeper.start()
    log.info("crawl of %s started", name, extra=extra)
    status, reason, stats, polled = "failed", "crashed", {}, None
    try:
        polled = poll_unchanged(source, last, settings, options.since) if options.poll_first else None
        if polled is not None:
            status, reason, stats = "ok", NOT_MODIFIED, polled
        else:
            started = datetime.now(UTC)
            status, reason, stats = _supervise(source, options, settings, run_id)
            stats[LAST_FULL] = started.isoformat()
    finally:
        keeper.stopped.set()
        summary = summarise(stats)
        retrying(
            lambda: repo.finish_run(run_id, status, reason, {**stats, "summary": summary}),
            "recording the crawl run",
            extra,
        )
        retrying(lambda: _reschedule(source, status, summary["new"]), "rescheduling", extra)
        repo.release_lock(lock, owner)
    log.info("crawl of %s: %s (%s), %s new articles", name, status, reason, summary["new"], extra=extra)
    log_path = crawl_log_path(settings, name, run_id) if polled is None else None  # a crawl process ran
    result = {"source": name, "run_id": run_id, "status": status, "reason": reason, "stats": stats}
    return {**result, **_log_details(status, log_path)}


def _log_details(status: str, log_path: Path | None) -> dict[str, str]:
    """Where the crawl process logged, and for a failed crawl the line that says why, for whoever asked."""
    if log_path is None:
        return {}
    details = {"log": str(log_path)}
    if status in {"failed", "timeout"} and (error := last_error_line(log_path)):
        details["error"] = error
    return details


def _supervise(
    source: Source, options: CrawlOptions, settings: Settings, run_id: int
) -> tuple[str, str, dict[str, Any]]:
    """Run the crawl process under SIGTERM handling; (status, reason, stats)."""
    with tempfile.TemporaryDirectory(prefix="newsmon-crawl-") as tmp:
        command, stats_file = crawl_command(source, Path(tmp), options)
        log_path = crawl_log_path(settings, source.name, run_id)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with sigterm_interrupts():
                code, supervision = run_child(command, settings, log_path, browser=source.render)
        except CrawlInterrupted:
            stats = read_stats(stats_file)
            return "interrupted", "worker shutdown", stats
        stats = read_stats(stats_file)
        status, reason = crawl_status(code, supervision, stats, log_path, settings)
        if status == "ok" and (why := unreachable(stats)):
            status, reason = "failed", why  # every request failed: nothing was crawled
        return status, reason, stats


def _reschedule(source: Source, status: str, new_articles: int) -> None:
    repo = context.repository()
    settings = get_settings()
    current = repo.source_schedule(source.name)
    try:
        schedule = parse_schedule(source.schedule, source.timezone)
    except ScheduleError as exc:
        log.error("source %s: %s; polling it adaptively", source.name, exc, extra={"source": source.name})
        schedule = parse_schedule(None)
    now = datetime.now(UTC)
    interval = current.interval_seconds if current else None
    planned = plan_next_run(schedule, interval, (status, new_articles), now, settings)
    repo.reschedule_source(source.name, planned.interval_seconds, planned.at, ran_at=now)


@app.task(name="newsmon.crawl_source", acks_late=True)
def crawl_source_task(
    name: str, since: str | None = None, limit: int | None = None, full: bool = False
) -> dict[str, Any]:
    """A scheduled crawl (no `since`, `limit` or `full`) polls first; one asked for by hand crawls in full."""
    poll_first = not full and since is None and limit is None
    result = crawl_source(name, CrawlOptions(since=since, limit=limit, poll_first=poll_first))
    return {k: v for k, v in result.items() if k != "stats"}
