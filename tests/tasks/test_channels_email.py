"""Email channel against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from newsmon.models import Channel
from tasks.channels import ChannelConfigError, DeliveryError, Message, send, validate_channel
from tasks.channels.email import IDEMPOTENCY_HEADER, message_id

PASSWORD = "s3cr3t-Smtp-Pass"
MESSAGE = Message(
    subject="[newsmon] Жамбыл: Конференция в Таразе",
    text="Конференция в Таразе\nhttps://ztgzt.kz/a/1\n\nВ *Жамбылской области* прошла конференция",
    html="<p>В <mark>Жамбылской области</mark> прошла конференция</p>",
    data={"kind": "alert"},
)


@dataclass
class RecordingHandler:
    """Records every message; refuses recipients whose local part starts with "nobody" (550) or "busy" (451)."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody"):
            return "550 5.1.1 No such user here"
        if address.startswith("busy"):
            return "451 4.3.0 Mailbox temporarily unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default))
        )
        return "250 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpServer:
    handler: RecordingHandler
    port: int


def _start(**kwargs: object) -> tuple[Controller, SmtpServer]:
    handler = RecordingHandler()
    for _ in range(5):  # a port found free may be taken before the server binds it
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        try:
            controller.start()
        except (OSError, RuntimeError):
            continue
        return controller, SmtpServer(handler, port)
    raise RuntimeError("no free port for the SMTP server")


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    controller, server = _start()
    yield server
    controller.stop()


@pytest.fixture
def smtp_auth_server() -> Iterator[SmtpServer]:
    controller, server = _start(authenticator=_authenticate, auth_require_tls=False)
    yield server
    controller.stop()


def email_channel(port: int, to: str = "aigul@example.kz,desk@example.kz", user: str = "") -> Channel:
    target = f"smtp://{user}127.0.0.1:{port}/?from=alerts@newsmon.example.kz&to={quote(to)}&starttls=0"
    return Channel(id=1, name="desk mail", kind="email", target=target)


def test_email_arrives_with_text_and_html_parts_and_idempotency_headers(smtp_server):
    send(email_channel(smtp_server.port), MESSAGE, idempotency_key="alert-42-chan-1")

    [(recipients, mail)] = smtp_server.handler.messages
    assert recipients == ["aigul@example.kz", "desk@example.kz"]
    assert mail["Subject"] == MESSAGE.subject
    assert mail.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in mail.iter_parts()}
    assert "*Жамбылской области*" in parts["text/plain"]
    assert "<mark>Жамбылской области</mark>" in parts["text/html"]
    assert mail[IDEMPOTENCY_HEADER] == "alert-42-chan-1"
    assert mail["Message-ID"] == message_id("alert-42-chan-1", "newsmon.example.kz")


def test_a_repeated_send_carries_the_same_message_id(smtp_server):
    channel = email_channel(smtp_server.port, to="aigul@example.kz")
    send(channel, MESSAGE, idempotency_key="alert-7")
    send(channel, MESSAGE, idempotency_key="alert-7")
    send(channel, MESSAGE, idempotency_key="alert-8")

    ids = [mail["Message-ID"] for _, mail in smtp_server.handler.messages]
    assert ids[0] == ids[1] != ids[2]


def test_unreachable_smtp_port_is_retryable():
    with pytest.raises(DeliveryError) as caught:
        send(email_channel(free_port()), MESSAGE, idempotency_key="k1", timeout=3)
    assert caught.value.retryable
    assert "desk mail" in caught.value.reason


def test_recipient_refused_with_550_is_permanent(smtp_server):
    channel = email_channel(smtp_server.port, to="nobody@example.kz,nobody2@example.kz")
    with pytest.raises(DeliveryError) as caught:
        send(channel, MESSAGE, idempotency_key="k2")
    assert not caught.value.retryable
    assert "550" in caught.value.reason
    assert smtp_server.handler.messages == []


def test_recipient_refused_with_451_is_retryable(smtp_server):
    with pytest.raises(DeliveryError) as caught:
        send(email_channel(smtp_server.port, to="busy@example.kz"), MESSAGE, idempotency_key="k3")
    assert caught.value.retryable


def test_one_refused_recipient_does_not_resend_to_the_others(smtp_server):
    send(
        email_channel(smtp_server.port, to="aigul@example.kz,nobody@example.kz"),
        MESSAGE,
        idempotency_key="k4",
    )

    [(recipients, _)] = smtp_server.handler.messages
    assert recipients == ["aigul@example.kz"]


def test_login_with_the_right_password_delivers(smtp_auth_server):
    channel = email_channel(smtp_auth_server.port, user=f"alerts:{PASSWORD}@")
    send(channel, MESSAGE, idempotency_key="k5")
    assert len(smtp_auth_server.handler.messages) == 1


def test_password_may_live_in_the_channel_secret(smtp_auth_server):
    channel = email_channel(smtp_auth_server.port, user="alerts@")
    send(replace(channel, secret=PASSWORD), MESSAGE, idempotency_key="k6")
    assert len(smtp_auth_server.handler.messages) == 1


def test_refused_login_is_permanent_and_never_shows_the_password(smtp_auth_server, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ng-" + PASSWORD
    channel = email_channel(smtp_auth_server.port, user=f"alerts:{wrong}@")
    with pytest.raises(DeliveryError) as caught:
        send(channel, MESSAGE, idempotency_key="k7")
    assert not caught.value.retryable
    assert "535" in caught.value.reason
    assert wrong not in caught.value.reason and wrong not in repr(caught.value)
    assert wrong not in caplog.text
    assert caplog.records, "the failure is logged"


@pytest.mark.parametrize(
    ("target", "fault"),
    [
        ("smtp://mail.example.kz/?to=a@example.kz", "from="),
        ("smtp://mail.example.kz/?from=alerts@example.kz", "to="),
        ("smtp://mail.example.kz/?from=alerts@example.kz&to=not-an-address", "recipient"),
        ("smtp://mail.example.kz/?from=alerts&to=a@example.kz", "sender"),
        ("smtp://mail.example.kz:99999/?from=alerts@example.kz&to=a@example.kz", "malformed"),
        ("smtp:///?from=alerts@example.kz&to=a@example.kz", "no host"),
        ("http://mail.example.kz/?from=alerts@example.kz&to=a@example.kz", "smtp://"),
        ("smtp://mail.example.kz/?from=alerts@example.kz&to=a@example.kz&tls=1", "unknown"),
        ("smtp://mail.example.kz/?from=alerts@example.kz&to=a@example.kz&starttls=maybe", "starttls"),
    ],
)
def test_malformed_email_targets_are_refused_at_save_time(target, fault):
    with pytest.raises(ChannelConfigError) as caught:
        validate_channel("email", target)
    assert "email channel" in str(caught.value)
    assert fault in str(caught.value)


def test_wellformed_email_targets_pass():
    validate_channel(
        "email", "smtps://alerts:pw@smtp.example.kz/?from=Newsmon%20%3Calerts@example.kz%3E&to=a@example.kz"
    )
    validate_channel(
        "email", "smtp://smtp.example.kz:587/?from=alerts@example.kz&to=a@example.kz&to=b@example.kz"
    )
