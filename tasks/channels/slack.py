"""Slack incoming webhook: POST {"text", "blocks"} to the hook URL with httpx.

The target is the incoming-webhook URL Slack gives (https://hooks.slack.com/services/T.../B.../...); the URL
itself is the secret and is only ever shown redacted. Going direct rather than through apprise lets the
delivery task read Slack's 429 Retry-After and lets tests point the channel at a loopback receiver.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx

from newsmon.models import Channel
from tasks.channels.base import Message, check_http_response, http_transport_error, require_http_url
from tasks.channels.redaction import redact, url_secrets

logger = logging.getLogger(__name__)

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
MAX_SECTIONS = 40


def escape_mrkdwn(text: str) -> str:
    """Slack's control characters; everything else in mrkdwn is literal enough for scraped text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _chunks(text: str, size: int) -> list[str]:
    """Split on paragraph breaks where possible so no section exceeds Slack's limit."""
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        while len(paragraph) > size:
            chunks.extend([current] if current else [])
            current = ""
            chunks.append(paragraph[:size])
            paragraph = paragraph[size:]
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) > size:
            chunks.append(current)
            candidate = paragraph
        current = candidate
    if current:
        chunks.append(current)
    return [c for c in chunks if c.strip()]


def slack_payload(message: Message) -> dict[str, Any]:
    """A header with the subject and mrkdwn sections with the text (highlights, written *word*, come out bold)."""
    subject = " ".join(message.subject.split())
    header = subject if len(subject) <= HEADER_LIMIT else subject[: HEADER_LIMIT - 1] + "…"
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": header}}]
    sections = _chunks(escape_mrkdwn(message.text), SECTION_LIMIT)
    for chunk in sections[:MAX_SECTIONS]:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    return {"text": escape_mrkdwn(subject), "blocks": blocks}


class SlackChannel:
    kind = "slack"

    def validate(self, target: str, options: Mapping[str, Any]) -> None:
        require_http_url(self.kind, target, https_unless_loopback=True)

    def secrets(self, channel: Channel) -> list[str]:
        return url_secrets(channel.target)

    def send(self, channel: Channel, message: Message, *, idempotency_key: str, timeout: float) -> None:
        label = f"slack {channel.name!r} ({redact(channel.target)})"
        try:
            with httpx.Client(timeout=timeout, follow_redirects=False) as client:
                response = client.post(channel.target.strip(), json=slack_payload(message))
        except httpx.HTTPError as exc:
            raise http_transport_error(label, exc) from None
        check_http_response(label, response)
        logger.info("Delivered alert %s to %s", idempotency_key, label)
