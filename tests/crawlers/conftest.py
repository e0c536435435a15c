"""Loopback portals and a real `scrapy crawl` subprocess (the reactor cannot restart in one process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.crawlers.portal_server import PortalServer

PORTALS = FIXTURES / "portals"
# Fast and deterministic on loopback: no throttling, no retries, short timeouts.
TEST_SETTINGS = {
    "NEWSMON_PIPELINES": "0",
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "RETRY_TIMES": "0",
    "DOWNLOAD_TIMEOUT": "3",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
    "LOG_LEVEL": "INFO",
}


@dataclass
class CrawlResult:
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    finish_reason: str
    log: str
    returncode: int

    def urls(self) -> set[str]:
        return {item["url"] for item in self.items}

    def by_path(self, base: str) -> dict[str, dict[str, Any]]:
        return {item["url"].removeprefix(base): item for item in self.items}

    def stat(self, key: str) -> int:
        return int(self.stats.get(key, 0))


@pytest.fixture(scope="module")
def portals() -> Iterator[Callable[[str], PortalServer]]:
    """Start fixture portals by directory name, shared by the tests of one module."""
    started: list[PortalServer] = []

    def start(name: str) -> PortalServer:
        server = PortalServer(PORTALS / name)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def write_definition(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


class Crawler:
    """Runs `scrapy crawl SPIDER -a ...` in a subprocess; all runs share one data directory."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.runs = 0

    def __call__(self, spider: str, *, timeout: float = 90, settings: dict[str, str] | None = None,
                 **arguments: str | Path) -> CrawlResult:  # fmt: skip
        self.runs += 1
        out, stats_file = self.workdir / f"out-{self.runs}.jsonl", self.workdir / f"stats-{self.runs}.json"
        command = [sys.executable, "-m", "scrapy", "crawl", spider, "-O", f"{out}:jsonl"]
        for key, value in arguments.items():
            command += ["-a", f"{key}={value}"]
        merged = {**TEST_SETTINGS, **(settings or {}), "NEWSMON_STATS_FILE": str(stats_file)}
        for key, value in merged.items():
            command += ["-s", f"{key}={value}"]
        env = {
            **os.environ,
            "NEWSMON_DATA_DIR": str(self.workdir / "data"),
            "SCRAPY_SETTINGS_MODULE": "crawlers.settings",
        }
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        items = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
        record = json.loads(stats_file.read_text()) if stats_file.exists() else {}
        return CrawlResult(
            items, record.get("stats", {}), record.get("finish_reason", ""), done.stderr, done.returncode
        )


@pytest.fixture
def crawl(tmp_path: Path) -> Crawler:
    return Crawler(tmp_path)


@pytest.fixture(scope="module")
def module_crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawler:
    """A crawler whose runs (and state file) are shared by the tests of one module."""
    return Crawler(tmp_path_factory.mktemp("crawl"))
