"""Every error the API gives is JSON: {"error": {"message": "...", "field": "query"}}.

Bad input is the caller's to fix, so the message says what was wrong and the field names where; nothing a
caller sends may turn into a 500. Web pages get the same errors rendered as a page instead.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer other than success: HTTP status, a message for people, the offending field if any."""

    def __init__(
        self, status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers or {}


class LoginRequired(Exception):
    """A web page was asked for without a valid token cookie: send the browser to the login form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def bad_request(message: str, field: str | None = None) -> ApiError:
    return ApiError(400, message, field)


def not_found(what: str, field: str | None = None) -> ApiError:
    return ApiError(404, f"no {what}", field)


def error_body(message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "field": field}}


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _render(
    request: Request, status: int, message: str, field: str | None, headers: dict[str, str]
) -> Response:
    if _wants_html(request) and hasattr(request.app.state, "pages"):
        return request.app.state.pages.error(request, status, message, field, headers)
    return JSONResponse(error_body(message, field), status_code=status, headers=headers)


def _validation_field(error: dict[str, Any]) -> str | None:
    location = [str(part) for part in error.get("loc", ())]
    if location and location[0] in ("query", "body", "path", "header", "cookie"):
        location = location[1:]  # where it was sent, not which field
    return ".".join(location) or None


def _validation_message(error: dict[str, Any], field: str | None) -> str:
    message = str(error.get("msg", "invalid value"))
    received = error.get("input")
    if field and isinstance(received, str | int | float) and len(str(received)) <= 80:
        return f"{field}: {message} (got {received!r})"
    return f"{field}: {message}" if field else message


def install_error_handlers(app: FastAPI) -> None:
    """Turn every failure into the JSON error shape (or an error page for browsers)."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return _render(request, exc.status, exc.message, exc.field, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        field = _validation_field(first)
        return _render(request, 422, _validation_message(first, field), field, {})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such path: {request.url.path}"
        return _render(request, exc.status_code, message, None, dict(exc.headers or {}))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("Unexpected error serving %s %s", request.method, request.url.path)
        return _render(request, 500, "internal error; the server log has the details", None, {})
