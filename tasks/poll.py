"""The cheap poll: before a scheduled crawl, ask the source's discovery pages whether they changed.

Starting a `scrapy crawl` process costs seconds of CPU; most polls of a feed find nothing new. When the last
full crawl read every discovery page (feeds, sitemaps, listing and home pages) with validators and saved them,
and every one of those pages now answers 304 Not Modified, nothing was published there since: the crawl is
skipped and recorded as an `ok` run with the reason "not modified". Anything else (a 200, an error, a page
without validators, a last crawl that failed to store something, a rendered source) means a full crawl, and
one runs at least every `full_crawl_every` seconds whatever the pages say.

Only the source's own validators are sent, and only those saved by a crawl whose since-window reached at least
as far back as the coming crawl's (`newsmon.validators.covers`): otherwise a 304 could hide feed items that
the crawl which saved them left out as too old. A page without such validators means a full crawl.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from newsmon.config import Settings
from newsmon.models import CrawlRun, Source
from newsmon.timespec import parse_window
from newsmon.validators import STATE_FILE, ValidatorStore

log = logging.getLogger(__name__)
PAGES = "newsmon/conditional/pages"
LAST_FULL = "newsmon/poll/last_full_crawl"  # carried from run to run: when the last full crawl started
NOT_MODIFIED = "not modified"


def poll_unchanged(
    source: Source, last: CrawlRun | None, settings: Settings, since: str | None = None
) -> dict[str, Any] | None:
    """The stats of a skipped crawl when every discovery page of the last crawl answers 304; else None.

    `since` is the since-window the crawl would be asked for (None: the source's or the default one)."""
    pages, last_full = _evidence(source, last, settings)
    if not pages or last_full is None:
        return None
    try:
        window_start = crawl_window_start(source, since, settings)
    except ValueError:  # the crawl will say what is wrong with it
        return None
    store = ValidatorStore(settings.data_dir / STATE_FILE)
    validators = store.load(source.name, pages, window_start=window_start)
    if set(validators) != set(pages):
        return None
    headers = {"User-Agent": settings.effective_user_agent}
    try:
        with httpx.Client(
            headers=headers, timeout=settings.download_timeout, follow_redirects=False
        ) as client:
            for url in pages:
                etag, modified = validators[url]
                asked = {"If-None-Match": etag} if etag else {}
                if modified:
                    asked["If-Modified-Since"] = modified
                if client.get(url, headers=asked).status_code != 304:
                    return None
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:  # a bad page URL too: crawl in full
        log.info(
            "poll of %s failed (%s); crawling it in full", source.name, exc, extra={"source": source.name}
        )
        return None
    return {
        PAGES: pages,
        LAST_FULL: last_full.isoformat(),
        "newsmon/poll/not_modified": len(pages),
        "finish_reason": NOT_MODIFIED,
    }


def crawl_window_start(source: Source, since: str | None, settings: Settings) -> datetime | None:
    """Where the since-window of the source's crawl would start now (None: no bound), as the spider reads it:
    `since`, else the source's `since_days`, else NEWSMON_SINCE_DAYS. ValueError if it cannot be read."""
    if not since:
        since = str(source.since_days if source.since_days is not None else settings.since_days)
    span = parse_window(since)
    try:
        return datetime.now(UTC) - span if span else None
    except OverflowError:
        raise ValueError(f"since-window {since!r} reaches back too far") from None


def _evidence(source: Source, last: CrawlRun | None, settings: Settings) -> tuple[list[str], datetime | None]:
    """The discovery pages to ask, and when the last full crawl ran; ([], None) when a crawl is due anyway."""
    if source.render or settings.full_crawl_every == 0 or last is None or last.status != "ok":
        return [], None
    stats = last.stats
    if stats.get("newsmon/conditional/failed_items") or stats.get("newsmon/conditional/unvalidated"):
        return [], None  # validators not saved, or a page that cannot say it is unchanged
    try:
        last_full = datetime.fromisoformat(str(stats[LAST_FULL]))
    except (KeyError, ValueError):
        return [], None
    if datetime.now(UTC) - last_full >= timedelta(seconds=settings.full_crawl_every):
        return [], None
    pages = stats.get(PAGES)
    if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
        return [], None
    return pages, last_full
