"""Webhook, Slack, Telegram and apprise channels against real HTTP servers on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsmon.models import Channel
from tasks.channels import ChannelConfigError, DeliveryError, Message, redact, send, validate_channel

SECRET = "whsec-Q9xL2pT7vR4mZ8"
BOT_TOKEN = "123456789:AAHq7xZ-secretTokenPart0123456789ab"
MESSAGE = Message(
    subject="[newsmon] Жамбыл: <script>alert(1)</script> конференция",
    text="Конференция\nhttps://ztgzt.kz/a/1\n\nВ *Жамбылской области* & <b>тест</b>",
    html="<p>В <mark>Жамбылской области</mark></p>",
    data={"kind": "alert", "title": "Конференция", "highlights": [[2, 20]], "url": "https://ztgzt.kz/a/1"},
    chat_html="<b>Конференция</b>\nВ <b>Жамбылской области</b>",
)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Receiver:
    """An HTTP server on 127.0.0.1 that records requests and answers with the replies queued (default 200 ok)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.replies: deque[Reply] = deque()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = Request("POST", self.path, dict(self.headers.items()), body)
                receiver.requests.append(request)
                reply = receiver.answer(request)
                time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def answer(self, request: Request) -> Reply:
        return self.replies.popleft() if self.replies else Reply()

    def reply(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None, delay: float = 0
    ) -> None:
        self.replies.append(Reply(status, body, headers or {}, delay))

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeTelegram(Receiver):
    """Answers like the Bot API: unknown token 401, a queued reply (429 etc.) if any, a parse error for HTML
    with tags Telegram does not know, else ok with a message id."""

    KNOWN_TAGS = frozenset({"b", "i", "u", "s", "a", "code", "pre"})

    def answer(self, request: Request) -> Reply:
        token = re.match(r"^/bot([^/]+)/sendMessage$", request.path)
        if not token or token.group(1) != BOT_TOKEN:
            return Reply(
                401, json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
            )
        if self.replies:
            return self.replies.popleft()
        payload = request.json()
        tags = (
            set(re.findall(r"</?([a-z]+)", payload["text"])) if payload.get("parse_mode") == "HTML" else set()
        )
        if tags - self.KNOWN_TAGS:
            error = {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: can't parse entities: unsupported tag",
            }
            return Reply(400, json.dumps(error).encode())
        result = {
            "ok": True,
            "result": {"message_id": len(self.requests), "chat": {"id": payload["chat_id"]}},
        }
        return Reply(200, json.dumps(result).encode(), {"Content-Type": "application/json"})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    server = FakeTelegram()
    yield server
    server.stop()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def channel(kind: str, target: str, secret: str | None = None, **options: object) -> Channel:
    return Channel(id=5, name=f"ops {kind}", kind=kind, target=target, secret=secret, options=dict(options))


def failure(ch: Channel, timeout: float = 5) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        send(ch, MESSAGE, idempotency_key="alert-9-chan-5", timeout=timeout)
    return caught.value


