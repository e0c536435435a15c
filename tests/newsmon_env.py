"""Point newsmon's settings at a test's own data directory and database for the length of a test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from newsmon.config import get_settings


@contextmanager
def newsmon_settings(monkeypatch: pytest.MonkeyPatch, data_dir: Path, **values: str) -> Iterator[None]:
    """Set NEWSMON_* variables (inherited by crawl processes too) and drop cached settings and connections.

    AutoThrottle and the delay between requests are off unless a test sets them: they are politeness toward
    real portals, and only slow crawls of the loopback ones."""
    from tasks import context

    monkeypatch.setenv("NEWSMON_DATA_DIR", str(data_dir))
    for key, value in {"autothrottle": "false", "download_delay": "0", **values}.items():
        monkeypatch.setenv(f"NEWSMON_{key.upper()}", value)
    get_settings.cache_clear()
    context.reset()
    try:
        yield
    finally:
        context.reset()
        get_settings.cache_clear()
