"""Jinja2 rendering of the web pages: autoescape always on, templates and static files shipped in the package."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from newsmon.api.markup import highlighted_snippet, mark_spans

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def _when(value: datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return value.strftime("%Y-%m-%d %H:%M UTC")


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
        self.env.globals["highlighted_snippet"] = highlighted_snippet
        self.env.globals["mark_spans"] = mark_spans

    def render(self, request: Request, name: str, http_status: int = 200, **context: Any) -> HTMLResponse:
        token = getattr(request.state, "token", None)
        html = self.env.get_template(name).render(request=request, token=token, **context)
        return HTMLResponse(html, status_code=http_status)

    def error(
        self, request: Request, status: int, message: str, field: str | None, headers: dict[str, str]
    ) -> HTMLResponse:
        response = self.render(
            request, "error.html", http_status=status, status_code=status, message=message, field=field
        )
        response.headers.update(headers)
        return response