def verify_signature(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (the same lines are in docs/channels.md)."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


# --- webhook ---------------------------------------------------------------------------------------------


def test_webhook_posts_signed_json_with_idempotency_key(receiver):
    send(channel("webhook", receiver.url + "/hook", SECRET), MESSAGE, idempotency_key="alert-9-chan-5")

    [request] = receiver.requests
    assert request.path == "/hook"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"] == "alert-9-chan-5"
    assert request.headers["X-Newsmon-Timestamp"].isdigit()
    assert verify_signature(SECRET, request.body, request.headers["X-Newsmon-Signature"])
    assert not verify_signature("another secret", request.body, request.headers["X-Newsmon-Signature"])
    assert request.json() == MESSAGE.data


def test_webhook_without_secret_is_not_signed_and_sends_extra_headers(receiver):
    send(
        channel("webhook", receiver.url, headers={"Authorization": "Bearer t0ken"}),
        MESSAGE,
        idempotency_key="k",
    )

    [request] = receiver.requests
    assert "X-Newsmon-Signature" not in request.headers
    assert request.headers["Authorization"] == "Bearer t0ken"


def test_webhook_500_is_retryable(receiver):
    receiver.reply(500, b"boom")
    error = failure(channel("webhook", receiver.url, SECRET))
    assert error.retryable
    assert "500" in error.reason and "ops webhook" in error.reason


def test_webhook_429_honours_retry_after_seconds(receiver):
    receiver.reply(429, b"slow down", {"Retry-After": "7"})
    error = failure(channel("webhook", receiver.url))
    assert error.retryable
    assert error.retry_after == 7


def test_webhook_429_honours_retry_after_http_date(receiver):
    receiver.reply(429, b"", {"Retry-After": formatdate(time.time() + 120, usegmt=True)})
    error = failure(channel("webhook", receiver.url))
    assert error.retryable
    assert 60 < error.retry_after <= 121


def test_webhook_400_is_permanent(receiver):
    receiver.reply(400, b"bad payload")
    error = failure(channel("webhook", receiver.url))
    assert not error.retryable
    assert "400" in error.reason


def test_webhook_404_with_the_body_ok_names_the_status_and_not_the_body(receiver):
    receiver.reply(404, b"ok")
    error = failure(channel("webhook", receiver.url + "/hook"))
    assert not error.retryable
    assert error.reason == f"webhook 'ops webhook' ({receiver.url}/hook) answered HTTP 404 Not Found"


NGINX_404 = (
    b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><hr>nginx</body></html>"
)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", None),
        (b"OK\n", "text/plain"),
        (b"Not Found", "text/plain"),
        (b"404 page not found\n", "text/plain; charset=utf-8"),
        (b'{"ok": false}', "application/json"),
        (NGINX_404, "text/html"),
    ],
)
def test_webhook_refusal_leaves_out_a_body_that_only_repeats_the_status(receiver, body, content_type):
    receiver.reply(404, body, {"Content-Type": content_type} if content_type else {})
    reason = failure(channel("webhook", receiver.url)).reason
    assert reason.endswith("answered HTTP 404 Not Found"), reason


@pytest.mark.parametrize(
    ("status", "body", "content_type", "said"),
    [
        (404, b"no hook with id 7f3a", "text/plain", 'HTTP 404 Not Found: "no hook with id 7f3a"'),
        (
            403,
            b'{"ok": false, "error": "invalid_token"}',
            "application/json",
            'HTTP 403 Forbidden: "invalid_token"',
        ),
        (
            410,
            b"<html><head><title>Hook removed by its owner</title></head><body>...</body></html>",
            "text/html",
            'HTTP 410 Gone: "Hook removed by its owner"',
        ),
        (499, b"client  closed\n request", None, 'HTTP 499: "client closed request"'),
    ],
)
def test_webhook_refusal_quotes_a_body_that_says_why(receiver, status, body, content_type, said):
    receiver.reply(status, body, {"Content-Type": content_type} if content_type else {})
    reason = failure(channel("webhook", receiver.url)).reason
    assert reason.endswith(f"answered {said}"), reason


def test_webhook_refusal_quotes_only_the_start_of_a_long_body(receiver):
    receiver.reply(400, ("поле title обязательно; " * 40).encode())
    reason = failure(channel("webhook", receiver.url)).reason
    excerpt = reason.split("answered HTTP 400 Bad Request: ", 1)[1]
    assert excerpt.startswith('"поле title обязательно;') and excerpt.endswith('…"')
    assert len(excerpt) <= 125


def test_webhook_redirect_names_the_status_and_what_to_do(receiver):
    receiver.reply(301, b"", {"Location": "https://elsewhere.example/hook"})
    error = failure(channel("webhook", receiver.url))
    assert not error.retryable
    assert "answered with a redirect (HTTP 301 Moved Permanently); update the channel's URL" in error.reason


def test_webhook_408_is_retryable(receiver):
    receiver.reply(408)
    assert failure(channel("webhook", receiver.url)).retryable


def test_webhook_on_a_closed_port_is_retryable():
    error = failure(channel("webhook", closed_port_url()))
    assert error.retryable


def test_webhook_that_answers_too_slowly_is_retryable(receiver):
    receiver.reply(200, b"ok", delay=1.5)
    error = failure(channel("webhook", receiver.url), timeout=0.3)
    assert error.retryable
    assert "timed out" in error.reason


