"""What every command needs: the settings and a repository, opened lazily and reported clearly."""

from __future__ import annotations

from newsmon.config import Settings, get_settings
from newsmon.storage import Repository, open_repository


def settings() -> Settings:
    return get_settings()


def repository(*, migrate: bool = False) -> Repository:
    """The configured database; `migrate` upgrades its schema first (demo, run, db upgrade)."""
    return open_repository(get_settings(), migrate=migrate)
