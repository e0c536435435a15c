"""Where alerts arrive: a webhook receiver and an SMTP server (aiosmtpd) on loopback, each noting when."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

IDEMPOTENCY_HEADER = "X-Newsmon-Idempotency-Key"


@dataclass(frozen=True, slots=True)
class Receipt:
    """One alert as it arrived: which channel, its idempotency key and when."""

    channel: str  # webhook | email
    key: str
    at: datetime
    subject: str


class WebhookReceiver:
    """Records every POST (Idempotency-Key header, JSON body, arrival time) and answers 200."""

    def __init__(self) -> None:
        self.receipts: list[Receipt] = []
        self.bodies: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                at = datetime.now(UTC)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = json.loads(raw or b"{}")
                key = self.headers.get("Idempotency-Key") or ""
                with receiver._lock:
                    receiver.receipts.append(Receipt("webhook", key, at, str(body.get("title", ""))))
                    receiver.bodies.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/hook"
        threading.Thread(target=self._httpd.serve_forever, name="webhook", daemon=True).start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class _MailHandler:
    def __init__(self, receipts: list[Receipt], lock: threading.Lock) -> None:
        self.receipts, self.lock = receipts, lock

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        at = datetime.now(UTC)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        receipt = Receipt("email", str(message.get(IDEMPOTENCY_HEADER, "")), at, str(message["Subject"]))
        with self.lock:
            self.receipts.append(receipt)
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """A real SMTP server on a free loopback port; `target` is the email channel's URL for it."""

    def __init__(self, recipient: str = "monitor@example.kz") -> None:
        self.receipts: list[Receipt] = []
        self._lock = threading.Lock()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self._controller = Controller(
            _MailHandler(self.receipts, self._lock), hostname="127.0.0.1", port=port
        )
        self._controller.start()
        self.target = f"smtp://127.0.0.1:{port}/?from=alerts@newsmon.test&to={recipient}&starttls=0"

    def stop(self) -> None:
        self._controller.stop()


def all_receipts(*receivers: WebhookReceiver | SmtpReceiver) -> list[Receipt]:
    found = [r for receiver in receivers for r in list(receiver.receipts)]
    return sorted(found, key=lambda r: r.at)
