"""Jinja2 rendering of the web pages: autoescape always on, templates and static files shipped in the package."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.exc import SQLAlchemyError

from newsmon.api.auth import presented_secret
from newsmon.api.markup import highlighted_snippet, mark_spans, query_problem
from newsmon.storage.tokens import ApiToken
from tasks.health import coverage_summary

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def _when(value: datetime | str | None) -> str:
    """A time as every page shows it, `2025-09-01 05:10 UTC`; ISO strings too (the health rows hold them)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _coverage(path_coverage: dict[str, dict[str, Any]] | None) -> str:
    return coverage_summary(path_coverage or {}) or "—"


def _web_link(url: str | None) -> str | None:
    """A scraped URL fit for href: http(s) only, so a javascript: or data: URL never becomes a link."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


class Pages:
    """Renders templates for the web pages; one per app."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["when"] = _when
        self.env.filters["web_link"] = _web_link
        self.env.filters["coverage"] = _coverage
        self.env.globals["query_problem"] = query_problem
        self.env.globals["highlighted_snippet"] = highlighted_snippet
        self.env.globals["mark_spans"] = mark_spans

    def render(self, request: Request, name: str, http_status: int = 200, **context: Any) -> HTMLResponse:
        token = getattr(request.state, "token", None)
        return self._page(request, name, http_status, token, context)

    def _page(
        self, request: Request, name: str, status: int, token: ApiToken | None, context: dict[str, Any]
    ) -> HTMLResponse:
        html = self.env.get_template(name).render(request=request, token=token, **context)
        return HTMLResponse(html, status_code=status)

    def error(
        self, request: Request, status: int, message: str, field: str | None, headers: dict[str, str]
    ) -> HTMLResponse:
        """An error page that keeps the menu and Log out for a logged-in user, even where no route let the
        request in (an unknown path, a rate limit, a role too low)."""
        token = getattr(request.state, "token", None) or _viewer(request)
        context = {"status_code": status, "message": message, "field": field}
        response = self._page(request, "error.html", status, token, context)
        response.headers.update(headers)
        return response


def _viewer(request: Request) -> ApiToken | None:
    """The valid token the request carries, if any, for the menu only: it admits nothing."""
    secret = presented_secret(request)
    if not secret:
        return None
    tokens = request.app.state.tokens
    known, token = tokens.remembered(secret)
    if known:
        return token
    try:
        return tokens.check(secret)
    except SQLAlchemyError:  # the error page must render even when the database is what failed
        return None
