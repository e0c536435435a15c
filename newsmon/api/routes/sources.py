"""/api/sources (admin role): every enabled source with its health, the same assessment as `newsmon status`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from newsmon.api.auth import require
from newsmon.storage import Repository
from newsmon.storage.tokens import ApiToken
from tasks.health import source_health

router = APIRouter(prefix="/api/sources", tags=["sources"])
Admin = Annotated[ApiToken, Depends(require("admin"))]


def source_rows(repo: Repository, now: datetime) -> list[dict[str, Any]]:
    """Per source: verdict and problems (stale, failing, extraction broken), last success, articles in the
    last 24 hours against the usual rate, error rate of recent runs, field fill rates."""
    return [{**health.to_dict(), "home": health.home} for health in source_health(repo, now)]


@router.get("", summary="Every enabled source with its health: verdict, problems, last success, rates")
def list_sources(request: Request, _token: Admin) -> dict[str, Any]:
    return {"sources": source_rows(request.app.state.repo, datetime.now(UTC))}
