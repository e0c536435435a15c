"""/api/watches: standing queries (editor role): list, create, read, replace, delete, and try a query."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from newsmon.api.auth import require
from newsmon.api.errors import ApiError
from newsmon.api.schemas import TextIn, WatchIn, WatchTestIn, watch_json
from newsmon.api.watching import checked_watch, try_query
from newsmon.storage import Repository
from newsmon.storage.tokens import ApiToken

router = APIRouter(prefix="/api/watches", tags=["watches"])
Editor = Annotated[ApiToken, Depends(require("editor"))]
WatchId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _repo(request: Request) -> Repository:
    return request.app.state.repo


@router.get("", summary="Every watch (deleted ones show as disabled)")
def list_watches(request: Request, _token: Editor) -> dict[str, Any]:
    return {"watches": [watch_json(w) for w in _repo(request).list_watches()]}


@router.post("", status_code=201, summary="Save a new watch; its query must compile")
def create_watch(request: Request, body: WatchIn, _token: Editor) -> dict[str, Any]:
    repo = _repo(request)
    saved = repo.add_watch(checked_watch(repo, body.to_watch()))
    return watch_json(saved)


@router.post("/test", summary="Try a query on texts: which match, with a highlighted snippet of each")
def test_watch(body: WatchTestIn, _token: Editor) -> dict[str, Any]:
    texts = [(t.text, t.lang) if isinstance(t, TextIn) else (t, None) for t in body.texts]
    results = try_query(body.query, texts)
    return {
        "query": body.query,
        "matched": sum(r.matched for r in results),
        "results": [r.to_json() for r in results],
    }


@router.get("/{watch_id}", summary="One watch")
def get_watch(request: Request, watch_id: WatchId, _token: Editor) -> dict[str, Any]:
    item = _repo(request).get_watch(watch_id)
    if item is None:
        raise ApiError(404, f"no watch {watch_id}", "watch_id")
    return watch_json(item)


@router.put("/{watch_id}", summary="Replace a watch's fields")
def replace_watch(request: Request, watch_id: WatchId, body: WatchIn, _token: Editor) -> dict[str, Any]:
    repo = _repo(request)
    if repo.get_watch(watch_id) is None:
        raise ApiError(404, f"no watch {watch_id}", "watch_id")
    return watch_json(repo.update_watch(checked_watch(repo, body.to_watch(watch_id))))


@router.delete("/{watch_id}", status_code=204, summary="Remove a watch (its past matches and alerts stay)")
def delete_watch(request: Request, watch_id: WatchId, _token: Editor) -> Response:
    if not _repo(request).delete_watch(watch_id):
        raise ApiError(404, f"no watch {watch_id}", "watch_id")
    return Response(status_code=204)
