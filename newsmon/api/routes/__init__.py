"""Routers by topic: JSON endpoints under /api, web pages at the top level."""

from __future__ import annotations

from fastapi import APIRouter

from newsmon.api.routes import alerts, health, login, managing_pages, sources, tokens, watches

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    watches.router,
    alerts.router,
    sources.router,
    tokens.router,
    login.router,
    managing_pages.router,
)
