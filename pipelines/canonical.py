"""Canonical URLs: one spelling per article, so the same page reached two ways is stored once."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote_to_bytes, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that only say where a click came from; dropped by name or by prefix.
TRACKING_PREFIXES = ("utm_", "mc_", "_openstat", "ga_", "hsa_", "pk_", "ref_")
TRACKING_EXACT = frozenset(
    {
        "fbclid", "gclid", "yclid", "ysclid", "dclid", "msclkid", "igshid", "_ga", "_gl", "spm",
        "amp", "from", "ref", "share", "source", "rss", "utm", "cmpid", "wt.mc_id",
    }
)  # fmt: skip
MOBILE_PREFIXES = ("www.", "m.", "mobile.", "amp.")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Runs of percent-escapes; those that spell non-ASCII UTF-8 are shown as letters (one spelling for
# «/новости/» typed and copied), reserved ASCII escapes such as %2F keep their meaning.
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _host(netloc: str, scheme: str) -> str:
    host, _, port = netloc.lower().rpartition("@")[2].partition(":")
    host = host.rstrip(".")
    for prefix in MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    if port and port.isdigit() and int(port) != DEFAULT_PORTS.get(scheme):
        return f"{host}:{port}"
    return host


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_EXACT or key.startswith(TRACKING_PREFIXES)


def _decode_escapes(match: re.Match[str]) -> str:
    raw = unquote_to_bytes(match.group())
    if all(byte < 0x80 for byte in raw):
        return match.group().upper()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return match.group().upper()


def canonical_url(url: str) -> str:
    """Fold tracking parameters, fragments, www./m. hosts, default ports, trailing slashes and the scheme.

    http and https spellings of one page become one key; the stored `url` keeps what was fetched.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = _host(parts.netloc, scheme)
    path = _ESCAPES.sub(_decode_escapes, parts.path or "/")
    while "//" in path:
        path = path.replace("//", "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query.sort()
    return urlunsplit(("https", host, path, urlencode(query), ""))


def same_site(url: str, other: str) -> bool:
    """Both URLs on one host, once www./m. prefixes and default ports are set aside."""
    a, b = urlsplit(url), urlsplit(other)
    host = _host(a.netloc, a.scheme or "http")
    return bool(host) and host == _host(b.netloc, b.scheme or "http")


def choose_canonical(fetched_url: str, declared: str | None) -> str:
    """The page's rel=canonical wins when it points into the same site; otherwise the fetched URL.

    A relative rel=canonical is read against the fetched URL; one that points to another site (a
    republisher naming the original) is ignored, or the copy would overwrite the original.
    """
    if declared and declared.strip():
        absolute = urljoin(fetched_url, declared.strip())
        if urlsplit(absolute).scheme in ("http", "https") and same_site(absolute, fetched_url):
            return canonical_url(absolute)
    return canonical_url(fetched_url)
