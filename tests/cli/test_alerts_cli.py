"""`newsmon alerts` a page at a time: the last line says how to list the older ones, --before lists them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsmon.cli.main import cli
from newsmon.models import Channel
from newsmon.storage import NewAlert, Repository
from newsmon.storage.migrate import upgrade
from tests.newsmon_env import newsmon_settings


@pytest.fixture
def repo(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repository]:
    """A migrated database that `newsmon` commands of this test use too."""
    repository = Repository.from_url(database_url)
    upgrade(repository.engine)
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=database_url):
        yield repository
    repository.dispose()


def alerts(*args: str) -> Result:
    return CliRunner().invoke(cli, ["alerts", *args], catch_exceptions=False)


def listed(output: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+) ", output, flags=re.MULTILINE)]


def seven_alerts(repo: Repository) -> list[int]:
    """Seven ops alerts, the first, fourth and seventh dead; their ids, oldest first."""
    channel = repo.upsert_channel(Channel(0, "desk", "webhook", "http://127.0.0.1:9/hook"))
    ids = []
    for n in range(7):
        alert_id = repo.add_alert(NewAlert(channel.id, f"ops:cli:{n}", {"title": f"alert {n}"}), kind="ops")
        assert alert_id is not None
        if n % 3 == 0:
            repo.mark_alert_failed(alert_id, "HTTP 500", retry_at=None)
        ids.append(alert_id)
    return ids


def test_before_lists_the_next_page_until_none_are_older(repo: Repository) -> None:
    ids = seven_alerts(repo)
    first = alerts("--limit", "3")
    assert first.exit_code == 0 and listed(first.stdout) == ids[6:3:-1]
    assert first.stdout.splitlines()[-1] == f"older alerts: repeat with --before {ids[4]}"
    second = alerts("--limit", "3", "--before", str(ids[4]))
    assert listed(second.stdout) == ids[3:0:-1]
    assert second.stdout.splitlines()[-1] == f"older alerts: repeat with --before {ids[1]}"
    last = alerts("--limit", "3", "--before", str(ids[1]))
    assert listed(last.stdout) == [ids[0]] and "older alerts" not in last.stdout
    assert alerts("--before", str(ids[0])).stdout == f"no alerts older than #{ids[0]}\n"


def test_before_keeps_to_the_status_asked_for(repo: Repository) -> None:
    ids = seven_alerts(repo)
    first = alerts("--dead", "--limit", "2")
    assert listed(first.stdout) == [ids[6], ids[3]] and f"--before {ids[3]}" in first.stdout
    rest = alerts("--dead", "--limit", "2", "--before", str(ids[3]))
    assert listed(rest.stdout) == [ids[0]] and "older alerts" not in rest.stdout
    everything = alerts("--limit", "7")
    assert listed(everything.stdout) == ids[::-1] and "older alerts" not in everything.stdout


@pytest.mark.parametrize("value", ["0", "-1", "seven", str(2**31)])
def test_a_bad_before_is_refused_naming_the_option(repo: Repository, value: str) -> None:
    refused = alerts("--before", value)
    assert refused.exit_code == 2 and "--before" in refused.stderr
