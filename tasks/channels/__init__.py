"""Alert channels: check a channel's configuration, and send one rendered message through it once.

The delivery task owns retries and status; a channel only sends and classifies failure through
`DeliveryError(reason, retryable, retry_after)`. Secrets never reach a log line or an error message: reasons are
scrubbed of every secret the channel holds, and the HTTP libraries' own log lines are scrubbed while it sends.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from newsmon.models import Channel
from tasks.channels.apprise_channel import AppriseChannel
from tasks.channels.base import ChannelConfigError, ChannelKind, DeliveryError, Message
from tasks.channels.console import ConsoleChannel
from tasks.channels.email import EmailChannel
from tasks.channels.jsonl import JsonlChannel
from tasks.channels.ratelimit import RateLimiter
from tasks.channels.redaction import redact, scrub, scrubbed_logs
from tasks.channels.slack import SlackChannel
from tasks.channels.telegram import TelegramChannel
from tasks.channels.webhook import WebhookChannel

__all__ = [
    "CHANNEL_KINDS",
    "ChannelConfigError",
    "DeliveryError",
    "Message",
    "RateLimiter",
    "redact",
    "send",
    "validate_channel",
]

logger = logging.getLogger(__name__)

CHANNEL_KINDS: Mapping[str, ChannelKind] = MappingProxyType(
    {
        kind.kind: kind
        for kind in (
            EmailChannel(),
            WebhookChannel(),
            TelegramChannel(),
            SlackChannel(),
            AppriseChannel(),
            ConsoleChannel(),
            JsonlChannel(),
        )
    }
)


def _kind(kind: str) -> ChannelKind:
    implementation = CHANNEL_KINDS.get(kind)
    if implementation is None:
        known = ", ".join(sorted(CHANNEL_KINDS))
        raise ChannelConfigError(f"unknown channel kind {kind!r} (known: {known})")
    return implementation


def validate_channel(kind: str, target: str, options: dict[str, Any] | None = None) -> None:
    """Raise ChannelConfigError, naming the channel kind and the fault, for a configuration that cannot work."""
    if not isinstance(target, str):
        raise ChannelConfigError(f"{kind} channel: the target must be text, not {type(target).__name__}")
    if options is not None and not isinstance(options, Mapping):
        raise ChannelConfigError(f"{kind} channel: options must be a mapping, not {type(options).__name__}")
    _kind(kind).validate(target, options or {})


def _channel_secrets(implementation: ChannelKind, channel: Channel) -> list[str]:
    try:
        secrets = implementation.secrets(channel)
    except ChannelConfigError:
        secrets = []
    return [*secrets, *([channel.secret] if channel.secret else [])]


def send(channel: Channel, message: Message, *, idempotency_key: str, timeout: float = 10) -> None:
    """Send `message` through `channel` once; raise DeliveryError saying whether a retry may help."""
    if not idempotency_key or not idempotency_key.strip():
        raise ValueError("send() needs a non-empty idempotency_key")
    try:
        implementation = _kind(channel.kind)
    except ChannelConfigError as exc:
        raise DeliveryError(f"channel {channel.name!r}: {exc}", retryable=False) from None
    if not channel.enabled:
        raise DeliveryError(f"channel {channel.name!r} is disabled", retryable=False)
    secrets = _channel_secrets(implementation, channel)
    try:
        with scrubbed_logs(secrets):
            implementation.validate(channel.target, channel.options or {})
            implementation.send(channel, message, idempotency_key=idempotency_key, timeout=timeout)
    except DeliveryError as exc:
        error = DeliveryError(scrub(exc.reason, secrets), exc.retryable, exc.retry_after)
    except ChannelConfigError as exc:
        error = DeliveryError(f"channel {channel.name!r}: {scrub(str(exc), secrets)}", retryable=False)
    except Exception as exc:
        # An unforeseen failure: retrying is bounded by the task's attempt limit and loses nothing.
        reason = f"channel {channel.name!r}: unexpected {type(exc).__name__}: {scrub(str(exc), secrets)}"
        error = DeliveryError(reason, retryable=True)
    else:
        return
    logger.warning(
        "Alert %s not delivered through %s channel %r (%s): %s",
        idempotency_key,
        channel.kind,
        channel.name,
        "will retry" if error.retryable else "permanent",
        error.reason,
    )
    raise error
