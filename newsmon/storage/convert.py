"""Rows to plain models. The repository returns these; ORM rows never leave storage."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from newsmon.models import Alert, Channel, CrawlRun, ListedAlert, Source, StoredArticle, Watch
from newsmon.storage.tables import AlertRow, ArticleRow, ChannelRow, CrawlRunRow, SourceRow, WatchRow


def article(row: ArticleRow) -> StoredArticle:
    return StoredArticle(
        id=row.id,
        url=row.url,
        canonical_url=row.canonical_url,
        source=row.source,
        title=row.title,
        text=row.text,
        published=row.published_at,
        language=row.language,
        story_id=row.story_id,
        content_hash=row.content_hash,
        version=row.version,
        description=row.description,
        authors=tuple(row.authors or ()),
        updated=row.updated_at,
        image=row.image,
        tags=tuple(row.tags or ()),
        section=row.section,
        fetched_at=row.fetched_at,
        stored_at=row.stored_at,
        warnings=tuple(row.warnings or ()),
        discovered_by=row.discovered_by,
        matched=row.matched_at is not None,
    )


def watch(row: WatchRow) -> Watch:
    return Watch(
        id=row.id,
        name=row.name,
        query=row.query,
        owner=row.owner,
        channels=tuple(row.channels or ()),
        mode=row.mode,
        digest_at=row.digest_at,
        timezone=row.timezone,
        quiet_hours=row.quiet_hours,
        sources=tuple(row.sources or ()),
        regions=tuple(row.regions or ()),
        languages=tuple(row.languages or ()),
        min_mentions=row.min_mentions,
        spike_factor=row.spike_factor,
        enabled=row.enabled,
    )


def watch_values(item: Watch) -> dict[str, Any]:
    return {
        "name": item.name,
        "query": item.query,
        "owner": item.owner,
        "channels": list(item.channels),
        "mode": item.mode,
        "digest_at": item.digest_at,
        "timezone": item.timezone,
        "quiet_hours": item.quiet_hours,
        "sources": list(item.sources),
        "regions": list(item.regions),
        "languages": list(item.languages),
        "min_mentions": item.min_mentions,
        "spike_factor": item.spike_factor,
        "enabled": item.enabled,
    }


def channel(row: ChannelRow) -> Channel:
    return Channel(
        id=row.id,
        name=row.name,
        kind=row.kind,
        target=row.target,
        secret=row.secret,
        rate_limit_per_minute=row.rate_limit_per_minute,
        enabled=row.enabled,
        options=dict(row.options or {}),
    )


def alert(row: AlertRow) -> Alert:
    return Alert(**_alert_values(row))


def _alert_values(row: AlertRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "watch_id": row.watch_id,
        "channel_id": row.channel_id,
        "story_id": row.story_id,
        "article_id": row.article_id,
        "kind": row.kind,
        "status": row.status,
        "idempotency_key": row.idempotency_key,
        "payload": dict(row.payload or {}),
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "last_error": row.last_error,
        "created_at": row.created_at,
        "sent_at": row.sent_at,
    }


def listed_alert(
    row: AlertRow, watch: str | None, source: str | None, url: str | None, title: str | None
) -> ListedAlert:
    """The alert with its watch's name and its article's source, URL and title (None: no such row).

    What the rows lack comes from the payload, which names them for ops and spike alerts too, so every list
    (CLI, API, page) shows the same values; a digest is titled by its period, owner and size.
    """
    values = _alert_values(row)
    payload = values["payload"]
    title = title or _named(payload, "title") or _named(payload, "subject")
    return ListedAlert(
        **values,
        watch=watch or _named(payload, "watch_name"),
        source=source or _named(payload, "source"),
        url=url or _named(payload, "url"),
        title=title or _digest_title(row.kind, payload),
    )


def _named(payload: dict[str, Any], key: str) -> str | None:
    """A payload's text value, None when it is missing, empty or not text (payloads are free-form JSON)."""
    value = payload.get(key)
    return (value.strip() or None) if isinstance(value, str) else None


def _digest_title(kind: str, payload: dict[str, Any]) -> str | None:
    if kind != "digest":
        return None
    count = len(payload.get("items") or [])
    return f"{payload.get('period')} digest for {payload.get('owner')}: {count} alerts"


def crawl_run(row: CrawlRunRow) -> CrawlRun:
    return CrawlRun(
        id=row.id,
        source=row.source,
        started_at=row.started_at,
        finished_at=row.finished_at,
        finish_reason=row.finish_reason,
        status=row.status,
        stats=dict(row.stats or {}),
    )


def source_values(item: Source) -> dict[str, Any]:
    values = dataclasses.asdict(item)
    values["founded"] = item.founded.isoformat() if item.founded else None
    values["selectors"] = [list(pair) for pair in item.selectors]
    return values


def source(row: SourceRow) -> Source:
    values = dict(row.definition or {})
    known = {f.name for f in dataclasses.fields(Source)}
    values = {k: v for k, v in values.items() if k in known}
    for key in ("languages", "feeds", "sitemaps", "listings", "article_patterns", "exclude_patterns"):
        values[key] = tuple(values.get(key) or ())
    values["selectors"] = tuple(tuple(pair) for pair in values.get("selectors") or ())
    values["founded"] = date.fromisoformat(values["founded"]) if values.get("founded") else None
    values.update(name=row.name, home=row.home, enabled=row.enabled)
    return Source(**values)
