"""/api/sources (admin role): every source with its health from recorded crawl runs, as `newsmon status`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from newsmon.api.auth import require
from newsmon.models import CrawlRun
from newsmon.storage import Repository
from newsmon.storage.tokens import ApiToken

router = APIRouter(prefix="/api/sources", tags=["sources"])
Admin = Annotated[ApiToken, Depends(require("admin"))]


def verdict(runs: list[CrawlRun], recent_articles: int) -> str:
    """ok, failing (the last runs all failed), never crawled, or idle (crawled, nothing stored lately)."""
    if not runs:
        return "never crawled"
    if all(r.status in {"failed", "timeout"} for r in runs[:3]):
        return "failing"
    if recent_articles == 0 and all(r.stats.get("newsmon/store/new", 0) == 0 for r in runs[:3]):
        return "idle"
    return "ok"


def source_health(repo: Repository, now: datetime) -> list[dict[str, Any]]:
    """One row per source: home, last success and status, articles stored, error rate, a verdict.

    The same figures and verdict as `newsmon status`, read through the app's repository.
    """
    activity = repo.source_activity(now - timedelta(hours=24))
    rows = []
    for source in repo.list_sources():
        runs = repo.recent_runs(source.name, limit=10)
        ok_runs = [r for r in runs if r.status == "ok"]
        seen = activity.get(source.name, {})
        last_success = ok_runs[0].finished_at if ok_runs else None
        rows.append(
            {
                "source": source.name,
                "home": source.home,
                "enabled": source.enabled,
                "languages": list(source.languages),
                "last_success": last_success.isoformat() if last_success else None,
                "last_status": runs[0].status if runs else None,
                "last_reason": runs[0].finish_reason if runs else None,
                "articles_24h": seen.get("recent", 0),
                "articles_total": seen.get("total", 0),
                "error_rate": round(sum(r.status != "ok" for r in runs) / len(runs), 2) if runs else None,
                "verdict": verdict(runs, seen.get("recent", 0)),
            }
        )
    return rows


@router.get("", summary="Every source with its health: last success, recent articles, errors, a verdict")
def list_sources(request: Request, _token: Admin) -> dict[str, Any]:
    return {"sources": source_health(request.app.state.repo, datetime.now(UTC))}
