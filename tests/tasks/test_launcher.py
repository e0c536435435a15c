"""Crawls as forks of a warm launcher: one launcher serves a worker process's crawls, a dead one is replaced,
and without one crawls start as fresh processes; each crawl stores its articles and writes its own log."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsmon.storage import Repository
from tasks import launcher_client
from tests.fixtures.portal_builder import SAMPLE
from tests.newsmon_env import newsmon_settings
from tests.tasks.test_crawl_task_faults import SlowPortal, prepare, serve_portal, stop_portal


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[SlowPortal]:
    """A portal of one article that answers at once."""
    server = serve_portal(tmp_path / "portal", 0, [("conference", "Конференция", SAMPLE.read_text("utf-8"))])
    yield server
    stop_portal(server)


def _crawl(repo: Repository) -> dict:
    from tasks.crawl import CrawlOptions, crawl_source

    result = crawl_source("portal", CrawlOptions(since="36500d", enqueue_matching=False))
    assert (result["status"], result["reason"]) == ("ok", "finished"), result
    return result


def _log(data_dir: Path, run_id: int) -> str:
    return (data_dir / "logs" / f"crawl-portal-{run_id}.log").read_text(encoding="utf-8")


def test_crawls_are_forks_of_one_launcher_and_a_killed_one_is_replaced(
    portal: SlowPortal, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    with newsmon_settings(monkeypatch, data_dir, database_url=sqlite_url):
        repo = prepare(sqlite_url, portal)
        first = _crawl(repo)
        launcher = launcher_client._current
        assert launcher is not None and launcher.alive
        assert first["stats"]["newsmon/store/new"] == 1
        # Health reads how often each field was extracted from the stats the run recorded.
        recorded = repo.recent_runs("portal")[0].stats
        assert recorded["newsmon/fill/items"] == 1
        assert recorded["newsmon/fill/title"] == recorded["newsmon/fill/text"] == 1
        assert "Spider closed (finished)" in _log(data_dir, first["run_id"])

        second = _crawl(repo)
        assert launcher_client._current is launcher  # the same warm process forked the second crawl
        assert "Spider closed (finished)" in _log(data_dir, second["run_id"])

        os.kill(launcher.process.pid, signal.SIGKILL)
        launcher.process.wait()
        third = _crawl(repo)
        assert launcher_client._current is not launcher and launcher_client._current.alive
        assert "Spider closed (finished)" in _log(data_dir, third["run_id"])
        assert repo.count_articles() == 1
        repo.dispose()


def test_without_a_launcher_crawls_start_as_fresh_processes(
    portal: SlowPortal,
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(launcher_client, "LAUNCHER_MODULE", "crawlers.no_such_launcher")
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url):
        repo = prepare(sqlite_url, portal)
        with caplog.at_level(logging.WARNING, logger="tasks.launcher_client"):
            result = _crawl(repo)
        assert result["stats"]["newsmon/store/new"] == 1
        assert "crawls start as fresh processes" in caplog.text
        repo.dispose()
