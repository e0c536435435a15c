"""A definition file added, changed, broken or removed while the service runs is picked up at the next
scheduler tick, with no command and no restart."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsmon.cli.sources import DefinitionWatcher
from newsmon.storage.migrate import upgrade
from tests.newsmon_env import newsmon_settings


def test_a_definition_file_is_picked_up_changed_and_dropped_at_the_next_tick(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from tasks import context, scheduling

    sources = tmp_path / "sources"
    sources.mkdir()
    monkeypatch.setattr(scheduling, "_tick_hooks", [])
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url, sources_dir=str(sources)):
        repo = context.repository()
        upgrade(repo.engine)
        scheduling.before_each_tick(DefinitionWatcher())
        enqueued: list[str] = []

        def tick(hours: int) -> None:
            now = datetime.now(UTC) + timedelta(hours=hours)
            scheduling.schedule_crawls(now, lambda names, expires: enqueued.extend(names))

        tick(0)
        assert "local-paper" not in enqueued and "ztgzt.kz" in enqueued  # the shipped registry, synced
        definition = sources / "local-paper.yaml"
        definition.write_text("name: local-paper\nhome: http://127.0.0.1:9/\nschedule: 2h\n")
        tick(1)
        assert enqueued.count("local-paper") == 1

        definition.write_text("name: local-paper\nhome: http://127.0.0.1:9/\nschedule: 2h\nenabled: false\n")
        os.utime(definition, ns=(0, 10**18))  # a second change within the file system's time resolution
        tick(10)
        assert enqueued.count("local-paper") == 1  # disabled: not crawled again

        (sources / "broken.yaml").write_text("name: broken\nhome: http://127.0.0.1:9/\nschedule: often\n")
        with caplog.at_level(logging.WARNING):
            tick(20)
        assert "broken.yaml: source broken: field schedule" in caplog.text
        assert "ztgzt.kz" in enqueued  # the tick went on

        definition.unlink()
        tick(30)
        assert "local-paper" not in {source.name for source in repo.list_sources()}


def test_an_unchanged_directory_is_not_read_again(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tasks import context

    sources = tmp_path / "sources"
    sources.mkdir()
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url, sources_dir=str(sources)):
        repo = context.repository()
        upgrade(repo.engine)
        watcher = DefinitionWatcher()
        assert watcher(repo) is True
        assert watcher(repo) is False
        (sources / "a.txt").write_text("http://127.0.0.1:9/\n")
        assert watcher(repo) is True
