"""Match new articles against every active watch in one pass, and write matches and alerts (the outbox).

One match per (watch, story): a copy of a story on another portal does not alert again; it shows up as
"also on" in the alert. Alerts go out after the transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from newsmon.models import Channel, StoredArticle, Watch
from newsmon.query import MatchResult, highlight_snippet
from newsmon.storage import NewAlert, Repository, WatchHit
from tasks import context
from tasks.app import app

log = logging.getLogger(__name__)


def passes_filters(watch: Watch, article: StoredArticle, source_regions: dict[str, str]) -> bool:
    if watch.sources and article.source not in watch.sources:
        return False
    if watch.languages and article.language not in watch.languages:
        return False
    return not (watch.regions and source_regions.get(article.source or "") not in watch.regions)


def mention_count(result: MatchResult) -> int:
    """How many times an article mentions a watch: matched places in its text plus in its title."""
    return len(set(result.spans)) + len(set(result.title_spans))


def in_quiet_hours(watch: Watch, now: datetime) -> datetime | None:
    """When quiet hours ("22:00-07:00", owner's time zone) hold an alert, the time they end (UTC)."""
    if not watch.quiet_hours:
        return None
    start_s, end_s = watch.quiet_hours.split("-")
    tz = ZoneInfo(watch.timezone)
    local = now.astimezone(tz)
    start, end = time.fromisoformat(start_s), time.fromisoformat(end_s)
    t = local.time()
    quiet = (start <= t < end) if start < end else (t >= start or t < end)
    if not quiet:
        return None
    end_day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tz).astimezone(UTC)


def also_on(repo: Repository, article: StoredArticle) -> list[dict[str, Any]]:
    """The other copies of the article's story, read once per article for every watch that alerts on it."""
    copies = repo.story_articles(article.story_id or 0)
    return [{"source": c.source, "url": c.url, "title": c.title} for c in copies if c.id != article.id]


def with_current_copies(repo: Repository, payload: dict[str, Any]) -> dict[str, Any]:
    """An alert payload naming the portals that carry its story when it is sent, not when it matched: a
    held (quiet hours), digested or retried alert goes out later, and its story may have gained copies (or
    been merged into another). A payload without an article that is still stored is left as it was."""
    article_id = payload.get("article_id")
    article = repo.get_article(article_id) if isinstance(article_id, int) else None
    if article is None:
        return payload
    return {**payload, "also_on": also_on(repo, article)}


def alert_payload(
    watch: Watch, article: StoredArticle, copies: list[dict[str, Any]], spans: Sequence[tuple[int, int]]
) -> dict[str, Any]:
    """What an alert says (schema in tasks/messages.py); matched words marked [[like this]] in the snippet."""
    return {
        "watch_id": watch.id,
        "watch_name": watch.name,
        "story_id": article.story_id,
        "article_id": article.id,
        "title": article.title,
        "url": article.url,
        "source": article.source,
        "language": article.language,
        "published": article.published.isoformat() if article.published else None,
        "snippet": highlight_snippet(article.text, spans, mark=("[[", "]]")) if spans else article.text[:240],
        "also_on": copies,
    }


def _alerts_for(
    watch: Watch, payload: dict[str, Any], channels: dict[str, Channel], now: datetime
) -> list[NewAlert]:
    held_until = in_quiet_hours(watch, now)
    status = "held" if watch.mode != "instant" else "pending"
    out = []
    for name in watch.channels:
        channel = channels.get(name)
        if channel is None or not channel.enabled:
            log.warning("watch %r names channel %r, which does not exist or is disabled", watch.name, name)
            continue
        key = f"match:{watch.id}:{payload['story_id']}:{channel.id}"
        out.append(NewAlert(channel.id, key, payload, status=status, next_attempt_at=held_until or now))
    return out


def match_article(
    repo: Repository,
    article: StoredArticle,
    watches: dict[int, Watch],
    channels: dict[str, Channel],
    regions: dict[str, str],
    now: datetime | None = None,
) -> list[int]:
    """Run the compiled matcher on one article; returns the ids of alerts created.

    A watch with `min_mentions` counts only when the article names it that often; below that it is not a
    match at all, so a fuller copy of the story on another portal can still alert.
    """
    hits_by_watch = context.matcher().match(
        article.text, lang=article.language, title=article.title, source=article.source
    )
    now = now or datetime.now(UTC)
    already = repo.story_matched_by(article.story_id or 0) if hits_by_watch else set()
    hits = []
    copies: list[dict[str, Any]] | None = None
    for watch_id, result in hits_by_watch.items():
        watch = watches.get(watch_id)
        if watch is None or not passes_filters(watch, article, regions):
            continue
        if watch.min_mentions > 1 and mention_count(result) < watch.min_mentions:
            continue
        alerts: list[NewAlert] = []
        if watch_id not in already:
            copies = also_on(repo, article) if copies is None else copies
            alerts = _alerts_for(watch, alert_payload(watch, article, copies, result.spans), channels, now)
        hits.append(WatchHit(watch_id, tuple(result.terms), tuple(alerts)))
    return repo.record_matching(article.id, hits)


def match_articles(
    article_ids: Sequence[int], *, enqueue: bool = True, now: datetime | None = None
) -> list[int]:
    """Match a batch of stored articles; safe to run twice (matched articles are skipped)."""
    repo = context.repository()
    watches = {w.id: w for w in repo.list_watches(enabled_only=True)}
    channels = {c.name: c for c in repo.list_channels()}
    regions = {source.name: source.region or "" for source in repo.list_sources()}
    created: list[int] = []
    for article in repo.get_articles(list(article_ids)):
        if article.matched:
            continue
        try:
            created.extend(match_article(repo, article, watches, channels, regions, now))
        except Exception:
            log.exception(
                "matching failed for article %s (%s); the sweeper will retry", article.id, article.url
            )
    if enqueue:
        from tasks.delivery import deliver_alert_task

        for alert_id in created:
            deliver_alert_task.apply_async((alert_id,), queue="alerts")
    return created


@app.task(name="newsmon.match_articles", acks_late=True, max_retries=3)
def match_articles_task(article_ids: list[int]) -> int:
    return len(match_articles(article_ids))
