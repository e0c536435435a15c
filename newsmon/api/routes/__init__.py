"""Routers by topic: JSON endpoints under /api, web pages at the top level."""

from __future__ import annotations

from fastapi import APIRouter

from newsmon.api.routes import (
    alerts,
    health,
    login,
    managing_pages,
    reading_pages,
    search,
    sources,
    tokens,
    watches,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    search.router,
    watches.router,
    alerts.router,
    sources.router,
    tokens.router,
    login.router,
    reading_pages.router,
    managing_pages.router,
)
