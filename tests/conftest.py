"""Shared fixtures: real PostgreSQL databases, Redis databases and loopback HTTP servers."""

from __future__ import annotations

import os
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


def _fresh_postgres_database(template: str | None = None) -> Iterator[str]:
    require_postgres()
    import psycopg

    name = f"newsmon_t_{uuid.uuid4().hex[:12]}"
    admin = f"host={PG_HOST} port={PG_PORT} dbname=test user=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_postgres_template() -> Iterator[str]:
    """A PostgreSQL database at the newest schema that each test's database is copied from: running the
    migrations for every test took half a second each, over two hundred times."""
    from newsmon.storage import Repository
    from newsmon.storage.migrate import upgrade

    databases = _fresh_postgres_database()
    url = next(databases)
    repo = Repository.from_url(url)
    upgrade(repo.engine)
    repo.dispose()
    yield url.rsplit("/", 1)[1]
    databases.close()  # drops it


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    yield from _fresh_postgres_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'newsmon.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each storage test runs on SQLite (an empty file) and on PostgreSQL (a database already at the newest
    schema; `postgres_url` is an empty one)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newsmon.db'}"
    else:
        yield from _fresh_postgres_database(request.getfixturevalue("migrated_postgres_template"))


def _redis_db() -> str:
    """NEWSMON_TEST_REDIS_DB, else 13 and, under pytest-xdist, one number per worker (gw1: 14, ...)."""
    if chosen := os.environ.get("NEWSMON_TEST_REDIS_DB"):
        return chosen
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return str(13 + int(worker.removeprefix("gw") or 0))


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database number of its own, flushed before and after the test (NEWSMON_TEST_REDIS_DB, 13 unless
    set: two test runs at once need two numbers)."""
    require_redis()
    import redis

    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{_redis_db()}"
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


SHARED_MARKERS = ("DATASETS", "SAMPLES", "shared/datasets", "shared/samples", '"shared"')


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests on the development datasets in ../shared skip (fail in CI) when that folder is not beside the checkout."""
    from tests.services import in_ci

    if (ROOT.parent / "shared" / "datasets").is_dir() or in_ci():
        return  # in CI a missing folder makes those tests fail, as it should

    reason = f"the development datasets ({ROOT.parent / 'shared'}) are not beside this checkout"
    needs_shared: dict[str, bool] = {}
    for item in items:
        path = str(item.path)
        if path not in needs_shared:
            text = item.path.read_text(encoding="utf-8", errors="replace")
            needs_shared[path] = any(marker in text for marker in SHARED_MARKERS)
        if needs_shared[path]:
            item.add_marker(
                pytest.mark.xfail(reason=reason, strict=True) if in_ci() else pytest.mark.skip(reason=reason)
            )
