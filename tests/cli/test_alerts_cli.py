"""`newsmon alerts` a page at a time: the last line says how to list the older ones, --before lists them. Each
row names the watch that fired and the source, title and URL of the article it fired on."""

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
from tests.api.stored import matched_alert, news
from tests.newsmon_env import newsmon_settings
from tests.terminal import run_in_terminal


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


GAZETA_URL = (
    "https://ztgzt.kz/news/2025/09/01/soveshchanie-po-podgotovke-k-otopitelnomu-sezonu-v-zhambylskoy-oblasti"
)
GAZETA_TITLE = "В Жамбылской области готовятся к отопительному сезону 2025-2026 годов: совещание в акимате"
ESCAPES = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\")


def test_each_alert_names_its_watch_source_title_and_url(repo: Repository) -> None:
    # given a watch that fired on a gazeta article with a long title and a long URL
    alert_id = matched_alert(repo, "Тараз: отопление", news("gazeta", GAZETA_URL, GAZETA_TITLE))

    # when the alerts are listed into a pipe
    result = alerts()

    # then the alert's first line names the watch, the source and the whole title, the next the whole URL
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["alert", "status", "channel", "watch", "source", "article"]
    (at,) = [n for n, line in enumerate(lines) if line.startswith(f"#{alert_id} ")]
    assert lines[at].split()[1:4] == ["pending", "desk", "Тараз:"]
    assert "Тараз: отопление" in lines[at] and "gazeta" in lines[at] and GAZETA_TITLE in lines[at]
    assert lines[at + 1].split() == ["match", "0", "tries", GAZETA_URL]
    assert "…" not in result.stdout


def test_a_dead_ops_alert_shows_the_source_its_payload_names_and_why_it_died(repo: Repository) -> None:
    # given an ops alert about a stale source, which its channel refused for good
    desk = repo.upsert_channel(Channel(0, "desk", "webhook", "http://127.0.0.1:9/hook"))
    payload = {
        "watch_name": "ops",
        "title": "akimat: stale",
        "url": "https://akimat.example/",
        "source": "akimat",
    }
    alert_id = repo.add_alert(NewAlert(desk.id, "ops:akimat:stale", payload), kind="ops")
    assert alert_id is not None
    repo.mark_alert_failed(alert_id, "HTTP 410 Gone", retry_at=None)

    # when the dead alerts are listed
    lines = alerts("--dead").stdout.splitlines()

    # then its row names what the payload names, and the error follows its URL
    (at,) = [n for n, line in enumerate(lines) if line.startswith(f"#{alert_id} ")]
    assert lines[at].split() == [f"#{alert_id}", "dead", "desk", "ops", "akimat", "akimat:", "stale"]
    assert lines[at + 1].split()[-1] == "https://akimat.example/"
    assert lines[at + 2].strip() == "error: HTTP 410 Gone"


def test_a_100_column_terminal_gets_a_table_that_fits_with_the_url_whole_as_a_link(repo: Repository) -> None:
    # given an alert on an article whose title and URL are longer than a third of the terminal
    alert_id = matched_alert(repo, "Тараз: отопление", news("gazeta", GAZETA_URL, GAZETA_TITLE))

    # when a person lists the alerts in a terminal 100 columns wide
    screen = run_in_terminal("alerts", columns=100)

    # then no line is wider than the terminal, nothing is elided, the row still names the watch and source,
    # and the URL (folded to the column) is one link to the whole address
    text = ESCAPES.sub("", screen)
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 100
    assert "…" not in text
    (row,) = [line for line in text.splitlines() if line.startswith(f"#{alert_id} ")]
    assert "Тараз: отопление" in row and "gazeta" in row
    assert f";{GAZETA_URL}\x1b\\" in screen
    assert "".join(text.split()).count(GAZETA_URL) == 1
