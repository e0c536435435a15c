"""The worker's side of `crawlers.launcher`: one warm launcher per worker process, each crawl a fork of it.

`ForkedCrawl` offers the part of `subprocess.Popen` that the crawl supervision uses (pid, poll, wait with a
timeout, send_signal, kill), so a forked crawl is stopped, timed out and reported like a started one. If the
launcher cannot start, crawls start as fresh processes and the reason is logged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
STARTUP_SECONDS = 120.0  # imports and warm-up; far longer only on a machine in trouble
LAUNCHER_MODULE = "crawlers.launcher"


class LauncherGone(Exception):
    """The launcher exited or did not start; its crawls were sent SIGTERM by the kernel."""


class Launcher:
    """A `python -m crawlers.launcher` child for one environment, talked to over its stdin and stdout."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process = subprocess.Popen(
            [sys.executable, "-m", LAUNCHER_MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self._buffer = b""
        try:
            ready = self._read(time.monotonic() + STARTUP_SECONDS)
        except LauncherGone:
            ready = None
        if not ready or not ready.get("ready"):
            self.close()
            raise LauncherGone("the crawl launcher did not start (its error is in this process's log)")

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def start(self, argv: list[str], log_path: Path, memory_mb: int | None) -> ForkedCrawl:
        """Fork a crawl running `argv` (a `scrapy ...` command line) with its output in log_path."""
        request = {"argv": argv, "log": str(log_path), "memory_mb": memory_mb}
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
        except OSError as exc:
            raise LauncherGone(f"the crawl launcher is gone ({exc})") from None
        while True:
            message = self._read(time.monotonic() + STARTUP_SECONDS)
            if message is None:  # stuck: stop it (and whatever it runs) so it serves no request late
                self.close()
                raise LauncherGone("the crawl launcher did not answer")
            if "exit" not in message:  # an earlier crawl's exit, left unread when its task ended early
                return ForkedCrawl(self, int(message["pid"]))

    def exit_of(self, pid: int, timeout: float | None) -> int | None:
        """The crawl's exit code once it has ended; None if it is still running after `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            message = self._read(deadline)
            if message is None:
                return None
            if message.get("pid") == pid and "exit" in message:
                return int(message["exit"])

    def _read(self, deadline: float | None) -> dict[str, Any] | None:
        """The next message, or None at the deadline. A signal handler that raises (SIGTERM) interrupts it."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                raise LauncherGone("the crawl launcher exited")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return dict(json.loads(line))

    def close(self) -> None:
        """Close its stdin (it exits when idle); SIGTERM after a few seconds if it does not."""
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


class ForkedCrawl:
    """A crawl forked by the launcher, handled like a `subprocess.Popen`."""

    def __init__(self, launcher: Launcher, pid: int) -> None:
        self.launcher, self.pid = launcher, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self._settle(0.0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        self._settle(timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(f"crawl {self.pid}", timeout or 0.0)
        return self.returncode

    def _settle(self, timeout: float | None) -> None:
        try:
            self.returncode = self.launcher.exit_of(self.pid, timeout)
        except LauncherGone:
            self.returncode = -signal.SIGTERM  # the kernel sent it SIGTERM when the launcher went

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


_current: Launcher | None = None
_failed: dict[str, str] | None = None  # the environment a launcher could not start in


def launcher_for(env: dict[str, str]) -> Launcher | None:
    """This process's launcher for `env`, started on first use (and again if it died); None if it cannot
    start, and from then on for that environment, so no later crawl waits for a start that fails."""
    global _current, _failed
    if _current is not None and _current.env == env and _current.alive:
        return _current
    if _current is not None:
        _current.close()
        _current = None
    if env == _failed:
        return None
    try:
        _current = Launcher(env)
    except (LauncherGone, OSError) as exc:
        log.warning("crawls start as fresh processes: %s", exc)
        _failed = env
        return None
    return _current


def is_launcher(pid: int) -> bool:
    """Whether process `pid` is a crawl launcher (its children are crawls)."""
    try:
        return LAUNCHER_MODULE.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
