"""Reach the real services tests need: PostgreSQL and Redis on loopback.

With CI=true a service that is down is started (the commands in DESIGN.md) and a test that still cannot reach
it fails; elsewhere the test is skipped with a message naming the missing service.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time

import pytest

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379

START_COMMANDS = {
    "postgresql": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "redis": (
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
        "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
    ),
}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Make sure a service answers, or skip (on a user's machine) / fail (in CI)."""
    if port_open(host, port):
        return
    if in_ci():
        subprocess.run(START_COMMANDS[name], shell=True, check=False, capture_output=True)
        for _ in range(60):
            if port_open(host, port):
                return
            time.sleep(0.5)
        pytest.fail(f"{name} is not reachable on {host}:{port} and could not be started")
    pytest.skip(f"{name} is not running on {host}:{port}; start it to run this test")


def require_postgres() -> None:
    require_service("postgresql", PG_HOST, PG_PORT)


def require_redis() -> None:
    require_service("redis", REDIS_HOST, REDIS_PORT)
