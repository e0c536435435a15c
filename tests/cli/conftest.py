"""The command line run in this process, with a data directory and a sources directory of the test's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsmon.cli.main import cli
from tests.newsmon_env import newsmon_settings

Invoke = Callable[..., Result]


@pytest.fixture
def sources_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "sources"
    directory.mkdir()
    return directory


@pytest.fixture
def newsmon(tmp_path: Path, sources_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    """Run `newsmon ARGS` in this process with its own data directory and sources directory."""
    with newsmon_settings(monkeypatch, tmp_path / "data", sources_dir=str(sources_dir)):
        runner = CliRunner()
        yield lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)
