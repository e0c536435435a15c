"""/api/alerts (admin role): what was sent, what waits, what died; put a dead alert back in the queue."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from newsmon.api.auth import require
from newsmon.api.errors import ApiError
from newsmon.api.schemas import alert_json
from newsmon.storage.tokens import ApiToken

router = APIRouter(prefix="/api/alerts", tags=["alerts"])
Admin = Annotated[ApiToken, Depends(require("admin"))]
Status = Literal["pending", "sending", "sent", "dead", "held", "digested"]
MAX_ALERT_ID = 2**31 - 1
AlertId = Annotated[int, Path(ge=1, le=MAX_ALERT_ID)]


@router.get("", summary="Alerts, newest first, optionally of one status; a page at a time")
def list_alerts(
    request: Request,
    _token: Admin,
    status: Annotated[
        Status | None,
        Query(
            description="pending, sending, sent, dead, held (waiting for a digest) or digested (sent inside one)"
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[
        int | None,
        Query(
            ge=1, le=MAX_ALERT_ID, description="only alerts older than this id: the `next` of the last page"
        ),
    ] = None,
) -> dict[str, Any]:
    """Each alert has its stored fields and payload, and what an analyst reads it by: `watch` (the watch's
    name), `source`, `title` and `url` of the article it is about (for ops, spike and digest alerts, what
    the payload names; null where nothing does). `next` is the `before` of the next page, null on the last."""
    page = request.app.state.repo.alert_page(status, limit=limit, before=before)
    return {"alerts": [alert_json(a) for a in page.alerts], "next": page.next_before}


@router.get("/{alert_id}", summary="One alert with its payload, last error, watch, source, title and URL")
def get_alert(request: Request, alert_id: AlertId, _token: Admin) -> dict[str, Any]:
    alert = request.app.state.repo.get_alert(alert_id)
    if alert is None:
        raise ApiError(404, f"no alert {alert_id}", "alert_id")
    return alert_json(alert)


@router.post("/{alert_id}/retry", summary="Send a dead alert again (same idempotency key, fresh attempts)")
def retry_alert(request: Request, alert_id: AlertId, _token: Admin) -> dict[str, Any]:
    return alert_json(retry(request, alert_id))


def retry(request: Request, alert_id: int) -> Any:
    """Make a dead alert pending again; the outbox sweeper hands it to delivery within seconds."""
    repo = request.app.state.repo
    alert = repo.get_alert(alert_id)
    if alert is None:
        raise ApiError(404, f"no alert {alert_id}", "alert_id")
    if not repo.retry_alert(alert_id):
        raise ApiError(
            409, f"alert {alert_id} is {alert.status}, not dead; only dead alerts are retried", "alert_id"
        )
    return repo.get_alert(alert_id)
