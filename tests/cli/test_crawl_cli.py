"""`newsmon crawl` and `newsmon status` as a user sees them: real crawls of loopback portals, one that answers
and one where nothing listens, exit codes, printed lines, the recorded run and the health verdict."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsmon.cli.main import cli
from newsmon.config import get_settings
from newsmon.models import CrawlRun
from newsmon.storage import Repository
from tests.loopback import StaticServer
from tests.newsmon_env import newsmon_settings

Invoke = Callable[..., Result]  # the `newsmon` fixture of conftest.py

UNREACHABLE = re.compile(r"portal unreachable: \d+ requests, all connection refused")


@pytest.fixture
def newsmon(
    tmp_path: Path, sources_dir: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Invoke]:
    """Run `newsmon ARGS` in this process with its own data directory, sources directory and database."""
    values = {"sources_dir": str(sources_dir), "database_url": database_url}
    with newsmon_settings(monkeypatch, tmp_path / "data", **values):
        runner = CliRunner()
        yield lambda *args: runner.invoke(cli, list(args), catch_exceptions=False, env={"COLUMNS": "250"})


@pytest.fixture
def refused_home() -> str:
    """A loopback address where nothing listens: every request is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def quiet_portal(tmp_path: Path) -> Iterator[str]:
    """A portal that answers with a home page and no articles."""
    root = tmp_path / "portal"
    root.mkdir()
    (root / "index.html").write_text("<html><body><h1>Портал</h1><p>Пока новостей нет.</p></body></html>")
    server = StaticServer(root)
    yield server.url + "/"
    server.stop()


def define(sources_dir: Path, name: str, home: str) -> None:
    (sources_dir / f"{name}.yaml").write_text(f"name: {name}\nhome: {home}\n")


def recorded_runs(database_url: str, name: str) -> list[CrawlRun]:
    repo = Repository.from_url(database_url)
    try:
        return repo.recent_runs(name)
    finally:
        repo.dispose()


def status_row(newsmon: Invoke, name: str) -> dict:
    result = newsmon("status", "--json")
    assert result.exit_code == 0, result.output
    return next(row for row in json.loads(result.stdout) if row["source"] == name)


def test_a_portal_where_nothing_listens_is_a_failed_crawl_with_its_reason(
    newsmon: Invoke, sources_dir: Path, refused_home: str, database_url: str
) -> None:
    define(sources_dir, "gone", refused_home)

    result = newsmon("crawl", "gone")

    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("gone: ")]
    assert line.startswith("gone: failed (portal unreachable: ") and ", 0 pages" in line
    assert UNREACHABLE.search(line), line
    (log_line,) = [line for line in result.stdout.splitlines() if line.startswith("  log: ")]
    assert Path(log_line.removeprefix("  log: ")).is_file()
    assert "1 of 1 crawls did not end ok: gone" in result.stderr
    (run,) = recorded_runs(database_url, "gone")
    assert run.status == "failed" and UNREACHABLE.fullmatch(run.finish_reason or ""), run

    row = status_row(newsmon, "gone")
    assert row["verdict"] == "last run failed" and row["last_success"] is None
    assert row["last_failure"] == run.finish_reason and row["error_rate"] == 1.0
    table = newsmon("status")
    (gone,) = [line for line in table.stdout.splitlines() if " gone " in line]
    assert f"last run failed: {run.finish_reason}" in gone and "never" in gone


def test_a_portal_that_answers_with_nothing_new_is_an_ok_crawl(
    newsmon: Invoke, sources_dir: Path, quiet_portal: str
) -> None:
    define(sources_dir, "quiet", quiet_portal)

    result = newsmon("crawl", "quiet")

    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("quiet: ")]
    assert line.startswith("quiet: ok (finished), ") and ", 0 new" in line
    assert "log:" not in result.stdout and result.stderr.count("did not end ok") == 0
    row = status_row(newsmon, "quiet")
    assert row["verdict"] == "ok" and row["last_success"] is not None and row["last_failure"] is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--since", "yesterday", "'yesterday'"),
        ("--since", "12 days", "'12 days'"),
        ("--since", "9999y", "reaches back before the year 1"),
        ("--limit", "0", "0 is not in the range"),
    ],
)
def test_a_bad_option_is_refused_before_any_crawl_starts(
    newsmon: Invoke,
    sources_dir: Path,
    refused_home: str,
    database_url: str,
    option: str,
    value: str,
    says: str,
) -> None:
    define(sources_dir, "gone", refused_home)

    for queue in ((), ("--queue",)):
        result = newsmon("crawl", "gone", option, value, *queue)

        assert result.exit_code == 2, result.output
        (error,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert f"Invalid value for '{option}'" in error and says in error
        assert "Traceback" not in result.output and "enqueued" not in result.stdout
    assert newsmon("sources", "list").exit_code == 0  # syncs the definition into the database
    assert status_row(newsmon, "gone")["verdict"] == "never crawled"
    assert recorded_runs(database_url, "gone") == []  # no run recorded, so none counts as a bad one


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_crawl_that_fails_prints_its_last_error_and_its_log(
    newsmon: Invoke, sources_dir: Path, refused_home: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    define(sources_dir, "gone", refused_home)
    monkeypatch.setenv("NEWSMON_CRAWL_MEMORY_MB", "64")  # a crawl process needs more: stopped at its cap
    get_settings.cache_clear()

    result = newsmon("crawl", "gone", "--since", "2d", "--limit", "5")

    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    (line,) = [line for line in lines if line.startswith("gone: ")]
    assert line.startswith("gone: failed (memory cap of 64 MiB exceeded)")
    (error,) = [line for line in lines if line.startswith("  error: ")]
    assert "memory" in error.lower()  # the memory-usage extension's record, or a MemoryError
    (log_line,) = [line for line in lines if line.startswith("  log: ")]
    log = Path(log_line.removeprefix("  log: "))
    assert log.name.startswith("crawl-gone-") and error.removeprefix("  error: ") in log.read_text()
