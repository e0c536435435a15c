"""What every channel shares: the message, the two errors, and how HTTP outcomes are classified.

The delivery task owns retries, so a channel sends once and says, through `DeliveryError`, whether trying again
can help (`retryable`) and how long the other side asked us to wait (`retry_after`).
"""

from __future__ import annotations

import email.utils
import html
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol

import httpx

from newsmon.models import Channel

# Status codes after which the same request may succeed later; every other 4xx is the request's own fault.
RETRYABLE_STATUS = frozenset({408, 425, 429})
# Words a response body may hold that say nothing the status does not (`ok`, `{"ok": false}`, `404 page not
# found`): such a body is left out of the reason, where `answered HTTP 404: ok` would read as a success.
EMPTY_WORDS = frozenset(
    {"ok", "okay", "error", "err", "fail", "failed", "failure", "false", "true", "null", "none"}
    | {"http", "status", "code", "page"}
)
MESSAGE_KEYS = ("message", "error_description", "description", "detail", "error", "reason")
EXCERPT_LIMIT = 120
READ_LIMIT = 65_536  # characters of a refusing body read for its excerpt


class ChannelConfigError(ValueError):
    """A channel's kind, target or options are wrong in a way that is known before anything is sent."""


class DeliveryError(Exception):
    """One send failed. `retryable` says whether the same send may succeed later."""

    def __init__(self, reason: str, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type[DeliveryError], tuple[str, bool, float | None]]:
        # Keeps the error intact through pickling (Celery results, multiprocessing).
        return (DeliveryError, (self.reason, self.retryable, self.retry_after))

    def __repr__(self) -> str:
        return f"DeliveryError({self.reason!r}, retryable={self.retryable}, retry_after={self.retry_after!r})"


@dataclass(frozen=True, slots=True)
class Message:
    """One rendering of an alert or digest for every channel.

    `text` is plain text (highlights as *word*), `html` a complete HTML body for email, `data` the JSON payload
    for webhooks and files, and `chat_html` the small HTML subset Telegram accepts (b, i, a and newlines);
    None sends `text` as plain text instead.
    """

    subject: str
    text: str
    html: str
    data: dict[str, Any] = field(default_factory=dict)
    chat_html: str | None = None


class ChannelKind(Protocol):
    """One kind of channel: checks a configuration and sends a message through it."""

    kind: str

    def validate(self, target: str, options: Mapping[str, Any]) -> None: ...

    def secrets(self, channel: Channel) -> list[str]: ...

    def send(self, channel: Channel, message: Message, *, idempotency_key: str, timeout: float) -> None: ...


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def http_status_error(label: str, status: int, retry_after: float | None, detail: str = "") -> DeliveryError:
    """The DeliveryError for a non-2xx answer: 5xx, 408, 425 and 429 may pass later, other 4xx will not.

    The reason names the status with its standard phrase (`HTTP 404 Not Found`) and `detail`, what the other
    side said, only when it says more than the status."""
    answered = f"HTTP {status} {status_phrase(status)}".rstrip()
    retryable = status >= 500 or status in RETRYABLE_STATUS
    if 300 <= status < 400:
        return DeliveryError(
            f"{label} answered with a redirect ({answered}); update the channel's URL", retryable=False
        )
    suffix = f": {detail}" if detail and adds_to_status(detail, status) else ""
    return DeliveryError(
        f"{label} answered {answered}{suffix}",
        retryable=retryable,
        retry_after=retry_after if retryable else None,
    )


