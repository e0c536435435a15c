"""Crawling a portal again skips its stored articles before download: a skip, not a failed fetch, so a healthy
portal crawled often stays healthy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks.health import source_health
from tasks.run_summary import summarise
from tests.fixtures.portal_builder import SAMPLE
from tests.newsmon_env import newsmon_settings
from tests.tasks.test_crawl_task_faults import prepare, serve_portal, stop_portal


def test_stored_articles_skipped_on_later_crawls_are_no_errors(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tasks.crawl import CrawlOptions, crawl_source

    server = serve_portal(tmp_path / "portal", 0, [("conference", "Конференция", SAMPLE.read_text("utf-8"))])
    try:
        with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url):
            repo = prepare(sqlite_url, server)
            results = [
                crawl_source("portal", CrawlOptions(since="36500d", enqueue_matching=False)) for _ in range(4)
            ]
            (health,) = [h for h in source_health(repo, datetime.now(UTC)) if h.source == "portal"]
    finally:
        stop_portal(server)

    assert results[0]["stats"]["newsmon/store/new"] == 1
    last = results[-1]["stats"]
    assert last["newsmon/seen/skipped"] >= 1 and "newsmon/fetch/ignored" not in last
    summary = summarise(last)
    assert summary["errors"] == {} and summary["error_rate"] == 0
    assert health.verdict == "ok" and health.bad_run_share == 0
