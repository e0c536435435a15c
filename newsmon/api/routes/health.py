"""/healthz (no token: load balancers call it), /metrics, and the OpenAPI document and page."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from newsmon.api.auth import require, require_page
from newsmon.storage.tokens import ApiToken

logger = logging.getLogger(__name__)
router = APIRouter()
Reader = Annotated[ApiToken, Depends(require("reader"))]
SWAGGER_ASSETS = "/docs/assets"  # Swagger UI's own files, served by the app (newsmon.api.app)


@router.get("/healthz", tags=["health"], summary="Liveness and database reachability; needs no token")
def healthz(request: Request) -> JSONResponse:
    try:
        # A bare round trip, not a repository query: it must stay cheap on a database of any size.
        with request.app.state.repo.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("Health check cannot reach the database: %s", type(exc).__name__)
        return JSONResponse({"status": "failing", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/metrics", tags=["health"], summary="Prometheus metrics (any token)")
def metrics(request: Request, _token: Reader) -> Response:
    try:
        from newsmon.metrics import render_metrics
    except ImportError:
        return JSONResponse(
            {"error": {"message": "metrics are not available in this installation", "field": None}},
            status_code=404,
        )
    body, content_type = render_metrics(request.app.state.repo, request.app.state.settings)
    return Response(body, media_type=content_type)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _token: Reader) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs", include_in_schema=False)
def docs(_token: Annotated[ApiToken, Depends(require_page("reader"))]) -> HTMLResponse:
    """The OpenAPI page, with Swagger UI's files served from the swagger-ui-bundle-v2 package (mounted at
    SWAGGER_ASSETS): it loads nothing from another site, so it works on a machine without internet."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="newsmon API",
        swagger_js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_ASSETS}/favicon-32x32.png",
    )