@pytest.mark.parametrize("target", ["ftp://example.kz/hook", "example.kz/hook", "", "javascript:alert(1)"])
def test_webhook_url_must_be_http(target):
    with pytest.raises(ChannelConfigError, match="webhook channel"):
        validate_channel("webhook", target)


def test_webhook_secrets_stay_out_of_logs_and_errors(receiver, caplog):
    caplog.set_level(logging.DEBUG)
    receiver.reply(500, SECRET.encode())  # even a receiver echoing the secret back
    target = f"{receiver.url}/hooks/T0AB12CD34/{SECRET}?token=Tok3nValue99"
    error = failure(channel("webhook", target, SECRET))
    for secret in (SECRET, "Tok3nValue99"):
        assert secret not in error.reason
        assert secret not in caplog.text
    assert "127.0.0.1" in error.reason


# --- slack ------------------------------------------------------------------------------------------------


def test_slack_posts_text_and_blocks_with_slack_escaping(receiver):
    send(
        channel("slack", receiver.url + "/services/T000/B000/XXXXXXXXXXXXXXXXXXXX"),
        MESSAGE,
        idempotency_key="k",
    )

    [request] = receiver.requests
    payload = request.json()
    assert payload["text"] == "[newsmon] Жамбыл: &lt;script&gt;alert(1)&lt;/script&gt; конференция"
    header, section = payload["blocks"][0], payload["blocks"][1]
    assert header["text"]["type"] == "plain_text"
    assert section["text"]["type"] == "mrkdwn"
    assert "*Жамбылской области* &amp; &lt;b&gt;тест&lt;/b&gt;" in section["text"]["text"]


def test_slack_429_and_permanent_404(receiver, caplog):
    caplog.set_level(logging.DEBUG)
    receiver.reply(429, b"rate_limited", {"Retry-After": "30"})
    receiver.reply(404, b"no_service")
    hook = channel("slack", receiver.url + "/services/T000/B000/XXXXXXXXXXXXXXXXXXXX")
    limited = failure(hook)
    assert limited.retryable and limited.retry_after == 30
    gone = failure(hook)
    assert not gone.retryable
    assert "XXXXXXXXXXXXXXXXXXXX" not in gone.reason
    assert "XXXXXXXXXXXXXXXXXXXX" not in caplog.text
    assert "hooks" not in gone.reason or "***" in gone.reason


def test_slack_needs_https_except_on_loopback():
    with pytest.raises(ChannelConfigError, match="slack channel"):
        validate_channel("slack", "http://hooks.slack.com/services/T/B/X")
    validate_channel("slack", "https://hooks.slack.com/services/T000/B000/XXXX")


# --- telegram ---------------------------------------------------------------------------------------------


def tgram(server: Receiver, token: str = BOT_TOKEN, chat: str = "-1001234567890") -> Channel:
    return channel("telegram", f"tgram://{token}/{chat}", api_base=server.url)


def test_telegram_sends_html_to_the_chat(telegram):
    send(tgram(telegram), MESSAGE, idempotency_key="k")

    [request] = telegram.requests
    payload = request.json()
    assert payload["chat_id"] == "-1001234567890"
    assert payload["parse_mode"] == "HTML"
    assert payload["text"] == MESSAGE.chat_html
    assert payload["link_preview_options"] == {"is_disabled": True}


def test_telegram_429_reads_retry_after_from_parameters(telegram):
    error = {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 12",
        "parameters": {"retry_after": 12},
    }
    telegram.reply(429, json.dumps(error).encode())
    failed = failure(tgram(telegram))
    assert failed.retryable
    assert failed.retry_after == 12


