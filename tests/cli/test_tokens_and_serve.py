"""`newsmon tokens` and `newsmon serve`: make a token, use it against the served API, revoke it."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.cli.test_errors import newsmon


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"NEWSMON_DATA_DIR": str(tmp_path / "data"), "NEWSMON_DATABASE_URL": "", "NEWSMON_REDIS_URL": ""}


def test_create_prints_the_secret_once_list_never_shows_it(tmp_path: Path, env: dict[str, str]) -> None:
    made = newsmon("tokens", "create", "analyst", "--role", "editor", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("nm_") and len(secret) > 40
    listed = newsmon("tokens", "list", env=env, cwd=tmp_path)
    assert "analyst" in listed.stdout and "editor" in listed.stdout and "active" in listed.stdout
    assert secret not in listed.stdout
    again = newsmon("tokens", "create", "analyst", env=env, cwd=tmp_path)
    assert again.returncode == 1 and "exists" in again.stderr and "Traceback" not in again.stderr
    assert newsmon("tokens", "revoke", "analyst", env=env, cwd=tmp_path).returncode == 0
    assert "revoked" in newsmon("tokens", "list", env=env, cwd=tmp_path).stdout
    missing = newsmon("tokens", "revoke", "analyst", env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "no active token" in missing.stderr


def test_a_revoked_tokens_name_can_be_used_again(tmp_path: Path, env: dict[str, str]) -> None:
    newsmon("tokens", "create", "analyst", env=env, cwd=tmp_path)
    assert newsmon("tokens", "revoke", "analyst", env=env, cwd=tmp_path).returncode == 0
    again = newsmon("tokens", "create", "analyst", "--role", "admin", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "token 'analyst' (admin) created" in again.stderr
    lines = newsmon("tokens", "list", env=env, cwd=tmp_path).stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["analyst", "(revoked"], ["analyst", "admin"]]
    assert "revoked" in lines[0] and "active" in lines[1]


@pytest.mark.parametrize("name", ["a b/c", "../admin"])
def test_a_token_name_outside_the_safe_characters_is_refused(
    tmp_path: Path, env: dict[str, str], name: str
) -> None:
    refused = newsmon("tokens", "create", name, env=env, cwd=tmp_path)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "a token name has 1 to 64 letters, digits, '.', '_' or '-'" in refused.stderr
    assert f"(got {name!r})" in refused.stderr
    assert "no tokens" in newsmon("tokens", "list", env=env, cwd=tmp_path).stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _serving(tmp_path: Path, env: dict[str, str], *options: str) -> Iterator[str]:
    """`newsmon serve` on a free loopback port until the block ends; its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmon.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *options],
        env={**os.environ, **env},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # several workers on a busy machine take a while to import
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.terminate()
                    stderr = process.communicate(timeout=10)[1].decode()[-2000:]
                    pytest.fail(f"newsmon serve did not start: {stderr}")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def served(tmp_path: Path, env: dict[str, str]) -> Iterator[tuple[str, str]]:
    secret = newsmon("tokens", "create", "reader", env=env, cwd=tmp_path).stdout.strip()
    with _serving(tmp_path, env) as base:
        yield base, secret


def test_serve_answers_with_a_token_made_by_the_cli(served: tuple[str, str]) -> None:
    base, secret = served
    assert httpx.get(f"{base}/api/articles", params={"query": "Тараз"}).status_code == 401
    response = httpx.get(
        f"{base}/api/articles", params={"query": "Тараз"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200 and response.json()["results"] == []


def test_serve_with_workers_answers_keep_alive_requests_without_waiting_for_acks(
    tmp_path: Path, env: dict[str, str]
) -> None:
    # Without TCP_NODELAY on the workers' connections each response body waits ~40 ms for the client's
    # delayed ACK of the head: every request on a kept-alive connection would take that long.
    secret = newsmon("tokens", "create", "reader", env=env, cwd=tmp_path).stdout.strip()
    with _serving(tmp_path, env, "--workers", "2") as base, httpx.Client(base_url=base) as client:
        headers = {"Authorization": f"Bearer {secret}"}
        assert client.get("/api/articles", params={"query": "Тараз"}, headers=headers).status_code == 200
        took = []
        for _ in range(30):
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            took.append(time.perf_counter() - started)
    assert statistics.median(took) < 0.02, f"median {statistics.median(took) * 1000:.1f} ms"


def test_serve_with_workers_on_a_taken_port_says_so(tmp_path: Path, env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        refused = newsmon("serve", "--port", port, "--workers", "2", env=env, cwd=tmp_path)
    assert refused.returncode == 1 and "cannot listen on 127.0.0.1:" in refused.stderr
    assert "Traceback" not in refused.stderr
