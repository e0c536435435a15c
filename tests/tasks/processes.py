"""Real parts for the fault tests: worker and beat processes, a webhook receiver, Redis and PostgreSQL servers
of our own."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


class WebhookReceiver(ThreadingHTTPServer):
    """Records every POST with its Idempotency-Key; answers 500 to the first `failures`, or hangs on the first
    `hangs` (until `release()`), then 200."""

    def __init__(self, failures: int = 0, hangs: int = 0) -> None:
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)
        self.daemon_threads = True
        self.failures, self.hangs = failures, hangs
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.shutdown()
        self.server_close()

    def release(self) -> None:
        self.released.set()

    def keys(self) -> list[str | None]:
        with self.lock:
            return [r["key"] for r in self.requests]


class _ReceiverHandler(BaseHTTPRequestHandler):
    server: WebhookReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.requests.append(
                {"key": self.headers.get("Idempotency-Key"), "body": json.loads(body)}
            )
            number = len(self.server.requests)
        if number <= self.server.hangs:
            self.server.released.wait(120)
        status = 500 if number <= self.server.failures else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], bool], timeout: float = 60.0, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


class Service:
    """A `newsmon` process (worker or beat) in a process group of its own, with its log in a file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        handle = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newsmon.cli", *args],
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()

    def kill(self) -> None:
        """SIGKILL to the whole group: the main process and its pool children die at once, mid-task."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def wait_until_logged(self, marker: str, timeout: float = 40.0) -> bool:
        """Wait for a line of the process's own log (e.g. "ready." for a worker, "Starting" for beat)."""
        return wait_for(lambda: marker in self.log.read_text(errors="replace"), timeout=timeout)

    def output(self, tail: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-tail:]


def settings_env(postgres_url: str, redis_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of worker and beat processes on these databases; `extra` as NEWSMON_<NAME>=value."""
    env = {
        "NEWSMON_DATABASE_URL": postgres_url,
        "NEWSMON_BROKER_URL": redis_url,
        "NEWSMON_DATA_DIR": str(data_dir),
        "NEWSMON_ALERT_BACKOFF_SECONDS": "0.2",
        "NEWSMON_SHIPPED_SOURCES": "false",  # the real portals are never crawled from a test
    }
    return env | {f"NEWSMON_{key.upper()}": value for key, value in extra.items()}


def worker(env: dict[str, str], log: Path, queues: str = "process,alerts", concurrency: int = 2) -> Service:
    return Service(["worker", "-Q", queues, "-c", str(concurrency), "--loglevel", "INFO"], env, log)


def beat(env: dict[str, str], log: Path) -> Service:
    return Service(["beat", "--loglevel", "INFO"], env, log)


class RedisServer:
    """A redis-server of the test's own on a free port (the shared one on 6379 is never stopped)."""

    def __init__(self, workdir: Path) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--daemonize", "no", "--dir", str(self.workdir)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for(self.ping, timeout=10, interval=0.05):
            raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class PostgresServer:
    """A PostgreSQL server of the test's own (initdb in a temporary directory, a free port), so a test can
    restart it; the shared server is never touched. Run as the `postgres` user when the tests run as root."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = _postgres_binary("initdb"), _postgres_binary("pg_ctl")
        if self.initdb is None or self.pg_ctl is None:
            pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.port = free_port()
        self.datadir = Path(tempfile.mkdtemp(prefix="newsmon-pg-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.datadir, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._run([self.initdb, "-D", str(self.datadir), "-A", "trust", "-U", "postgres", "--no-sync"])

    def _run(self, command: list[str | None]) -> None:
        result = subprocess.run(
            [*self.as_user, *map(str, command)], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {result.stderr[-2000:]}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = self.datadir / "server.log"
        self._run([self.pg_ctl, "-D", str(self.datadir), "-o", options, "-l", str(log), "-w", "start"])

    def stop(self) -> None:
        self._run([self.pg_ctl, "-D", str(self.datadir), "-m", "fast", "-w", "stop"])

    def restart(self, downtime: float) -> None:
        self.stop()
        time.sleep(downtime)
        self.start()

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.stop()
        shutil.rmtree(self.datadir, ignore_errors=True)


def _postgres_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None
