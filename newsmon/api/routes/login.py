"""The web pages' login: a form takes an API token and keeps it in an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from newsmon.api.auth import COOKIE, check_same_origin
from newsmon.api.forms import first, read_form

router = APIRouter(include_in_schema=False)
COOKIE_DAYS = 30
STALE_MESSAGE = "your token was revoked or expired; log in again"


def local_path(value: str) -> str:
    """Where to go after logging in: only a path on this site (never //host or a scheme)."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value and "\n" not in value:
        return value
    return "/search"


@router.get("/")
def home() -> Response:
    return RedirectResponse("/search", status_code=303)


@router.get("/login")
def login_page(
    request: Request,
    next_path: Annotated[str, Query(alias="next")] = "/search",
    expired: str = "",
) -> Response:
    """The login form; `expired` is set when a page found the cookie's token no longer works."""
    message = STALE_MESSAGE if expired else None
    return request.app.state.pages.render(
        request, "login.html", next_path=local_path(next_path), message=message
    )


@router.post("/login")
async def login(request: Request) -> Response:
    check_same_origin(request)
    fields = await read_form(request)
    secret, target = first(fields, "token").strip(), local_path(first(fields, "next", "/search"))
    token = request.app.state.tokens.check(secret) if secret else None
    if token is None:
        message = "this token is not known or was revoked" if secret else "paste a token"
        return request.app.state.pages.render(
            request, "login.html", http_status=401, next_path=target, message=message
        )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        secret,
        max_age=COOKIE_DAYS * 86400,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    check_same_origin(request)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
