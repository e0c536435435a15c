"""Storage: tables, migrations and the repository (the only door to the database).

The records (`ArticleToStore`, ...) are plain dataclasses; `Repository` and `open_repository` bring
SQLAlchemy in (about 30 MB), so they are imported on first use: a process that only analyses articles
for storing (the crawl's extraction worker) needs the records, not the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsmon.storage.records import ArticleToStore, NewAlert, StoreResult, WatchHit

if TYPE_CHECKING:
    from newsmon.config import Settings
    from newsmon.storage.repository import Repository


def open_repository(settings: Settings, *, migrate: bool = False) -> Repository:
    """A repository on the configured database; `migrate` brings its schema up to date first."""
    from newsmon.storage.migrate import upgrade
    from newsmon.storage.repository import Repository

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    repo = Repository.from_url(settings.effective_database_url)
    if migrate:
        upgrade(repo.engine)
    return repo


def __getattr__(name: str) -> Any:
    if name == "Repository":
        from newsmon.storage.repository import Repository

        return Repository
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ArticleToStore", "NewAlert", "Repository", "StoreResult", "WatchHit", "open_repository"]
