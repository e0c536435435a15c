"""`newsmon status` as a user sees it: it reads the definition files itself, and piped output keeps every
source on one whole line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Invoke = Callable[..., Result]  # the `newsmon` fixture of conftest.py

LONG_NAME = "zhambyl-oblysy-regional-news-portal-with-a-rather-long-name.example"


def status_sources(newsmon: Invoke) -> dict[str, dict]:
    result = newsmon("status", "--json")
    assert result.exit_code == 0, result.output
    return {row["source"]: row for row in json.loads(result.stdout)}


def test_a_newly_defined_source_shows_in_status_at_once(newsmon: Invoke, sources_dir: Path) -> None:
    # given a definition file no other command has read yet
    (sources_dir / "paper.yaml").write_text("name: local-paper\nhome: https://local.example/\n")

    # when status is the first command run
    rows = status_sources(newsmon)

    # then the source is there, never crawled yet
    assert rows["local-paper"]["verdict"] == "never crawled"
    assert "local-paper" in newsmon("status").stdout


def test_a_removed_definition_leaves_status(newsmon: Invoke, sources_dir: Path) -> None:
    paper = sources_dir / "paper.yaml"
    paper.write_text("name: local-paper\nhome: https://local.example/\n")
    assert "local-paper" in status_sources(newsmon)

    paper.unlink()

    assert "local-paper" not in status_sources(newsmon)


def test_a_definition_with_an_error_is_reported_and_status_goes_on(
    newsmon: Invoke, sources_dir: Path
) -> None:
    # given one good file and one with an unknown field
    (sources_dir / "paper.yaml").write_text("name: local-paper\nhome: https://local.example/\n")
    (sources_dir / "weekly.yaml").write_text("name: weekly\nhome: https://weekly.example/\nlanguagez: [ru]\n")

    # when
    table = newsmon("status")
    as_json = newsmon("status", "--json")

    # then both report the bad file once on stderr, like `sources list`, and show the good source
    for result in (table, as_json):
        assert result.exit_code == 0, result.output
        skipped = [line for line in result.stderr.splitlines() if "source definition skipped" in line]
        assert len(skipped) == 1 and "weekly.yaml" in skipped[0] and "languagez" in skipped[0]
    assert "local-paper" in table.stdout and "weekly" not in table.stdout
    assert {"local-paper"} <= {row["source"] for row in json.loads(as_json.stdout)}


def test_piped_status_keeps_whole_source_names_on_one_line(
    newsmon: Invoke, sources_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a source with a long name, and a narrow COLUMNS inherited from the terminal
    (sources_dir / "long.yaml").write_text(f"name: {LONG_NAME}\nhome: https://long.example/\n")
    monkeypatch.setenv("COLUMNS", "80")
    for forcing in ("FORCE_TERMINAL", "TTY_COMPATIBLE"):
        monkeypatch.delenv(forcing, raising=False)

    # when status writes to something that is not a terminal (the runner's output, as a pipe)
    result = newsmon("status")

    # then the name is whole, nothing is elided, and its row is one line that grep finds complete
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    (line,) = [line for line in result.stdout.splitlines() if LONG_NAME in line]
    cells = [cell.strip() for cell in line.strip("│ ").split("│")]
    assert len(cells) == 8 and cells[:3] == [LONG_NAME, "never crawled", "never"]
    assert "last success (UTC)" in result.stdout  # headers are whole too
