"""An app on a fresh, migrated database with one token per role, and clients that carry them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsmon.api import create_app
from newsmon.config import Settings
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade


@dataclass
class ApiFixture:
    """The app's repository, a secret per role, and a client without credentials."""

    repo: Repository
    secrets: dict[str, str]
    client: TestClient

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secrets[role]}"}

    def get(self, path: str, role: str = "reader", **kwargs: object):
        return self.client.get(path, headers=self.headers(role), **kwargs)

    def post(self, path: str, role: str = "reader", **kwargs: object):
        return self.client.post(path, headers=self.headers(role), **kwargs)


def make_settings(data_dir: Path, database_url: str, **values: object) -> Settings:
    return Settings(data_dir=data_dir, database_url=database_url, redis_url="", broker_url="", **values)


def migrated_repository(database_url: str) -> Repository:
    repo = Repository.from_url(database_url)
    upgrade(repo.engine)
    return repo


def start_api(tmp_path: Path, database_url: str, **settings: object) -> Iterator[ApiFixture]:
    repo = migrated_repository(database_url)
    secrets = {role: repo.create_token(f"{role}-token", role)[1] for role in ("reader", "editor", "admin")}
    app = create_app(make_settings(tmp_path, database_url, **settings))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield ApiFixture(repo, secrets, client)
    repo.dispose()


@pytest.fixture
def api(tmp_path: Path, database_url: str) -> Iterator[ApiFixture]:
    """The app on SQLite and on PostgreSQL."""
    yield from start_api(tmp_path, database_url)


@pytest.fixture
def sqlite_api(tmp_path: Path, sqlite_url: str) -> Iterator[ApiFixture]:
    """The app on SQLite only, for tests of the HTTP layer rather than of storage."""
    yield from start_api(tmp_path, sqlite_url)


@pytest.fixture
def stored(api: ApiFixture) -> dict[str, object]:
    """The fixture articles stored in the app's database, by key."""
    from tests.api.stored import store_articles

    return store_articles(api.repo)


@pytest.fixture
def sqlite_stored(sqlite_api: ApiFixture) -> dict[str, object]:
    from tests.api.stored import store_articles

    return store_articles(sqlite_api.repo)
