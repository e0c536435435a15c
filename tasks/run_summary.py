"""A tidy summary of one crawl run, derived from the Scrapy stats the spiders and pipelines count.

Stats keys are many and namespaced (`newsmon/store/new`, `newsmon/fetch/http_404`, `newsmon/fill/date`...);
the summary is what `newsmon status`, health checks and metrics read: pages, new articles, duplicates,
versions, errors by kind, bytes, fill rate per field, articles found per discovery path, and what each
path missed that another listed (crawlers.middlewares.coverage); and what explains fewer new articles than
pages: articles dropped as older than the since-window, pages that are no articles, the home page's failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FILL_FIELDS = ("title", "text", "date", "author")
# A feed or sitemap that could not be read, or only in part (a truncated one gives the entries before the cut).
PARSE_ERRORS = (
    "newsmon/feed/invalid",
    "newsmon/feed/malformed",
    "newsmon/sitemap/invalid",
    "newsmon/sitemap/truncated",
)
EXTRACTION_ERRORS = ("newsmon/extract/failed", "newsmon/extract/empty_text")
DISCOVERY_COUNTERS = {"duplicate", "over_limit", "feeds_found", "sitemaps_found", "probe_miss"}
DUPLICATE_REASONS = ("exact_copy", "near_duplicate", "translation", "known_url")
NOT_FETCH_ERRORS = {"parse", "extraction", "store", "spider"}
# How failed requests read in a run's reason, one and many ("3 requests, all timed out"); others by their kind.
FAILURE_WORDS = {"dns_error": ("DNS error", "DNS errors"), "timeout": ("timed out", "timed out")}


def _count(stats: Mapping[str, Any], key: str) -> int:
    value = stats.get(key, 0)
    return int(value) if isinstance(value, int | float) else 0


def _with_prefix(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {key[len(prefix) :]: _count(stats, key) for key in stats if key.startswith(prefix)}


def error_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """Errors by kind: http_<status>, timeout, dns_error... (fetching), parse, extraction, store, spider."""
    errors = _with_prefix(stats, "newsmon/fetch/")
    errors.pop("not_html", None)  # a skipped non-page is not a failure
    extra = {
        "parse": sum(_count(stats, k) for k in PARSE_ERRORS),
        "extraction": sum(_count(stats, k) for k in EXTRACTION_ERRORS),
        "store": _count(stats, "newsmon/store/error") + _count(stats, "newsmon/dedupe/error"),
        "spider": sum(_with_prefix(stats, "spider_exceptions/").values()),
    }
    errors.update({kind: n for kind, n in extra.items() if n})
    return {kind: n for kind, n in sorted(errors.items()) if n}


def home_error(stats: Mapping[str, Any]) -> str | None:
    """How the home page failed (`http_404`, `timeout`...), None when it answered or was not asked for."""
    return next((kind for kind, n in _with_prefix(stats, "newsmon/home/").items() if n), None)


def failure_text(kind: str) -> str:
    """A failure kind in words: `http_404` is `HTTP 404`, `dns_error` `DNS error`, `timeout` `timed out`."""
    if kind.startswith("http_"):
        return f"HTTP {kind.removeprefix('http_')}"
    return FAILURE_WORDS.get(kind, (kind.replace("_", " "),))[0]


def fill_rates(stats: Mapping[str, Any]) -> dict[str, float]:
    """Share of extracted articles with each field; empty when the run extracted nothing."""
    items = _count(stats, "newsmon/fill/items")
    if not items:
        return {}
    return {name: round(_count(stats, f"newsmon/fill/{name}") / items, 3) for name in FILL_FIELDS}


def summarise(stats: Mapping[str, Any]) -> dict[str, Any]:
    """The run's figures, from its final Scrapy stats ({} when the crawl died before writing them)."""
    pages = _count(stats, "downloader/response_count")
    errors = error_counts(stats)
    fetch_errors = sum(n for kind, n in errors.items() if kind not in NOT_FETCH_ERRORS)
    # HTTP error responses are among the pages; timeouts and refused connections are not.
    attempts = pages + fetch_errors - sum(n for kind, n in errors.items() if kind.startswith("http_"))
    discovery = {
        path: n
        for path, n in _with_prefix(stats, "newsmon/discovery/").items()
        if path not in DISCOVERY_COUNTERS
    }
    return {
        "pages": pages,
        "bytes": _count(stats, "downloader/response_bytes"),
        "new": _count(stats, "newsmon/store/new"),
        "copies": _count(stats, "newsmon/store/copy"),
        "versions": _count(stats, "newsmon/store/version"),
        "duplicates": sum(_count(stats, f"newsmon/dedupe/{reason}") for reason in DUPLICATE_REASONS),
        "already_seen": _count(stats, "newsmon/seen/skipped"),
        "extracted": _count(stats, "newsmon/fill/items"),
        "too_old": _count(stats, "newsmon/extract/too_old"),
        "not_articles": sum(_with_prefix(stats, "newsmon/extract/not_article/").values()),
        "home_error": home_error(stats),
        "errors": errors,
        "error_rate": round(fetch_errors / attempts, 3) if attempts else 0.0,
        "fill": fill_rates(stats),
        "discovery": discovery,
        "coverage": coverage if isinstance(coverage := stats.get("newsmon/coverage"), dict) else {},
    }


def unreachable(stats: Mapping[str, Any]) -> str | None:
    """Why a crawl that ended normally reached nothing: no response at all, every request failed (refused,
    DNS, timeouts). Such a crawl is a failure, not a quiet success; None when the portal answered at all."""
    if _count(stats, "downloader/response_count"):
        return None
    kinds = [k for k in error_counts(stats) if k not in NOT_FETCH_ERRORS and not k.startswith("http_")]
    # Scrapy counts every attempt; the attempts it retried are not failed requests of their own.
    failed = _count(stats, "downloader/exception_count") - _count(stats, "retry/count")
    failed = max(failed, sum(_count(stats, f"newsmon/fetch/{kind}") for kind in kinds))
    if failed <= 0:
        return None
    words = [FAILURE_WORDS.get(kind, (kind.replace("_", " "),) * 2) for kind in kinds]
    if failed == 1:
        return "portal unreachable: 1 request" + (f", {words[0][0]}" if len(words) == 1 else " failed")
    if len(words) == 1:
        return f"portal unreachable: {failed} requests, all {words[0][1]}"
    listed = f" ({', '.join(one for one, _ in words)})" if words else ""
    return f"portal unreachable: {failed} requests failed{listed}"
