"""`newsmon alerts --dead` says why a webhook refused an alert, in words a monitor can act on."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli.main import cli
from newsmon.models import Channel
from newsmon.storage import NewAlert, Repository
from newsmon.storage.migrate import upgrade
from tests.loopback import StaticServer
from tests.newsmon_env import newsmon_settings

PAYLOAD = {"title": "Тараз: конференция", "url": "https://ztgzt.kz/a/1", "snippet": "В [[Таразе]] прошла"}


class RefusingHandler(SimpleHTTPRequestHandler):
    """A webhook receiver whose hook is gone: every POST gets 404 with the body `ok`."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def repo(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repository]:
    """A migrated database that `newsmon` commands and the delivery task of this test use."""
    repository = Repository.from_url(database_url)
    upgrade(repository.engine)
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=database_url):
        yield repository
    repository.dispose()


@pytest.fixture
def gone_hook(tmp_path: Path) -> Iterator[str]:
    server = StaticServer(tmp_path, handler=RefusingHandler)
    yield f"{server.url}/hooks/desk"
    server.stop()


def test_a_webhook_answering_404_ok_dies_with_the_status_in_words(repo: Repository, gone_hook: str) -> None:
    from tasks.delivery import deliver_alert

    # Given an alert for a webhook whose receiver answers 404 with the body "ok"
    channel = repo.upsert_channel(Channel(0, "desk", "webhook", gone_hook))
    alert_id = repo.add_alert(NewAlert(channel.id, "ops:reason:1", PAYLOAD), kind="ops")
    assert alert_id is not None
    # When it is delivered and the dead alerts are listed
    assert deliver_alert(alert_id) == "dead"
    listing = CliRunner().invoke(cli, ["alerts", "--dead"], catch_exceptions=False)
    # Then the listing names the receiver and the status in words, and nothing reads as a success
    assert listing.exit_code == 0, listing.output
    assert f"webhook 'desk' ({gone_hook}) answered HTTP 404 Not Found (after 1 attempt)" in listing.stdout
    assert ": ok" not in listing.stdout