def test_telegram_refused_token_is_permanent_and_never_shown(telegram, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "987654321:AAHwrongTokenWrongToken0123456789"
    failed = failure(tgram(telegram, token=wrong))
    assert not failed.retryable
    assert "refused the bot token" in failed.reason
    assert wrong not in failed.reason and "AAHwrongTokenWrongToken" not in caplog.text
    assert caplog.text, "httpx logged the request (scrubbed)"


def test_telegram_5xx_is_retryable(telegram):
    telegram.reply(502, b"<html>Bad Gateway</html>")
    assert failure(tgram(telegram)).retryable


def test_telegram_falls_back_to_plain_text_when_its_html_is_refused(telegram):
    odd = Message(subject="s", text="plain *text*", html="", data={}, chat_html="<blink>x</blink>")
    send(tgram(telegram), odd, idempotency_key="k")

    first, second = telegram.requests
    assert first.json()["parse_mode"] == "HTML"
    assert "parse_mode" not in second.json()
    assert second.json()["text"] == "plain *text*"


@pytest.mark.parametrize(
    ("target", "fault"),
    [
        ("tgram://not-a-token/12345", "not a valid tgram://"),
        (f"https://api.telegram.org/bot{BOT_TOKEN}", "tgram://"),
        (f"tgram://{BOT_TOKEN}/", "exactly one chat"),
        (f"tgram://{BOT_TOKEN}/111/222", "exactly one chat"),
    ],
)
def test_telegram_target_must_be_a_tgram_url_with_one_chat(target, fault, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ChannelConfigError, match="telegram channel") as caught:
        validate_channel("telegram", target)
    assert fault in str(caught.value)
    assert "secretTokenPart" not in str(caught.value) and "secretTokenPart" not in caplog.text


def test_telegram_api_base_must_be_https_off_loopback():
    with pytest.raises(ChannelConfigError, match="https"):
        validate_channel("telegram", f"tgram://{BOT_TOKEN}/1", {"api_base": "http://bots.example.kz"})


# --- apprise ----------------------------------------------------------------------------------------------


def json_url(server: Receiver, userinfo: str = "") -> str:
    return server.url.replace("http://", f"json://{userinfo}") + "/notify"


def test_apprise_json_reaches_the_receiver_with_idempotency_key(receiver):
    send(channel("apprise", json_url(receiver)), MESSAGE, idempotency_key="alert-9-chan-5")

    [request] = receiver.requests
    assert request.path.startswith("/notify")
    payload = request.json()
    assert payload["title"] == MESSAGE.subject
    assert payload["message"] == MESSAGE.text
    assert request.headers["Idempotency-Key"] == "alert-9-chan-5"


def test_apprise_failures_are_classified_and_keep_the_password_out(receiver, caplog):
    caplog.set_level(logging.DEBUG)
    password = "Appr1se-Pa55word"
    target = json_url(receiver, f"alerts:{password}@")
    receiver.reply(500, b"down")
    receiver.reply(403, b"forbidden")
    down = failure(channel("apprise", target))
    forbidden = failure(channel("apprise", target))
    assert down.retryable and "500" in down.reason
    assert not forbidden.retryable and "403" in forbidden.reason
    assert receiver.requests[0].headers["Authorization"].startswith("Basic ")
    for text in (down.reason, forbidden.reason, caplog.text):
        assert password not in text


def test_apprise_unreachable_is_retryable():
    error = failure(channel("apprise", closed_port_url().replace("http://", "json://")), timeout=2)
    assert error.retryable


@pytest.mark.parametrize("target", ["nonsense://x", "just text", "tgram://short/1"])
def test_apprise_url_that_apprise_cannot_parse_is_refused(target):
    with pytest.raises(ChannelConfigError, match="apprise channel"):
        validate_channel("apprise", target)


# --- redaction --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "hidden"),
    [
        (
            "https://hooks.slack.com/services/T0AB12CD3/B0AB12CD3/abcdefghijklmnopqrstuvwx",
            "abcdefghijklmnopqrstuvwx",
        ),
        ("smtp://alerts:Pa55-w0rd@mail.example.kz:587/?from=a@example.kz&to=b@example.kz", "Pa55-w0rd"),
        ("https://example.kz/hook?token=Tok3nValue99&team=ops", "Tok3nValue99"),
        (f"tgram://{BOT_TOKEN}/-100123", "secretTokenPart"),
        ("json://user:Appr1se-Pa55@127.0.0.1:8080/x", "Appr1se-Pa55"),
        ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "JHMHI8qBe7bk2ZwO5U711o3dV_js"),
    ],
)
def test_redact_hides_credentials_and_keeps_the_host(url, hidden):
    shown = redact(url)
    assert hidden not in shown
    assert shown.split("://")[0] in url
