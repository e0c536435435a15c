"""Bad channels at send time: an unreachable SMTP server and a Telegram bot token that Telegram refuses
turn their alerts dead with the reason, while every other watch and channel keeps working; a dead alert
is visible in `newsmon alerts --dead` and goes out with `newsmon alerts retry` once the channel is fixed."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from newsmon.cli.main import cli
from newsmon.models import Channel
from tasks.delivery import deliver_alert
from tasks.matching import match_articles
from tests.tasks.alerting import add_watch, alerts_env, store
from tests.tasks.processes import WebhookReceiver, free_port

TOKEN = "123456789:AAHq7xZ-goodTokenPart0123456789abcd"
WRONG = "987654321:AAHq7xZ-revokedTokenPart01234567890"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=default))  # type: ignore[attr-defined]
        return "250 OK"


class FakeTelegram(ThreadingHTTPServer):
    """The Bot API's sendMessage on loopback: 401 Unauthorized for any token but TOKEN."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _TelegramHandler)
        self.daemon_threads = True
        self.texts: list[str] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class _TelegramHandler(BaseHTTPRequestHandler):
    server: FakeTelegram

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        token = re.match(r"^/bot([^/]+)/sendMessage$", self.path)
        if token and token.group(1) == TOKEN:
            self.server.texts.append(payload["text"])
            status, answer = 200, {"ok": True, "result": {"message_id": len(self.server.texts)}}
        else:
            status, answer = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    server = FakeTelegram()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def smtp(port: int) -> str:
    return f"smtp://127.0.0.1:{port}/?from=alerts@newsmon.example.kz&to=monitor@example.kz&starttls=0"


def bot_channel(token: str, telegram: FakeTelegram) -> Channel:
    options = {"api_base": telegram.url}
    return Channel(id=0, name="bot", kind="telegram", target=f"tgram://{token}/-100123", options=options)


def test_bad_channels_die_with_the_reason_and_the_others_deliver(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    telegram: FakeTelegram,
    inbox: tuple[Inbox, int],
) -> None:
    mail, port = inbox
    with (
        alerts_env(monkeypatch, tmp_path, database_url, alert_max_attempts="1") as repo,
        WebhookReceiver() as hook,
    ):
        repo.upsert_channel(Channel(id=0, name="mail", kind="email", target=smtp(port)))
        repo.upsert_channel(Channel(id=0, name="lost-mail", kind="email", target=smtp(free_port())))
        repo.upsert_channel(Channel(id=0, name="hook", kind="webhook", target=hook.url))
        repo.upsert_channel(bot_channel(WRONG, telegram))
        query = '"Бейбітшілік пен келісім"'
        add_watch(repo, "by-mail", query, channels=("mail",))
        add_watch(repo, "lost", query, channels=("lost-mail",))
        add_watch(repo, "by-bot", query, channels=("bot", "hook"))
        add_watch(repo, "by-hook", query, channels=("hook",))

        created = match_articles([store(repo, "https://akimat.kz/ru/news/1")], enqueue=False)
        outcomes = [deliver_alert(alert_id) for alert_id in created]

        assert sorted(outcomes) == ["dead", "dead", "sent", "sent", "sent"]
        dead = {repo.get_channel(a.channel_id).name: a for a in repo.list_alerts("dead")}
        assert sorted(dead) == ["bot", "lost-mail"]
        assert "could not be reached" in dead["lost-mail"].last_error
        assert "Telegram refused the bot token (HTTP 401" in dead["bot"].last_error
        assert WRONG not in dead["bot"].last_error and "987654321" not in dead["bot"].last_error
        assert [m["Subject"] for m in mail.messages] == ["[newsmon] by-mail: Конференция"]
        assert sorted(r["body"]["watch_name"] for r in hook.requests) == ["by-bot", "by-hook"]

        shell = CliRunner()
        listing = shell.invoke(cli, ["alerts", "--dead"], catch_exceptions=False).stdout
        assert "Telegram refused the bot token" in listing and "could not be reached" in listing
        assert WRONG not in listing

        repo.upsert_channel(bot_channel(TOKEN, telegram))  # the owner fixes the token
        retried = shell.invoke(cli, ["alerts", "retry", str(dead["bot"].id)], catch_exceptions=False)
        assert f"#{dead['bot'].id}: sent" in retried.stdout
        assert len(telegram.texts) == 1 and "Бейбітшілік" in telegram.texts[0]
        assert repo.get_alert(dead["bot"].id).idempotency_key == dead["bot"].idempotency_key
