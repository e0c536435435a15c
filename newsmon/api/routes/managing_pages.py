"""Web pages for watches (editor), alerts and sources (admin): the same service functions as /api."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from newsmon.api.auth import require_page
from newsmon.api.errors import ApiError, validation_field, validation_message
from newsmon.api.forms import first, read_form
from newsmon.api.routes.alerts import retry
from newsmon.api.routes.sources import source_rows
from newsmon.api.schemas import WatchIn
from newsmon.api.watching import checked_watch, live_watch, live_watches, try_query
from newsmon.models import Watch
from newsmon.storage.tokens import ApiToken

router = APIRouter(include_in_schema=False)
Editor = Annotated[ApiToken, Depends(require_page("editor"))]
Admin = Annotated[ApiToken, Depends(require_page("admin"))]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MODES = ("instant", "hourly", "daily", "weekly")
STATUSES = ("pending", "sending", "sent", "dead", "held")
LIST_FIELDS = ("channels", "sources", "languages")
FORM_FIELDS = ("name", "query", "mode", "digest_at", "quiet_hours", *LIST_FIELDS, "texts")


def _form_of(item: Watch | None) -> dict[str, str]:
    if item is None:
        return {key: "instant" if key == "mode" else "" for key in FORM_FIELDS}
    values = {key: getattr(item, key) or "" for key in FORM_FIELDS if key != "texts"}
    values.update({key: ", ".join(getattr(item, key)) for key in LIST_FIELDS}, texts="")
    return values


def _watch_in(form: dict[str, str]) -> WatchIn:
    """The form's fields as a checked WatchIn; a 400 naming the first bad field otherwise."""
    data: dict[str, Any] = {"name": form["name"], "query": form["query"], "mode": form["mode"] or "instant"}
    for key in ("digest_at", "quiet_hours"):
        data[key] = form[key] or None
    for key in LIST_FIELDS:
        data[key] = [part.strip() for part in form[key].split(",") if part.strip()]
    try:
        return WatchIn(**data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = validation_field(error, data)
        raise ApiError(400, validation_message(error, field), field) from None


def _render_form(request: Request, form: dict[str, str], watch_id: int | None, **extra: Any) -> Response:
    channels = [c.name for c in request.app.state.repo.list_channels()]
    context = {"message": None, "field": None, "results": None, **extra}
    status = context.pop("status", 200)
    return request.app.state.pages.render(
        request,
        "watch_form.html",
        http_status=status,
        form=form,
        watch_id=watch_id,
        modes=MODES,
        channel_names=channels,
        **context,
    )


async def _posted(request: Request) -> dict[str, str]:
    fields = await read_form(request)
    return {key: first(fields, key) for key in (*FORM_FIELDS, "watch_id")}


@router.get("/watches")
def watches_page(request: Request, _token: Editor, notice: str = "") -> Response:
    items = live_watches(request.app.state.repo)
    return request.app.state.pages.render(request, "watches.html", watches=items, notice=notice[:200])


@router.get("/watches/new")
def new_watch_page(request: Request, _token: Editor) -> Response:
    return _render_form(request, _form_of(None), None)


@router.get("/watches/{watch_id}")
def edit_watch_page(request: Request, watch_id: RowId, _token: Editor) -> Response:
    item = live_watch(request.app.state.repo, watch_id)
    return _render_form(request, _form_of(item), watch_id)


@router.post("/watches")
async def create_watch_page(request: Request, _token: Editor) -> Response:
    return await _save(request, None)


@router.post("/watches/test")
async def test_watch_page(request: Request, _token: Editor) -> Response:
    form = await _posted(request)
    watch_id = int(form["watch_id"]) if form["watch_id"].isdigit() else None
    texts = [(block.strip(), None) for block in form["texts"].replace("\r\n", "\n").split("\n\n")]
    texts = [pair for pair in texts if pair[0]][:100]
    if not texts:
        return _render_form(request, form, watch_id, message="give at least one text to test", field="texts")
    try:
        results = try_query(form["query"], texts)
    except ApiError as exc:
        return _render_form(request, form, watch_id, message=exc.message, field=exc.field, status=exc.status)
    return _render_form(request, form, watch_id, results=results)


@router.post("/watches/{watch_id}")
async def update_watch_page(request: Request, watch_id: RowId, _token: Editor) -> Response:
    live_watch(request.app.state.repo, watch_id)
    return await _save(request, watch_id)


async def _save(request: Request, watch_id: int | None) -> Response:
    repo = request.app.state.repo
    form = await _posted(request)
    try:
        item = checked_watch(repo, _watch_in(form).to_watch(watch_id or 0))
    except ApiError as exc:
        return _render_form(request, form, watch_id, message=exc.message, field=exc.field, status=exc.status)
    saved = repo.update_watch(item) if watch_id else repo.add_watch(item)
    return RedirectResponse(f"/watches?notice=watch+{saved.id}+saved", status_code=303)


@router.post("/watches/{watch_id}/delete")
def delete_watch_page(request: Request, watch_id: RowId, _token: Editor) -> Response:
    live_watch(request.app.state.repo, watch_id)
    if not request.app.state.repo.delete_watch(watch_id):
        raise ApiError(404, f"no watch {watch_id}", "watch_id")
    return RedirectResponse(f"/watches?notice=watch+{watch_id}+removed", status_code=303)


@router.get("/alerts")
def alerts_page(request: Request, _token: Admin, status: str = "", notice: str = "") -> Response:
    if status and status not in STATUSES:
        raise ApiError(400, f"status must be one of {', '.join(STATUSES)}", "status")
    repo = request.app.state.repo
    channels = {c.id: c.name for c in repo.list_channels()}
    rows = repo.list_alerts(status or None, limit=200)
    return request.app.state.pages.render(
        request,
        "alerts.html",
        alerts=rows,
        channels=channels,
        statuses=STATUSES,
        status=status,
        notice=notice[:200],
    )


@router.post("/alerts/{alert_id}/retry")
def retry_alert_page(request: Request, alert_id: RowId, _token: Admin) -> Response:
    retry(request, alert_id)
    return RedirectResponse(f"/alerts?notice=alert+{alert_id}+queued+again", status_code=303)


@router.get("/sources")
def sources_page(request: Request, _token: Admin) -> Response:
    rows = source_rows(request.app.state.repo, datetime.now(UTC))
    return request.app.state.pages.render(request, "sources.html", rows=rows)
