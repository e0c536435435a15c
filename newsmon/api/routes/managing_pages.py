"""Web pages for watches (editor), alerts and sources (admin): the same service functions as /api."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from newsmon.api.auth import require_page
from newsmon.api.errors import ApiError
from newsmon.api.forms import checkbox, first, read_form
from newsmon.api.routes.alerts import retry
from newsmon.api.routes.sources import source_rows
from newsmon.api.schemas import WatchIn, WatchTestIn, watch_json
from newsmon.api.watching import (
    checked_watch,
    input_error,
    live_watch,
    live_watches,
    try_query,
    watch_languages,
)
from newsmon.models import Watch
from newsmon.search.options import SearchError, SearchFilters, check_sources
from newsmon.storage import Repository
from newsmon.storage.alerts import AlertPage
from newsmon.storage.tokens import ApiToken

router = APIRouter(include_in_schema=False)
Editor = Annotated[ApiToken, Depends(require_page("editor"))]
Admin = Annotated[ApiToken, Depends(require_page("admin"))]
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
MODES = ("instant", "hourly", "daily", "weekly")
STATUSES = ("pending", "sending", "sent", "dead", "held", "digested")
TEXT_FIELDS = ("name", "query", "mode", "digest_at", "quiet_hours")
LIST_FIELDS = ("channels", "sources", "languages")
NEW_WATCH = Watch(id=0, name="", query="")
MAX_TEST_TEXTS = 100  # as many as POST /api/watches/test takes
ALERTS_SHOWN = 200


def _form_of(item: Watch) -> dict[str, str]:
    values = {key: getattr(item, key) or "" for key in TEXT_FIELDS}
    values.update({key: ", ".join(getattr(item, key)) for key in LIST_FIELDS})
    values.update(enabled="yes" if item.enabled else "no", texts="")
    return values


def _merged(fields: dict[str, list[str]], base: Watch) -> dict[str, str]:
    """The posted form over the watch's own values: a field the post does not carry keeps its value."""
    form = _form_of(base)
    form.update({key: first(fields, key) for key in (*TEXT_FIELDS, *LIST_FIELDS, "texts") if key in fields})
    enabled = checkbox(fields, "enabled")
    if enabled is not None:
        form["enabled"] = "yes" if enabled else "no"
    return form


