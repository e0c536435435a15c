"""Generic webhook: POST the alert's JSON payload, signed with the channel's secret.

Headers: `Content-Type: application/json`, `Idempotency-Key` (the same on every retry of one alert, so the
receiver can drop a repeat), `X-Newsmon-Timestamp` (Unix seconds of this attempt) and, when the channel has a
secret, `X-Newsmon-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx

from newsmon.models import Channel
from tasks.channels.base import (
    Message,
    check_http_response,
    header_options,
    http_transport_error,
    require_http_url,
)
from tasks.channels.redaction import redact, url_secrets

logger = logging.getLogger(__name__)

USER_AGENT = "newsmon-alerts/0.1"
SIGNATURE_HEADER = "X-Newsmon-Signature"
TIMESTAMP_HEADER = "X-Newsmon-Timestamp"


def sign(body: bytes, secret: str) -> str:
    """The X-Newsmon-Signature value for a body: "sha256=" and the hex HMAC-SHA256 keyed by the secret."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def encode_body(data: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON; the exact bytes sent are the bytes signed."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


class WebhookChannel:
    kind = "webhook"

    def validate(self, target: str, options: Mapping[str, Any]) -> None:
        require_http_url(self.kind, target)
        header_options(self.kind, options)

    def secrets(self, channel: Channel) -> list[str]:
        extra = list(header_options(self.kind, channel.options).values())
        return [*url_secrets(channel.target), *extra, *([channel.secret] if channel.secret else [])]

    def send(self, channel: Channel, message: Message, *, idempotency_key: str, timeout: float) -> None:
        label = f"webhook {channel.name!r} ({redact(channel.target)})"
        body = encode_body(message.data)
        headers = {
            **header_options(self.kind, channel.options),
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": idempotency_key,
            TIMESTAMP_HEADER: str(int(time.time())),
        }
        if channel.secret:
            headers[SIGNATURE_HEADER] = sign(body, channel.secret)
        try:
            with httpx.Client(timeout=timeout, follow_redirects=False) as client:
                response = client.post(channel.target.strip(), content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise http_transport_error(label, exc) from None
        check_http_response(label, response)
        logger.info("Delivered alert %s to %s", idempotency_key, label)
