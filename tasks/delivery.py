"""Deliver one alert: claim it, send it, record the outcome.

Retries are rows, not countdowns: a failed send stores `next_attempt_at` (exponential backoff with jitter, or
the channel's Retry-After) and the beat sweeper sends it again when due. A worker killed mid-send leaves a
lease that runs out, and the sweeper retries it with the same idempotency key.
"""

from __future__ import annotations

import logging
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from newsmon.config import get_settings
from newsmon.models import Alert
from tasks import context
from tasks.app import app
from tasks.channels import DeliveryError, Message, RateLimiter, send
from tasks.matching import with_current_copies
from tasks.messages import render_alert, render_digest

log = logging.getLogger(__name__)
SHORT_RETRY_SECONDS = 60  # retries due sooner than this are also enqueued right away with a countdown


def backoff_seconds(attempt: int, base: float, cap: float = 3600.0) -> float:
    """Exponential backoff with full jitter in the upper half: base, 2·base, 4·base… up to cap."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return delay / 2 + random.uniform(0, delay / 2)


def deliver_alert(alert_id: int, *, limiter: RateLimiter | None = None) -> str:
    """Send one alert once; returns its status afterwards (sent, pending, dead, or skipped)."""
    repo = context.repository()
    settings = get_settings()
    alert = repo.claim_alert(alert_id, timedelta(seconds=settings.alert_lease_seconds))
    if alert is None:
        return "skipped"
    channel = repo.get_channel(alert.channel_id)
    if channel is None or not channel.enabled:
        repo.mark_alert_failed(
            alert_id, f"channel {alert.channel_id} no longer exists or is disabled", retry_at=None
        )
        return "dead"
    if limiter is not None and channel.rate_limit_per_minute:
        wait = limiter.acquire(channel.id, channel.rate_limit_per_minute)
        if wait > 0:
            retry_at = datetime.now(UTC) + timedelta(seconds=wait)
            repo.mark_alert_failed(alert_id, "rate limited", retry_at=retry_at)
            return "pending"
    alert = as_sent(alert)
    try:
        message = render(alert)
    except ValueError as exc:  # a payload no channel can send: retrying will not mend it
        return _record_failure(alert_id, alert.attempts, channel.name, DeliveryError(str(exc), False))
    try:
        send(channel, message, idempotency_key=alert.idempotency_key)
    except DeliveryError as exc:
        return _record_failure(alert_id, alert.attempts, channel.name, exc)
    except Exception as exc:  # a bug in one channel must not lose the alert
        log.exception("alert %s to channel %r failed unexpectedly", alert_id, channel.name)
        return _record_failure(
            alert_id, alert.attempts, channel.name, DeliveryError(repr(exc), retryable=True)
        )
    repo.mark_alert_sent(alert_id)
    _append_jsonl(alert.payload, alert.idempotency_key)
    log.info("alert %s sent to channel %r", alert_id, channel.name)
    return "sent"


def as_sent(alert: Alert) -> Alert:
    """The alert with its matches naming the other portals that carry their stories now
    (`with_current_copies`): what is sent, and what the alert log records."""
    repo, payload = context.repository(), alert.payload
    if alert.kind == "match":
        return replace(alert, payload=_current(repo, payload))
    if alert.kind == "digest" and isinstance(payload, dict):
        items = [_current(repo, item) for item in payload.get("items") or []]
        return replace(alert, payload={**payload, "items": items})
    return alert


def _current(repo: Any, payload: Any) -> Any:
    return with_current_copies(repo, payload) if isinstance(payload, dict) else payload


def render(alert: Alert) -> Message:
    """The message for an alert row: a match or ops alert, a digest, or a spike."""
    payload = alert.payload
    if alert.kind == "digest":
        items = list(payload.get("items") or [])
        owner_tz = str(payload.get("timezone") or get_settings().timezone)
        return render_digest(str(payload.get("owner")), str(payload.get("period")), items, owner_tz=owner_tz)
    watch = context.repository().get_watch(alert.watch_id) if alert.watch_id else None
    owner_tz = watch.timezone if watch else get_settings().timezone
    if alert.kind == "spike":
        from tasks.spike import render_spike

        return render_spike(payload, owner_tz=owner_tz)
    return render_alert(payload, owner_tz=owner_tz)


def _record_failure(alert_id: int, attempts: int, channel_name: str, exc: DeliveryError) -> str:
    settings = get_settings()
    repo = context.repository()
    if not exc.retryable or attempts >= settings.alert_max_attempts:
        tries = f"{attempts} attempt" if attempts == 1 else f"{attempts} attempts"
        repo.mark_alert_failed(alert_id, f"{exc.reason} (after {tries})", retry_at=None)
        log.warning("alert %s to channel %r is dead: %s", alert_id, channel_name, exc.reason)
        return "dead"
    delay = (
        exc.retry_after
        if exc.retry_after is not None
        else backoff_seconds(attempts, settings.alert_backoff_seconds)
    )
    retry_at = datetime.now(UTC) + timedelta(seconds=delay)
    repo.mark_alert_failed(alert_id, exc.reason, retry_at=retry_at)
    log.info("alert %s to channel %r failed (%s); retry in %.0fs", alert_id, channel_name, exc.reason, delay)
    if delay <= SHORT_RETRY_SECONDS:
        deliver_alert_task.apply_async((alert_id,), countdown=delay, queue="alerts")
    return "pending"


def _append_jsonl(payload: dict, key: str) -> None:
    """The optional alert log (NEWSMON_ALERT_JSONL_PATH), used by the demo and for audits."""
    path = get_settings().alert_jsonl_path
    if path is None:
        return
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"idempotency_key": key, **payload}, ensure_ascii=False) + "\n")


@app.task(name="newsmon.deliver_alert", acks_late=True)
def deliver_alert_task(alert_id: int) -> str:
    return deliver_alert(alert_id)