def _items(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _watch_in(form: dict[str, str], base: Watch) -> WatchIn:
    """The form's fields over the watch's others (owner, time zone, regions...: set through the API, not
    shown on the form, so saving the form must not reset them); a 400 naming the first bad field."""
    data: dict[str, Any] = {k: v for k, v in watch_json(base).items() if k in WatchIn.model_fields}
    data.update(name=form["name"], query=form["query"], mode=form["mode"] or "instant")
    data.update(enabled=form["enabled"] == "yes")
    for key in ("digest_at", "quiet_hours"):
        data[key] = form[key] or None
    for key in LIST_FIELDS:
        data[key] = _items(form[key])
    try:
        return WatchIn(**data)
    except ValidationError as exc:
        raise input_error(exc) from None


def _render_form(request: Request, form: dict[str, str], base: Watch, **extra: Any) -> Response:
    channels = [c.name for c in request.app.state.repo.list_channels()]
    context = {"message": None, "field": None, "results": None, "notes": [], "languages": (), **extra}
    status = context.pop("status", 200)
    return request.app.state.pages.render(
        request,
        "watch_form.html",
        http_status=status,
        form=form,
        watch=base,
        watch_id=base.id or None,
        modes=MODES,
        channel_names=channels,
        **context,
    )


def _form_error(request: Request, form: dict[str, str], base: Watch, exc: ApiError) -> Response:
    return _render_form(request, form, base, message=exc.message, field=exc.field, status=exc.status)


def _redirect(path: str, **params: str) -> RedirectResponse:
    query = urlencode({key: value for key, value in params.items() if value})
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


@router.get("/watches")
def watches_page(request: Request, _token: Editor, notice: str = "") -> Response:
    items = live_watches(request.app.state.repo)
    return request.app.state.pages.render(request, "watches.html", watches=items, notice=notice[:200])


@router.get("/watches/new")
def new_watch_page(request: Request, _token: Editor) -> Response:
    return _render_form(request, _form_of(NEW_WATCH), NEW_WATCH)


@router.get("/watches/{watch_id}")
def edit_watch_page(request: Request, watch_id: RowId, _token: Editor) -> Response:
    item = live_watch(request.app.state.repo, watch_id)
    return _render_form(request, _form_of(item), item)


@router.post("/watches")
async def create_watch_page(request: Request, _token: Editor) -> Response:
    fields = await read_form(request)
    return await run_in_threadpool(_save, request, None, fields)


@router.post("/watches/test")
async def test_watch_page(request: Request, _token: Editor) -> Response:
    """Try the form's query (and its languages) on pasted texts; the watch need not be named or saved."""
    fields = await read_form(request)
    return await run_in_threadpool(_test, request, fields)


def _test(request: Request, fields: dict[str, list[str]]) -> Response:
    repo = request.app.state.repo
    sent_id = first(fields, "watch_id")
    known = sent_id.isascii() and sent_id.isdigit() and 1 <= int(sent_id) <= MAX_ROW_ID
    base = live_watch(repo, int(sent_id)) if known else NEW_WATCH
    form = _merged(fields, base)
    blocks = [block.strip() for block in form["texts"].replace("\r\n", "\n").split("\n\n")]
    texts = [block for block in blocks if block]
    if not texts:
        return _render_form(
            request, form, base, message="give at least one text to test", field="texts", status=400
        )
    try:
        checked = WatchTestIn(query=form["query"], texts=texts[:MAX_TEST_TEXTS])
        languages = watch_languages(_items(form["languages"]))
        results = try_query(checked.query, [(item.text, None) for item in checked.texts], languages)
    except ValidationError as exc:
        return _form_error(request, form, base, input_error(exc))
    except ApiError as exc:
        return _form_error(request, form, base, exc)
    notes = _test_notes(repo, form, len(texts))
    return _render_form(request, form, base, results=results, notes=notes, languages=languages)


def _test_notes(repo: Repository, form: dict[str, str], count: int) -> list[str]:
    """What the test did not do, so a result is not read as more than it is."""
    notes: list[str] = []
    if count > MAX_TEST_TEXTS:
        notes.append(f"only the first {MAX_TEST_TEXTS} of {count} texts were tested")
    if form["languages"].strip():
        notes.append("each text counts as written in the language detected from its words")
    sources = tuple(_items(form["sources"]))
    if sources:
        notes.append(
            f"pasted texts have no source, so Only sources ({', '.join(sources)}) is not tested; "
            "the saved watch alerts only on articles from them"
        )
        try:
            check_sources(repo, SearchFilters(sources=sources))
        except SearchError as exc:
            notes.append(exc.message.removeprefix("source: "))
    return notes


@router.post("/watches/{watch_id}")
async def update_watch_page(request: Request, watch_id: RowId, _token: Editor) -> Response:
    fields = await read_form(request)
    return await run_in_threadpool(_save, request, watch_id, fields)


def _save(request: Request, watch_id: int | None, fields: dict[str, list[str]]) -> Response:
    repo = request.app.state.repo
    base = live_watch(repo, watch_id) if watch_id else NEW_WATCH
    form = _merged(fields, base)
    try:
        item = checked_watch(repo, _watch_in(form, base).to_watch(base.id))
    except ApiError as exc:
        return _form_error(request, form, base, exc)
    saved = repo.update_watch(item) if base.id else repo.add_watch(item)
    return _redirect("/watches", notice=f"watch {saved.id} saved")


@router.post("/watches/{watch_id}/delete")
async def delete_watch_page(request: Request, watch_id: RowId, _token: Editor) -> Response:
    """Delete only when the form's "yes, delete" box is ticked: one stray click must not remove a watch."""
    confirmed = first(await read_form(request), "confirm") == "yes"
    return await run_in_threadpool(_delete, request, watch_id, confirmed)


def _delete(request: Request, watch_id: int, confirmed: bool) -> Response:
    repo = request.app.state.repo
    item = live_watch(repo, watch_id)
    if not confirmed:
        message = "tick 'yes, delete this watch' to delete it"
        return _render_form(request, _form_of(item), item, message=message, field="confirm", status=400)
    if not repo.delete_watch(watch_id):
        raise ApiError(404, f"no watch {watch_id}", "watch_id")
    return _redirect("/watches", notice=f"watch {watch_id} removed")


def _alert_position(value: str) -> int | None:
    """`before` as the alerts page takes it: empty for the newest, else an alert id (a 400 naming it)."""
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_ROW_ID:
        raise ApiError(400, f"before must be an alert number from 1 to {MAX_ROW_ID}", "before")
    return int(value)


def _alerts_url(status: str, before: int | None = None) -> str:
    query = urlencode({key: value for key, value in (("status", status), ("before", before)) if value})
    return f"/alerts?{query}" if query else "/alerts"


def _shown_line(repo: Repository, status: str | None, page: AlertPage, before: int | None) -> str:
    """Which alerts of how many the page holds; empty when it holds all of them."""
    if before is None and page.next_before is None:
        return ""
    total = repo.count_alerts(status)
    if before is None:
        narrow = "" if status else "; choose a status to narrow the list"
        return f"showing the newest {len(page.alerts)} of {total} alerts{narrow}"
    if not page.alerts:
        return f"no alerts older than #{before}; {total} in all"
    first = total - repo.count_alerts(status, before=before) + 1
    return f"alerts {first}-{first + len(page.alerts) - 1} of {total}, newest first"


@router.get("/alerts")
def alerts_page(
    request: Request, _token: Admin, status: str = "", notice: str = "", before: str = ""
) -> Response:
    """A page of alerts, newest first; "Older alerts" goes on from the oldest shown (by id, so alerts
    arriving meanwhile neither repeat nor push rows onto the next page)."""
    if status and status not in STATUSES:
        raise ApiError(400, f"status must be one of {', '.join(STATUSES)}", "status")
    position = _alert_position(before)
    repo = request.app.state.repo
    channels = {c.id: c.name for c in repo.list_channels()}
    page = repo.alert_page(status or None, limit=ALERTS_SHOWN, before=position)
    older = _alerts_url(status, page.next_before) if page.next_before else ""
    return request.app.state.pages.render(
        request,
        "alerts.html",
        alerts=page.alerts,
        shown=_shown_line(repo, status or None, page, position),
        older_url=older,
        newest_url=_alerts_url(status) if position else "",
        before=position or "",
        channels=channels,
        statuses=STATUSES,
        status=status,
        notice=notice[:200],
    )


@router.post("/alerts/{alert_id}/retry")
async def retry_alert_page(request: Request, alert_id: RowId, _token: Admin) -> Response:
    """Retry, then back to the list as it was filtered and paged; an alert no longer dead (retried already,
    or the form sent twice) is a notice there, not an error page."""
    fields = await read_form(request)
    return await run_in_threadpool(
        _retried, request, alert_id, first(fields, "status"), first(fields, "before")
    )


def _retried(request: Request, alert_id: int, status: str, before: str) -> Response:
    try:
        retry(request, alert_id)
        notice = f"alert {alert_id} queued again"
    except ApiError as exc:
        if exc.status != 409:
            raise
        notice = f"alert {alert_id} is not dead; nothing to retry"
    try:
        position = str(_alert_position(before) or "")
    except ApiError:
        position = ""  # a page that cannot be: back to the newest
    status = status if status in STATUSES else ""
    return _redirect("/alerts", status=status, before=position, notice=notice)


@router.get("/sources")
def sources_page(request: Request, _token: Admin) -> Response:
    rows = source_rows(request.app.state.repo, datetime.now(UTC))
    return request.app.state.pages.render(request, "sources.html", rows=rows)
