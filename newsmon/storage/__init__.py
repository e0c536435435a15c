"""Storage: tables, migrations and the repository (the only door to the database)."""

from __future__ import annotations

from newsmon.config import Settings
from newsmon.storage.migrate import upgrade
from newsmon.storage.repository import ArticleToStore, NewAlert, Repository, StoreResult, WatchHit


def open_repository(settings: Settings, *, migrate: bool = False) -> Repository:
    """A repository on the configured database; `migrate` brings its schema up to date first."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    repo = Repository.from_url(settings.effective_database_url)
    if migrate:
        upgrade(repo.engine)
    return repo


__all__ = ["ArticleToStore", "NewAlert", "Repository", "StoreResult", "WatchHit", "open_repository"]
