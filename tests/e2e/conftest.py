"""End-to-end scenarios: the whole system as child processes, against live loopback portals."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: the whole system end to end (Redis, PostgreSQL, beat, workers)")
