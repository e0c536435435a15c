"""The crawl child process: started with a memory cap, stopped at the time limit or on worker shutdown.

A worker's shutdown reaches a crawl three ways, and each ends in a clean Scrapy close (finish reason
`shutdown`, stats written): systemd or Docker signal the whole process group; the pool process, if it gets
SIGTERM itself, passes it on (`sigterm_interrupts`); and a warm shutdown of the main worker process, which
would otherwise wait for the crawl to end, signals the crawl processes of its pool (`stop_crawls_of_pool`).
If the pool process is killed outright, the kernel sends the crawl SIGTERM (PR_SET_PDEATHSIG), and the crawl
forces its own stop if the graceful one takes too long (crawlers.middlewares.shutdown_deadline).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from celery.signals import worker_shutting_down

from newsmon.child_process import cap_address_space, die_with_parent
from newsmon.config import Settings
from tasks.launcher_client import ForkedCrawl, LauncherGone, is_launcher, launcher_for

log = logging.getLogger(__name__)
GRACE_SECONDS = 20
MEMORY_CHECK_SECONDS = 5
MEMORY_SIGNS = (
    "MemoryError",
    "Cannot allocate memory",
    "failed to map segment",
    "std::bad_alloc",
    "can't start new thread",  # a thread's stack is address space too
)


class CrawlInterrupted(Exception):
    """The worker is shutting down; the crawl was stopped cleanly."""


def memory_settings(settings: Settings) -> list[str]:
    """Scrapy's memory-usage extension closes the crawl cleanly (stats written) when its RSS passes the cap."""
    values = {
        "MEMUSAGE_ENABLED": "1",
        "MEMUSAGE_LIMIT_MB": str(settings.crawl_memory_mb),
        "MEMUSAGE_CHECK_INTERVAL_SECONDS": str(MEMORY_CHECK_SECONDS),
    }
    return [part for key, value in values.items() for part in ("-s", f"{key}={value}")]


def _child_setup(megabytes: int | None) -> Callable[[], None]:
    """In the child before exec: an address-space backstop (not for browsers, which reserve far more than they
    use) and a signal when the supervising process dies."""

    def apply() -> None:
        if megabytes is not None:
            cap_address_space(megabytes)
        die_with_parent()

    return apply


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into CrawlInterrupted while a crawl runs (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise CrawlInterrupted

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop(child: subprocess.Popen[bytes] | ForkedCrawl) -> None:
    """SIGTERM (Scrapy closes the spider and writes its stats), then SIGKILL after the grace period."""
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def run_child(
    command: list[str], settings: Settings, log_path: Path, *, browser: bool = False
) -> tuple[int | None, str]:
    """Run the crawl process; returns (exit code, `finished` or `timeout`). Raises CrawlInterrupted on SIGTERM.

    The crawl is a fork of this worker process's warm launcher (`crawlers.launcher`) when it can be, else a
    fresh `python -m scrapy` process; both get the same memory cap, log file and signals."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawlers.settings"}
    memory_mb = None if browser else settings.crawl_memory_mb
    argv = command + memory_settings(settings)
    with log_path.open("wb") as log_file:
        launcher = launcher_for(env) if settings.crawl_launcher else None
        child: subprocess.Popen[bytes] | ForkedCrawl | None = None
        if launcher is not None and argv[1:3] == ["-m", "scrapy"]:
            try:
                child = launcher.start(["scrapy", *argv[3:]], log_path, memory_mb)
            except LauncherGone as exc:  # it died since it was last seen alive
                log.warning("%s; this crawl starts as a fresh process", exc)
        if child is None:
            child = subprocess.Popen(
                argv, env=env, stdout=log_file, stderr=subprocess.STDOUT, preexec_fn=_child_setup(memory_mb)
            )
        try:
            return child.wait(timeout=settings.crawl_time_limit), "finished"
        except subprocess.TimeoutExpired:
            _stop(child)
            return child.returncode, "timeout"
        except BaseException:  # worker shutdown or a bug: stop the crawl cleanly, then let it propagate
            with contextlib.suppress(CrawlInterrupted):
                _stop(child)
            raise


def _log_tail(path: Path, size: int = 8192) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - size))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def crawl_status(
    code: int | None, supervision: str, stats: dict[str, Any], log_path: Path, settings: Settings
) -> tuple[str, str]:
    """(status, reason) of a finished crawl process: ok, failed, interrupted or timeout."""
    reason = str(stats.get("finish_reason") or supervision)
    if supervision == "timeout":
        return "timeout", f"time limit of {settings.crawl_time_limit}s reached"
    if code == 0 and reason == "finished":
        return "ok", reason
    if reason in {"shutdown", "cancelled"}:
        return "interrupted", reason
    if reason == "memusage_exceeded" or (
        code != 0 and any(sign in _log_tail(log_path) for sign in MEMORY_SIGNS)
    ):
        return "failed", f"memory cap of {settings.crawl_memory_mb} MiB exceeded"
    if code is not None and code < 0:
        return "failed", f"killed by signal {-code}"
    if code == 0:
        return "ok", reason
    return "failed", f"exit code {code}"


def _proc_children(parents: set[int]) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent in parents:
            found.append(int(entry.name))
    return found


def stop_crawls_of_pool(main_pid: int) -> int:
    """SIGTERM every crawl of this worker's pool processes (started by them or forked by their launchers);
    returns how many."""
    if not Path("/proc").is_dir():
        return 0
    pool = set(_proc_children({main_pid}))
    children = _proc_children(pool)
    launchers = {pid for pid in children if is_launcher(pid)}
    started = [pid for pid in children if pid not in launchers and _is_scrapy_crawl(pid)]
    stopped = 0
    for pid in started + _proc_children(launchers):  # a launcher's children are all crawls
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
            stopped += 1
    return stopped


def _is_scrapy_crawl(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"scrapy" in cmdline and b"crawl" in cmdline


@worker_shutting_down.connect
def _stop_crawls_on_shutdown(sig: str = "", how: str = "", **_: Any) -> None:
    """A warm shutdown waits for running tasks: make running crawls close now instead of at their end."""
    stopped = stop_crawls_of_pool(os.getpid())
    if stopped:
        log.info("worker %s shutdown (%s): asked %d running crawls to stop", how, sig, stopped)
