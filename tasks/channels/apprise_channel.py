"""Any service apprise knows (Discord, Matrix, ntfy, Teams, mailto://, json://, ...) by its apprise URL.

Apprise only answers True or False, so the failure is classified from what its plugin logged: an HTTP status
("error=500") goes through the same rules as the webhook; anything else (connection errors, unknown trouble)
counts as retryable, and the delivery task's attempt limit bounds it. For the json/form/xml plugins the
idempotency key is sent as an `Idempotency-Key` header; other services have no place for it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from newsmon.models import Channel
from tasks.channels.base import ChannelConfigError, DeliveryError, Message, http_status_error
from tasks.channels.redaction import redact, scrub, scrubbed_logs, url_secrets

logger = logging.getLogger(__name__)

HEADER_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls"})
FORMATS = ("text", "html", "markdown")
_STATUS = re.compile(r"error=(\d{3})\b")


def _load(url: str) -> Any:
    """An apprise plugin for the URL, or None; apprise's own log lines are scrubbed of the URL's secrets."""
    with scrubbed_logs(url_secrets(url)):
        import apprise

        return apprise.Apprise.instantiate(url)


def with_idempotency_header(url: str, idempotency_key: str) -> str:
    """Add `+Idempotency-Key=<key>` to json://, form:// and xml:// URLs (apprise sends +Name=value as headers)."""
    scheme = url.split("://", 1)[0].lower()
    if scheme not in HEADER_SCHEMES:
        return url
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}{quote('+Idempotency-Key')}={quote(idempotency_key, safe='')}"


def _failure(label: str, log_text: str) -> DeliveryError:
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    warnings = [line for line in lines if " - WARNING - " in line or " - ERROR - " in line]
    detail = (warnings or lines or ["apprise reported a failure without saying why"])[-1]
    detail = detail.split(" - ", 2)[-1][:300]
    status = _STATUS.search(log_text)
    if status:
        return http_status_error(label, int(status.group(1)), None, detail)
    return DeliveryError(f"{label}: {detail}", retryable=True)


class AppriseChannel:
    kind = "apprise"

    def validate(self, target: str, options: Mapping[str, Any]) -> None:
        if "://" not in target:
            raise ChannelConfigError(
                "apprise channel: the target must be an apprise URL such as json://host/path"
            )
        if _load(target.strip()) is None:
            raise ChannelConfigError(f"apprise channel: apprise cannot use the URL {redact(target)}")
        body_format = options.get("format", "text")
        if body_format not in FORMATS:
            raise ChannelConfigError(
                f"apprise channel: option 'format' must be one of {FORMATS}, not {body_format!r}"
            )

    def secrets(self, channel: Channel) -> list[str]:
        return url_secrets(channel.target)

    def send(self, channel: Channel, message: Message, *, idempotency_key: str, timeout: float) -> None:
        import apprise

        label = f"apprise {channel.name!r} ({redact(channel.target)})"
        secrets = self.secrets(channel)
        body_format = channel.options.get("format", "text")
        body = message.html if body_format == "html" else message.text
        notifier = apprise.Apprise()
        with scrubbed_logs(secrets):
            added = notifier.add(with_idempotency_header(channel.target.strip(), idempotency_key))
        if not added:
            raise DeliveryError(f"{label}: apprise cannot use this URL", retryable=False)
        for service in notifier:
            service.socket_connect_timeout = timeout
            service.socket_read_timeout = timeout
        with scrubbed_logs(secrets), apprise.LogCapture(level=logging.INFO) as captured:
            delivered = notifier.notify(title=message.subject, body=body, body_format=body_format)
            log_text = captured.getvalue()
        if not delivered:
            raise _failure(label, scrub(log_text, secrets))
        logger.info("Delivered alert %s to %s", idempotency_key, label)
