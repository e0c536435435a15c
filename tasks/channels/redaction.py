"""Keep passwords, tokens and webhook secrets out of logs and error messages.

`redact(url)` is the form of a channel URL that may be shown anywhere. `url_secrets(url)` lists the parts that
`redact` hides, so that `scrub()` can remove them from any text, and `scrubbed_logs()` does the same for what
the HTTP libraries log while a channel sends (httpx logs every request URL at INFO; a Telegram URL holds the bot
token, a Slack incoming-webhook URL is itself the secret).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlsplit

MASK = "***"

# Query keys whose values are credentials.
SENSITIVE_KEY = re.compile(r"pass|pwd|secret|token|key|sig|auth|code|session|hash|cred", re.IGNORECASE)
# URL schemes whose netloc and path we understand; anything else is an apprise URL of some plugin.
STANDARD_SCHEMES = frozenset({"http", "https", "smtp", "smtps"})
# Loggers of libraries that log request URLs; records logged on them directly are scrubbed.
NOISY_LOGGERS = ("httpx", "apprise", "urllib3.connectionpool")
_TOKEN_SPLIT = re.compile(r"[/:@?&=#,+;]+")
_HOSTLIKE = re.compile(r"^(localhost|[\d.]+|([a-z0-9-]+\.)+[a-z]{2,})$", re.IGNORECASE)


def _secret_segment(segment: str) -> bool:
    """Path segments that look like tokens: long, or mixing letters and digits (Slack's T.../B... ids)."""
    if len(segment) >= 16:
        return True
    return len(segment) >= 8 and any(c.isdigit() for c in segment) and any(c.isalpha() for c in segment)


def _split_standard(url: str) -> tuple[str, list[str]]:
    parts = urlsplit(url)
    secrets: list[str] = []
    userinfo, at, hostport = parts.netloc.rpartition("@")
    netloc = hostport
    if at:
        user, colon, password = userinfo.partition(":")
        if colon and password:
            secrets.append(password)
            netloc = f"{user}:{MASK}@{hostport}"
        else:
            netloc = f"{user}@{hostport}"
    segments = []
    for segment in parts.path.split("/"):
        if segment and _secret_segment(segment):
            secrets.append(segment)
            segments.append(MASK)
        else:
            segments.append(segment)
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if value and SENSITIVE_KEY.search(key):
            secrets.append(value)
            value = MASK
        query.append(f"{key}={value}")
    shown = f"{parts.scheme}://{netloc}{'/'.join(segments)}"
    if query:
        shown += "?" + "&".join(query)
    return shown, secrets


def _apprise_secrets(url: str, scheme: str) -> list[str]:
    """Every token of an apprise URL that could be a credential: apprise plugins keep tokens in any part."""
    rest = url[len(scheme) + 3 :] if url.lower().startswith(scheme + "://") else url
    secrets = []
    userinfo = rest.split("/", 1)[0].rpartition("@")[0]
    password = userinfo.partition(":")[2]
    if len(password) >= 3:
        secrets.append(password)
    for token in _TOKEN_SPLIT.split(rest):
        if len(token) >= 6 and not _HOSTLIKE.match(token) and token.lower() != scheme:
            secrets.append(token)
    return secrets


def _split_apprise(url: str, scheme: str) -> tuple[str, list[str]]:
    secrets = _apprise_secrets(url, scheme)
    with scrubbed_logs(secrets):
        import apprise

        plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return f"{scheme}://{MASK}", secrets
    shown = str(plugin.url(privacy=True)).split("?", 1)[0]
    return shown, secrets


def split_secrets(url: str) -> tuple[str, list[str]]:
    """The displayable form of a channel URL and the secret parts it hides."""
    shown, secrets = _split_cached(url.strip())
    return shown, list(secrets)


@lru_cache(maxsize=512)
def _split_cached(url: str) -> tuple[str, tuple[str, ...]]:
    shown, secrets = _split(url)
    return shown, tuple(secrets)


def _split(url: str) -> tuple[str, list[str]]:
    try:
        scheme = urlsplit(url).scheme.lower()
        if not scheme or "://" not in url:
            return url, []
        if scheme in STANDARD_SCHEMES:
            return _split_standard(url)
    except ValueError:
        return f"<unreadable URL, {len(url)} characters>", [url]
    return _split_apprise(url, scheme)


def redact(url: str) -> str:
    """A channel URL with passwords, tokens and secret-looking path parts replaced by ***."""
    return split_secrets(url)[0]


def url_secrets(url: str) -> list[str]:
    return split_secrets(url)[1]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret (and its percent-encoded form) in text by ***."""
    variants: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= 3:
            variants.update({secret, quote(secret, safe=""), quote(secret, safe="/:")})
    for variant in sorted(variants, key=len, reverse=True):
        text = text.replace(variant, MASK)
    return text


class _ScrubFilter(logging.Filter):
    """Rewrites a log record's message with the given secrets masked."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = scrub(message, self._secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


@contextmanager
def scrubbed_logs(secrets: Iterable[str]) -> Iterator[None]:
    """While the block runs, mask the secrets in whatever httpx, apprise and urllib3 log."""
    wanted = [s for s in secrets if s]
    if not wanted:
        yield
        return
    scrubber = _ScrubFilter(wanted)
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    for logger in loggers:
        logger.addFilter(scrubber)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(scrubber)
