"""Canonical URLs: one spelling per article, so the same page reached two ways is stored once."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "yclid", "gclid", "fbclid", "_openstat", "mc_", "from", "ref", "share")
TRACKING_EXACT = frozenset({"fbclid", "gclid", "yclid", "igshid", "amp", "ysclid", "_ga", "spm"})
MOBILE_PREFIXES = ("www.", "m.", "mobile.")
DEFAULT_PORTS = {"http": 80, "https": 443}


def _host(netloc: str, scheme: str) -> str:
    host, _, port = netloc.lower().rpartition("@")[2].partition(":")
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


def canonical_url(url: str) -> str:
    """Fold tracking parameters, fragments, www./m. hosts, default ports, trailing slashes and the scheme.

    http and https spellings of one page become one key; the stored `url` keeps what was fetched.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = _host(parts.netloc, scheme)
    path = parts.path or "/"
    while "//" in path:
        path = path.replace("//", "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query.sort()
    return urlunsplit(("https", host, path, urlencode(query), ""))


def choose_canonical(fetched_url: str, declared: str | None) -> str:
    """The page's rel=canonical wins when it points into the same site; otherwise the fetched URL."""
    if declared:
        declared_host = _host(urlsplit(declared).netloc, urlsplit(declared).scheme or "http")
        fetched_host = _host(urlsplit(fetched_url).netloc, urlsplit(fetched_url).scheme or "http")
        if declared_host and declared_host == fetched_host:
            return canonical_url(declared)
    return canonical_url(fetched_url)
