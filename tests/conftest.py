"""Shared fixtures: real PostgreSQL databases, Redis databases and loopback HTTP servers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loopback import StaticServer
from tests.services import PG_HOST, PG_PORT, REDIS_HOST, REDIS_PORT, require_postgres, require_redis

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DATASETS = ROOT.parent / "shared" / "datasets"
SAMPLES = ROOT.parent / "shared" / "samples"


def _fresh_postgres_database() -> Iterator[str]:
    require_postgres()
    import psycopg

    name = f"newsmon_t_{uuid.uuid4().hex[:12]}"
    admin = f"host={PG_HOST} port={PG_PORT} dbname=test user=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    yield from _fresh_postgres_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'newsmon.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each storage test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newsmon.db'}"
    else:
        yield from _fresh_postgres_database()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database number of its own, flushed before and after the test."""
    require_redis()
    import redis

    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/13"
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def static_server() -> Iterator[type[StaticServer]]:
    """Start `StaticServer(directory)` servers that stop at the end of the test."""
    started: list[StaticServer] = []

    class _Server(StaticServer):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            started.append(self)

    yield _Server
    for server in started:
        server.stop()
