"""Email over SMTP (smtplib): one multipart/alternative message with a text and an HTML part.

Target: `smtp://user:password@host:port/?from=alerts@example.kz&to=a@example.kz,b@example.kz&starttls=1`,
or `smtps://...` for implicit TLS (port 465). The password may be left out of the URL and kept in the
channel's secret instead. The Message-ID is derived from the idempotency key, so a repeated send of one alert
carries the same Message-ID and mail clients and filters can recognise it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from newsmon.models import Channel
from tasks.channels.base import ChannelConfigError, DeliveryError, Message, option_bool
from tasks.channels.redaction import url_secrets

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "X-Newsmon-Idempotency-Key"
DEFAULT_PORTS = {"smtps": 465, "smtp_starttls": 587, "smtp": 25}
QUERY_KEYS = frozenset({"from", "to", "starttls"})
_ADDRESS = re.compile(r"^[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+$")


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool
    sender: str  # as written, may carry a display name
    sender_address: str
    recipients: tuple[str, ...]


def _address(raw: str, what: str) -> str:
    """The bare address in `raw` ("Name <a@b.kz>" or "a@b.kz"), or a ChannelConfigError naming the field."""
    _, address = parseaddr(raw)
    domain = address.rpartition("@")[2]
    if not _ADDRESS.match(address) or not all(domain.split(".")):
        raise ChannelConfigError(f"email channel: {what} address {raw!r} is malformed")
    return address


def parse_smtp_target(target: str, password: str | None = None) -> SmtpTarget:
    """Read an smtp:// or smtps:// target; `password` (the channel secret) is used when the URL has none."""
    try:
        parts = urlsplit(target.strip())
        port = parts.port
    except ValueError as exc:
        raise ChannelConfigError(f"email channel: the SMTP URL is malformed ({exc})") from None
    if parts.scheme not in {"smtp", "smtps"}:
        raise ChannelConfigError("email channel: the target must be an smtp:// or smtps:// URL")
    if not parts.hostname:
        raise ChannelConfigError("email channel: the SMTP URL has no host")
    query: dict[str, list[str]] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in QUERY_KEYS:
            raise ChannelConfigError(
                f"email channel: unknown SMTP URL parameter {key!r} (known: from, to, starttls)"
            )
        query.setdefault(key, []).append(value)
    if not query.get("from"):
        raise ChannelConfigError("email channel: the SMTP URL needs from=<sender address>")
    sender = query["from"][-1]
    recipients = [r.strip() for value in query.get("to", []) for r in value.split(",") if r.strip()]
    if not recipients:
        raise ChannelConfigError("email channel: the SMTP URL needs to=<address>[,<address>...]")
    implicit_tls = parts.scheme == "smtps"
    starttls = not implicit_tls and option_bool(
        "email", {"starttls": query.get("starttls", ["1"])[-1]}, "starttls", True
    )
    default_port = DEFAULT_PORTS["smtps" if implicit_tls else "smtp_starttls" if starttls else "smtp"]
    return SmtpTarget(
        host=parts.hostname,
        port=port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else password,
        implicit_tls=implicit_tls,
        starttls=starttls,
        sender=sender,
        sender_address=_address(sender, "sender"),
        recipients=tuple(_address(r, "recipient") for r in recipients),
    )


def message_id(idempotency_key: str, domain: str) -> str:
    """A Message-ID that is the same for every send of one alert."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}.alert@{domain}>"


def build_email(target: SmtpTarget, message: Message, idempotency_key: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = " ".join(message.subject.split())
    mail["From"] = target.sender
    mail["To"] = ", ".join(target.recipients)
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = message_id(idempotency_key, target.sender_address.rpartition("@")[2])
    mail[IDEMPOTENCY_HEADER] = idempotency_key
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


def _smtp_error(label: str, exc: Exception) -> DeliveryError:
    """Classify an SMTP failure: 4xx replies and network trouble may pass later, 5xx replies will not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        refused = ", ".join(f"{addr} ({code})" for addr, (code, _) in exc.recipients.items())
        return DeliveryError(
            f"{label} refused every recipient: {refused}", retryable=any(c < 500 for c in codes)
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(f"{label} does not offer STARTTLS; use smtps:// or starttls=0", retryable=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        what = "refused the login" if isinstance(exc, smtplib.SMTPAuthenticationError) else "answered"
        return DeliveryError(
            f"{label} {what}: {exc.smtp_code} {text.strip()[:200]}", retryable=exc.smtp_code < 500
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return DeliveryError(f"{label}: TLS certificate not trusted ({exc.verify_message})", retryable=False)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError(f"{label} closed the connection", retryable=True)
    return DeliveryError(f"{label} could not be reached ({type(exc).__name__}: {exc})", retryable=True)


class EmailChannel:
    kind = "email"

    def validate(self, target: str, options: Mapping[str, Any]) -> None:
        parse_smtp_target(target)

    def secrets(self, channel: Channel) -> list[str]:
        return [*url_secrets(channel.target), *([channel.secret] if channel.secret else [])]

    def send(self, channel: Channel, message: Message, *, idempotency_key: str, timeout: float) -> None:
        target = parse_smtp_target(channel.target, channel.secret)
        label = f"SMTP server of email channel {channel.name!r} ({target.host}:{target.port})"
        mail = build_email(target, message, idempotency_key)
        smtp: smtplib.SMTP | None = None
        try:
            smtp = self._connect(target, timeout)
            refused = smtp.send_message(
                mail, from_addr=target.sender_address, to_addrs=list(target.recipients)
            )
        except (smtplib.SMTPException, OSError) as exc:
            raise _smtp_error(label, exc) from None
        finally:
            if smtp is not None:
                self._close(smtp)
        if refused:
            # The others have the message; a retry would send it to them twice, so this counts as delivered.
            logger.warning("Email %s: %s refused %s", idempotency_key, label, ", ".join(sorted(refused)))
        logger.info(
            "Delivered alert %s through %s to %d recipients", idempotency_key, label, len(target.recipients)
        )

    @staticmethod
    def _connect(target: SmtpTarget, timeout: float) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if target.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=timeout)
        try:
            if target.starttls:
                smtp.starttls(context=context)
            if target.username:
                smtp.login(target.username, target.password or "")
        except BaseException:
            EmailChannel._close(smtp)
            raise
        return smtp

    @staticmethod
    def _close(smtp: smtplib.SMTP) -> None:
        """QUIT after the message was accepted must not turn a delivery into a failure."""
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
