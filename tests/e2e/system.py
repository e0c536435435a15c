"""The whole system as in production, as child processes this test owns: its own Redis server (restartable on
the same port), `newsmon beat`, a crawl worker and a process/alerts worker, on a PostgreSQL database.

Every process runs in its own session, so it (and whatever it started) can be stopped by its group at the end,
even after its main process was killed and restarted.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.e2e.portals import LivePortal

STOP_GRACE = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


def wait_for(condition: Callable[[], bool], timeout: float, step: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


class ServiceProcess:
    """One long-running child (worker, beat, redis) with its log; killable and restartable."""

    def __init__(self, name: str, command: list[str], env: Mapping[str, str], workdir: Path) -> None:
        self.name, self.command, self.env, self.workdir = name, command, dict(env), workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.groups: list[int] = []  # every process group it ever had, for the final clean-up
        self.starts = 0
        self.wanted = False  # whether it should be running: a supervisor restarts it if it exits

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def start(self) -> None:
        self.wanted = True
        self.starts += 1
        log = self.log_path.open("ab")
        log.write(f"\n===== start {self.starts}: {' '.join(self.command)}\n".encode())
        log.flush()
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.groups.append(self.process.pid)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the main process only, as `kill -9 PID` does; its children are left to fend for themselves."""
        assert self.process is not None
        self.wanted = False
        self.process.send_signal(sig)
        self.process.wait(timeout=STOP_GRACE)

    def exited_unexpectedly(self) -> int | None:
        """The exit code of a process that should be running and is not; None otherwise."""
        if not self.wanted or self.process is None:
            return None
        return self.process.poll()

    def stop(self) -> None:
        """SIGTERM to every group it had, then SIGKILL to what is left."""
        self.wanted = False
        for group in self.groups:
            _signal_group(group, signal.SIGTERM)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_GRACE)
        for group in self.groups:
            _signal_group(group, signal.SIGKILL)
        if self.process is not None and self.process.poll() is None:
            self.process.wait(timeout=5)

    def log_tail(self, size: int = 8000) -> str:
        try:
            return self.log_path.read_bytes()[-size:].decode("utf-8", "replace")
        except OSError:
            return ""


def _signal_group(group: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)


class RedisServer(ServiceProcess):
    """A redis-server of our own on a fixed port (never the shared one), configured as production: AOF on,
    no eviction. `restart` stops it (SIGTERM: it writes its AOF) and starts it again on the same port."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        data = workdir / "redis"
        data.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction"]
        command += ["--dir", str(data), "--daemonize", "no"]
        super().__init__("redis", command, os.environ, workdir)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        super().start()
        if not wait_for(lambda: port_answers(self.port), 15, 0.1):
            raise RuntimeError(f"redis-server did not start on port {self.port}: {self.log_tail()}")

    def restart(self, downtime: float = 2.0) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=STOP_GRACE)
        time.sleep(downtime)
        self.start()


@dataclass
class SystemConfig:
    database_url: str
    workdir: Path
    settings: dict[str, str] = field(default_factory=dict)  # NEWSMON_* overrides
    crawl_concurrency: int = 2
    process_concurrency: int = 2


RESTART_DELAY = 2.0  # seconds before the supervisor restarts a service that exited (systemd: RestartSec)

FAST_SETTINGS = {
    "NEWSMON_ALERT_BACKOFF_SECONDS": "1",
    "NEWSMON_ALERT_LEASE_SECONDS": "10",
    "NEWSMON_MATCH_GRACE_SECONDS": "5",
    "NEWSMON_SCHEDULE_INTERVAL": "10",
    "NEWSMON_SCHEDULE_MIN_INTERVAL": "10",
    "NEWSMON_SCHEDULE_MAX_INTERVAL": "15",
    "NEWSMON_SCHEDULE_TICK": "2",
    "NEWSMON_CRAWL_TIME_LIMIT": "60",
    "NEWSMON_AUTOTHROTTLE": "false",
    "NEWSMON_DOWNLOAD_DELAY": "0",
    "NEWSMON_LOG_LEVEL": "INFO",
}


class System:
    """Redis, beat and two workers for one database and one set of portals.

    As in production (deploy/systemd: Restart=always; deploy/docker-compose.yml: restart: unless-stopped), a
    supervisor restarts a worker or beat that exits on its own; `restarts` lists them. A Celery worker can
    exit by itself when Redis restarts under it (kombu fails to restore unacknowledged messages on the closed
    connection: "Unrecoverable error: AttributeError ... 'hostname'")."""

    def __init__(self, config: SystemConfig) -> None:
        self.config = config
        self.workdir = config.workdir
        self.sources_dir = self.workdir / "sources"
        self.redis = RedisServer(self.workdir)
        self.services: dict[str, ServiceProcess] = {}
        self.restarts: list[tuple[str, int]] = []
        self._supervising = threading.Event()
        self._supervisor: threading.Thread | None = None

    def env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
        return {
            **base,
            **self.config.settings,
            "NEWSMON_DATABASE_URL": self.config.database_url,
            "NEWSMON_BROKER_URL": self.redis.url,
            "NEWSMON_DATA_DIR": str(self.workdir / "data"),
            "NEWSMON_SOURCES_DIR": str(self.sources_dir),
        }

    def write_sources(self, portals: list[LivePortal], schedule: str | None = None) -> None:
        """One definition file per portal; the shipped registry is switched off (no network but loopback)."""
        from crawlers.sources import load_sources

        self.sources_dir.mkdir(parents=True, exist_ok=True)
        for portal in portals:
            text = yaml.safe_dump(portal.definition(schedule), allow_unicode=True, sort_keys=False)
            (self.sources_dir / f"{portal.name}.yaml").write_text(text, encoding="utf-8")
        mine = {portal.name for portal in portals}
        shipped = sorted(set(load_sources(self.sources_dir).sources) - mine)
        off = [{"name": name, "home": "http://127.0.0.1:9/", "enabled": False} for name in shipped]
        text = yaml.safe_dump(off, allow_unicode=True)
        (self.sources_dir / "zz-shipped-off.yaml").write_text(text, encoding="utf-8")

    def start(self) -> None:
        self.redis.start()
        python = [sys.executable, "-m", "newsmon.cli"]
        env = self.env()
        commands = {
            "beat": [*python, "beat"],
            "crawl-worker": [*python, "worker", "-Q", "crawl", "-c", str(self.config.crawl_concurrency)],
            "process-worker": [
                *python,
                "worker",
                "-Q",
                "process,alerts",
                "-c",
                str(self.config.process_concurrency),
            ],
        }
        for name, command in commands.items():
            self.services[name] = ServiceProcess(name, command, env, self.workdir)
            self.services[name].start()
        self._supervising.set()
        self._supervisor = threading.Thread(target=self._supervise, name="supervisor", daemon=True)
        self._supervisor.start()

    def _supervise(self) -> None:
        while self._supervising.is_set():
            for name, service in list(self.services.items()):
                code = service.exited_unexpectedly()
                if code is not None and self._supervising.is_set():
                    self.restarts.append((name, code))
                    time.sleep(RESTART_DELAY)
                    service.start()
            time.sleep(0.5)

    def stop(self) -> None:
        self._supervising.clear()
        if self._supervisor is not None:
            self._supervisor.join(timeout=10)
        for service in self.services.values():
            service.stop()
        self.redis.stop()

    def logs(self) -> str:
        parts = [f"--- {s.name}\n{s.log_tail()}" for s in [*self.services.values(), self.redis]]
        return "\n".join(parts)

    def __enter__(self) -> System:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
