"""Telegram through the Bot API over httpx, configured by an apprise `tgram://` URL.

Apprise parses and checks the target (`tgram://<bot token>/<chat id>`), but the message goes out directly with
httpx: apprise's Telegram plugin hard-wires the API address and does not report Telegram's
`parameters.retry_after`, which the delivery task needs to honour a 429. `options["api_base"]` points the
channel at another Bot API server (a self-hosted one, or a loopback fake in tests).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx

from newsmon.models import Channel
from tasks.channels.base import (
    ChannelConfigError,
    DeliveryError,
    Message,
    http_transport_error,
    option_bool,
    parse_retry_after,
    require_http_url,
)
from tasks.channels.redaction import redact, scrubbed_logs, url_secrets

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.telegram.org"
MAX_TEXT = 4096
OPTION_KEYS = frozenset({"api_base", "silent", "preview"})


@dataclass(frozen=True, slots=True)
class TelegramTarget:
    token: str
    chat_id: str
    topic: int | None


@lru_cache(maxsize=256)
def parse_telegram_target(target: str) -> TelegramTarget:
    """Read `tgram://<token>/<chat id>` with apprise; one chat per channel, so a retry never repeats a chat."""
    if not target.strip().lower().startswith("tgram://"):
        raise ChannelConfigError("telegram channel: the target must be a tgram://<bot token>/<chat id> URL")
    with scrubbed_logs(url_secrets(target)):
        import apprise

        plugin = apprise.Apprise.instantiate(target.strip())
    token = getattr(plugin, "bot_token", None)
    if plugin is None or not token:
        raise ChannelConfigError(
            "telegram channel: the target is not a valid tgram:// URL (expected tgram://<bot token>/<chat id>)"
        )
    chats = list(getattr(plugin, "targets", []) or [])
    if len(chats) != 1:
        raise ChannelConfigError(
            f"telegram channel: the URL must name exactly one chat id, it names {len(chats)}; "
            "make one channel per chat"
        )
    chat, topic = chats[0] if isinstance(chats[0], tuple) else (chats[0], None)
    return TelegramTarget(token=str(token), chat_id=str(chat), topic=int(topic) if topic else None)


def _check_options(options: Mapping[str, Any]) -> str:
    unknown = set(options) - OPTION_KEYS
    if unknown:
        raise ChannelConfigError(
            f"telegram channel: unknown options {sorted(unknown)} (known: {sorted(OPTION_KEYS)})"
        )
    option_bool("telegram", options, "silent", False)
    option_bool("telegram", options, "preview", False)
    api_base = str(options.get("api_base") or DEFAULT_API_BASE)
    require_http_url("telegram", api_base, https_unless_loopback=True)
    return api_base.rstrip("/")


def _telegram_error(label: str, response: httpx.Response) -> DeliveryError:
    """Classify a Bot API error answer; its JSON carries error_code, description and parameters.retry_after."""
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    answer = answer if isinstance(answer, dict) else {}
    code = int(answer.get("error_code") or response.status_code)
    description = str(answer.get("description") or response.reason_phrase)[:200]
    parameters = answer.get("parameters") if isinstance(answer.get("parameters"), dict) else {}
    if code == 429 or response.status_code == 429:
        wait = parameters.get("retry_after")
        retry_after = (
            float(wait)
            if isinstance(wait, int | float)
            else parse_retry_after(response.headers.get("Retry-After"))
        )
        return DeliveryError(f"{label}: rate limited by Telegram ({description})", True, retry_after)
    if code in {401, 404}:
        return DeliveryError(f"{label}: Telegram refused the bot token (HTTP {code}: {description})", False)
    if parameters.get("migrate_to_chat_id"):
        return DeliveryError(
            f"{label}: the group moved to chat id {parameters['migrate_to_chat_id']}; update the channel",
            False,
        )
    retryable = response.status_code >= 500 or code >= 500
    return DeliveryError(f"{label}: Telegram answered HTTP {code}: {description}", retryable)


class TelegramChannel:
    kind = "telegram"

    def validate(self, target: str, options: Mapping[str, Any]) -> None:
        parse_telegram_target(target)
        _check_options(options)

    def secrets(self, channel: Channel) -> list[str]:
        secrets = url_secrets(channel.target)
        with contextlib.suppress(ChannelConfigError):
            secrets.append(parse_telegram_target(channel.target).token)
        return secrets

    def send(self, channel: Channel, message: Message, *, idempotency_key: str, timeout: float) -> None:
        target = parse_telegram_target(channel.target)
        api_base = _check_options(channel.options)
        label = f"telegram {channel.name!r} ({redact(channel.target)})"
        url = f"{api_base}/bot{target.token}/sendMessage"
        payload: dict[str, Any] = {
            "chat_id": target.chat_id,
            "disable_notification": option_bool("telegram", channel.options, "silent", False),
            "link_preview_options": {
                "is_disabled": not option_bool("telegram", channel.options, "preview", False)
            },
        }
        if target.topic:
            payload["message_thread_id"] = target.topic
        use_html = bool(message.chat_html) and len(message.chat_html or "") <= MAX_TEXT
        try:
            with httpx.Client(timeout=timeout, follow_redirects=False) as client:
                response = client.post(url, json=self._body(payload, message, use_html))
                if use_html and self._markup_refused(response):
                    # Nothing was sent; Telegram could not parse our HTML, so plain text goes instead.
                    logger.warning(
                        "Telegram %s refused the HTML of alert %s; sending plain text", label, idempotency_key
                    )
                    response = client.post(url, json=self._body(payload, message, False))
        except httpx.HTTPError as exc:
            raise http_transport_error(label, exc) from None
        if response.status_code != 200:
            raise _telegram_error(label, response)
        logger.info("Delivered alert %s to %s", idempotency_key, label)

    @staticmethod
    def _body(payload: dict[str, Any], message: Message, use_html: bool) -> dict[str, Any]:
        if use_html:
            return {**payload, "text": message.chat_html, "parse_mode": "HTML"}
        text = message.text if len(message.text) <= MAX_TEXT else message.text[: MAX_TEXT - 1] + "…"
        return {**payload, "text": text}

    @staticmethod
    def _markup_refused(response: httpx.Response) -> bool:
        return response.status_code == 400 and "parse entities" in response.text.lower()
