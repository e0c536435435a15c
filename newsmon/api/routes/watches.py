"""/api/watches: standing queries (editor role): list, create, read, replace, delete, and try a query."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from newsmon.api.auth import require
from newsmon.api.errors import ApiError
from newsmon.api.schemas import WatchIn, WatchTestIn, watch_json
from newsmon.api.watching import checked_watch, live_watch, live_watches, try_query
from newsmon.storage import Repository
from newsmon.storage.tokens import ApiToken

router = APIRouter(prefix="/api/watches", tags=["watches"])
Editor = Annotated[ApiToken, Depends(require("editor"))]
WatchId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _repo(request: Request) -> Repository:
    return request.app.state.repo


@router.get("", summary="Every watch but deleted ones (disabled ones included)")
def list_watches(request: Request, _token: Editor) -> dict[str, Any]:
    return {"watches": [watch_json(w) for w in live_watches(_repo(request))]}


@router.post("", status_code=201, summary="Save a new watch; its query must compile")
def create_watch(request: Request, body: WatchIn, _token: Editor) -> dict[str, Any]:
    repo = _repo(request)
    saved = repo.add_watch(checked_watch(repo, body.to_watch()))
    return watch_json(saved)


@router.post("/test", summary="Try a query on texts: which match, with a highlighted snippet of each")
def test_watch(body: WatchTestIn, _token: Editor) -> dict[str, Any]:
    results = try_query(body.query, [(t.text, t.lang) for t in body.texts])
    return {
        "query": body.query,
        "matched": sum(r.matched for r in results),
        "results": [r.to_json() for r in results],
    }


@router.get("/{watch_id}", summary="One watch (404 once deleted)")
def get_watch(request: Request, watch_id: WatchId, _token: Editor) -> dict[str, Any]:
    return watch_json(live_watch(_repo(request), watch_id))


@router.put("/{watch_id}", summary="Replace a watch's fields (404 once deleted)")
def replace_watch(request: Request, watch_id: WatchId, body: WatchIn, _token: Editor) -> dict[str, Any]:
    repo = _repo(request)
    live_watch(repo, watch_id)
    return watch_json(repo.update_watch(checked_watch(repo, body.to_watch(watch_id))))


@router.delete(
    "/{watch_id}",
    status_code=204,
    summary="Remove a watch (its past matches and alerts stay; 404 once deleted)",
)
def delete_watch(request: Request, watch_id: WatchId, _token: Editor) -> Response:
    repo = _repo(request)
    live_watch(repo, watch_id)
    if not repo.delete_watch(watch_id):
        raise ApiError(404, f"no watch {watch_id}", "watch_id")
    return Response(status_code=204)
