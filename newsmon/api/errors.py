"""Every error the API gives is JSON: {"error": {"message": "...", "field": "query"}}.

Bad input is the caller's to fix, so the message says what was wrong and the field names where; nothing a
caller sends may turn into a 500. Web pages get the same errors rendered as a page instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)
SOURCES = ("query", "body", "path", "header", "cookie")
# What a field holds, for people: pydantic's own message for these quotes a regular expression.
FIELD_SHAPES = {"digest_at": "a time like 09:00", "quiet_hours": "hours like 22:00-07:00"}


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
    """A web page was asked for without a valid token cookie: send the browser to the login form.

    `stale_cookie` names the cookie when it held a token that no longer works (revoked, or unknown to this
    server): the login form then says why it is shown again, and the browser stops sending the cookie.
    """

    def __init__(self, next_path: str, stale_cookie: str | None = None) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.stale_cookie = stale_cookie


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


def validation_field(error: Mapping[str, Any], sent: Any = None) -> str | None:
    """The caller's name for where a validation error is: `limit`, `texts[0].lang`, `body` for the body itself.

    pydantic's location also holds where the value came from (body, query), a character offset for JSON that
    does not parse, and the branch of a union it tried (`constrained-str`, `TextIn`): none of them is a name
    the caller used. `sent` is the parsed body; walking it tells the caller's keys and indexes from those.
    """
    location = list(error.get("loc", ()))
    source = location.pop(0) if location and location[0] in SOURCES else None
    if source == "body" and error.get("type") == "json_invalid":
        return "body"
    if source in ("body", None) and isinstance(sent, dict | list):
        location = _sent_path(location, sent, missing=error.get("type") == "missing")
    if not location:
        return "body" if source == "body" else None
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location).lstrip(".")


def _sent_path(location: list[Any], sent: Any, *, missing: bool) -> list[Any]:
    """The parts of `location` that are keys and indexes of what was sent (a missing field is the last)."""
    path: list[Any] = []
    for index, part in enumerate(location):
        if _holds(sent, part):
            path.append(part)
            sent = sent[part]
        elif missing and index == len(location) - 1 and isinstance(part, str):
            path.append(part)
    return path


def _holds(sent: Any, part: Any) -> bool:
    if isinstance(sent, list):
        return isinstance(part, int) and 0 <= part < len(sent)
    return isinstance(sent, dict) and isinstance(part, str) and part in sent


def reason_for(error: Mapping[str, Any], field: str | None) -> str:
    """What is wrong with a value, in words for people (pydantic's own would quote a regular expression)."""
    kind, limits = error.get("type"), error.get("ctx") or {}
    if kind == "string_pattern_mismatch" and field in FIELD_SHAPES:
        return FIELD_SHAPES[field]
    if kind in ("string_too_short", "missing"):
        return "cannot be empty"
    if kind == "string_too_long":
        return f"at most {limits.get('max_length')} characters"
    if kind == "too_long":
        return f"at most {limits.get('max_length')} items"
    if kind == "greater_than_equal":
        return f"at least {limits.get('ge')}"
    if kind == "less_than_equal":
        return f"at most {limits.get('le')}"
    if kind == "greater_than":
        return f"more than {limits.get('gt')}"
    if kind == "literal_error":
        return f"one of {limits.get('expected')}"
    return str(error.get("msg", "invalid value")).removeprefix("Value error, ")


def validation_message(error: Mapping[str, Any], field: str | None) -> str:
    """A sentence for people: the field, what is wrong with it, and the value when it is short."""
    kind = error.get("type")
    if kind == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "")
        offset = next((p for p in reversed(error.get("loc", ())) if isinstance(p, int)), None)
        where = f" at character {offset}" if offset is not None else ""
        return f"body is not valid JSON{where}" + (f": {reason}" if reason else "")
    if field == "body" and kind == "missing":
        return "body: a JSON object is needed"
    message = reason_for(error, field)
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
        field = validation_field(first, exc.body)
        return _render(request, 422, validation_message(first, field), field, {})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such path: {request.url.path}"
        return _render(request, exc.status_code, message, None, dict(exc.headers or {}))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = f"/login?next={quote(exc.next_path, safe='/')}"
        if exc.stale_cookie is None:
            return RedirectResponse(target, status_code=303)
        response = RedirectResponse(f"{target}&expired=1", status_code=303)
        response.delete_cookie(exc.stale_cookie, path="/")
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("Unexpected error serving %s %s", request.method, request.url.path)
        return _render(request, 500, "internal error; the server log has the details", None, {})
