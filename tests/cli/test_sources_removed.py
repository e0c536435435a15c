"""A source whose definition file is removed leaves `newsmon sources list` and the schedule; it comes back
with its file, and a file that does not read keeps its sources as they were."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsmon.cli.main import cli
from tests.newsmon_env import newsmon_settings

Invoke = Callable[..., Result]
PAPER = "name: local-paper\nhome: https://local.example/\nlanguages: [kk]\n"


@pytest.fixture
def newsmon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    with newsmon_settings(monkeypatch, tmp_path / "data", sources_dir=str(tmp_path / "sources")):
        (tmp_path / "sources").mkdir()
        runner = CliRunner()
        yield lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def test_a_removed_definition_leaves_the_list_and_the_schedule(newsmon: Invoke, tmp_path: Path) -> None:
    paper = tmp_path / "sources" / "paper.yaml"
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
