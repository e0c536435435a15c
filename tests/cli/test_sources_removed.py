"""A source whose definition file is removed leaves `newsmon sources list` and the schedule; it comes back
with its file, and a file that does not read keeps its sources as they were."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Invoke = Callable[..., Result]  # the `newsmon` fixture of conftest.py


PAPER = "name: local-paper\nhome: https://local.example/\nlanguages: [kk]\n"


def test_a_removed_definition_leaves_the_list_and_the_schedule(newsmon: Invoke, sources_dir: Path) -> None:
    paper = sources_dir / "paper.yaml"
    paper.write_text(PAPER)
    assert "local-paper" in newsmon("sources", "list").stdout
    assert "local-paper" in newsmon("schedule").stdout

    paper.write_text(PAPER + "region: [broken\n")  # a YAML error: the source stays as it was
    listed = newsmon("sources", "list")
    assert "local-paper" in listed.stdout and "paper.yaml" in listed.stderr

    paper.unlink()
    assert "local-paper" not in newsmon("sources", "list").stdout
    assert "local-paper" not in newsmon("schedule").stdout
    assert newsmon("sources", "show", "local-paper").exit_code != 0

    paper.write_text(PAPER)
    assert "local-paper" in newsmon("sources", "list").stdout


def test_a_source_defined_outside_the_directories_read_here_is_left_alone(newsmon: Invoke) -> None:
    # Another host's directory, or a source registered by code (the demo's): this host cannot judge them.
    from newsmon.cli import context
    from newsmon.models import Source

    repo = context.repository(migrate=True)
    repo.upsert_source(Source(name="elsewhere", home="https://else.example/", origin="/other-host/x.yaml"))
    repo.upsert_source(Source(name="by-code", home="https://code.example/"))
    listed = newsmon("sources", "list").stdout
    assert "elsewhere" in listed and "by-code" in listed


def test_the_shipped_registry_can_be_left_out(
    tmp_path: Path, sources_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A monitor of its own portals only: NEWSMON_SHIPPED_SOURCES=false leaves the shipped ones unscheduled."""
    from click.testing import CliRunner

    from newsmon.cli.main import cli
    from tests.newsmon_env import newsmon_settings

    (sources_dir / "paper.yaml").write_text(PAPER)
    runner = CliRunner()
    with newsmon_settings(monkeypatch, tmp_path / "data", sources_dir=str(sources_dir)):
        assert "zakon.kz" in runner.invoke(cli, ["schedule"]).stdout
    with newsmon_settings(
        monkeypatch, tmp_path / "data", sources_dir=str(sources_dir), shipped_sources="false"
    ):
        listed = runner.invoke(cli, ["sources", "list"]).stdout
        scheduled = runner.invoke(cli, ["schedule"]).stdout
    assert "local-paper" in listed and "local-paper" in scheduled
    assert "zakon.kz" not in listed and "zakon.kz" not in scheduled