def status_phrase(status: int) -> str:
    """The standard reason phrase of an HTTP status ("Not Found"), or "" for a code the standard lacks.

    The phrase a server sends is not used: a receiver answering `404 OK` would make the reason read as a
    success."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def adds_to_status(detail: str, status: int) -> bool:
    """Whether `detail` says more than the status: not only `ok`, `error`, the code or its phrase."""
    said = set(re.findall(r"\w+", detail.lower()))
    return bool(said - EMPTY_WORDS - {str(status)} - set(status_phrase(status).lower().split()))


def response_excerpt(response: httpx.Response) -> str:
    """What a refusing response says, in one short quoted line: a JSON message field, an HTML page's title or
    the text; "" when it has nothing to read."""
    text = response.text[:READ_LIMIT]
    kind = response.headers.get("Content-Type", "").lower()
    if "html" in kind or text.lstrip()[:1] == "<":
        title = re.search(r"<title[^>]*>(.*?)</title>", text, flags=re.IGNORECASE | re.DOTALL)
        text = html.unescape(title.group(1)) if title else ""
    elif "json" in kind or text.lstrip()[:1] == "{":
        text = _json_message(text)
    line = " ".join(text.split())
    if not line:
        return ""
    return f'"{line[:EXCERPT_LIMIT]}…"' if len(line) > EXCERPT_LIMIT else f'"{line}"'


def _json_message(text: str) -> str:
    """The message a JSON error body gives (`{"error": "invalid_token"}` -> invalid_token), else the text."""
    try:
        body = json.loads(text)
    except ValueError:
        return text
    if isinstance(body, Mapping):
        for key in MESSAGE_KEYS:
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value
            if isinstance(value, Mapping) and isinstance(value.get("message"), str):
                return value["message"]
    return text


def check_http_response(label: str, response: httpx.Response) -> None:
    """Raise the right DeliveryError unless the response is a 2xx; a 4xx body is quoted when it says why."""
    if 200 <= response.status_code < 300:
        return
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    detail = response_excerpt(response) if response.status_code < 500 else ""
    raise http_status_error(label, response.status_code, retry_after, detail)


def http_transport_error(label: str, exc: httpx.HTTPError) -> DeliveryError:
    """Map an httpx failure with no response: timeouts and network errors may pass later, a bad URL will not."""
    if isinstance(exc, httpx.TimeoutException):
        return DeliveryError(f"{label} timed out ({type(exc).__name__})", retryable=True)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return DeliveryError(f"{label} has an unusable URL ({type(exc).__name__})", retryable=False)
    if isinstance(exc, httpx.TooManyRedirects):
        return DeliveryError(f"{label} redirected too often", retryable=False)
    return DeliveryError(f"{label} could not be reached ({type(exc).__name__}: {exc})", retryable=True)


def option_bool(kind: str, options: Mapping[str, Any], name: str, default: bool) -> bool:
    """Read a yes/no option given as a bool, 0/1 or a word; a clear error for anything else."""
    value = options.get(name, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ChannelConfigError(f"{kind} channel: option {name!r} must be yes/no (1/0), not {value!r}")


def require_http_url(kind: str, url: str, *, https_unless_loopback: bool = False) -> httpx.URL:
    """Parse a channel's http(s) URL, or raise a ChannelConfigError naming the kind and what is wrong."""
    if not url or not url.strip():
        raise ChannelConfigError(f"{kind} channel: the target URL is empty")
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError) as exc:
        raise ChannelConfigError(f"{kind} channel: the target is not a valid URL ({exc})") from None
    if parsed.scheme not in {"http", "https"}:
        shown = parsed.scheme or "no scheme"
        raise ChannelConfigError(f"{kind} channel: the URL must start with http:// or https://, not {shown}")
    if not parsed.host:
        raise ChannelConfigError(f"{kind} channel: the URL has no host")
    if https_unless_loopback and parsed.scheme != "https" and not is_loopback(parsed.host):
        raise ChannelConfigError(
            f"{kind} channel: the URL must use https:// (http is allowed for loopback only)"
        )
    return parsed


def is_loopback(host: str) -> bool:
    return host in {"localhost", "::1"} or host.startswith("127.")


def header_options(kind: str, options: Mapping[str, Any]) -> dict[str, str]:
    """Extra HTTP headers from options["headers"]: a mapping of names to string values."""
    headers = options.get("headers") or {}
    if not isinstance(headers, Mapping):
        raise ChannelConfigError(f"{kind} channel: option 'headers' must be a mapping of name to value")
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str) or not name.strip():
            raise ChannelConfigError(
                f"{kind} channel: header {name!r} must be a non-empty name with a text value"
            )
    return dict(headers)
