"""Per-process state of a worker: the repository and the compiled watch matcher.

Created on first use, thrown away after fork (`reset`), and the matcher is rebuilt whenever the watches
change in the database, so every worker uses the current version.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from newsmon.config import get_settings
from newsmon.query import WatchMatcher
from newsmon.storage import Repository, open_repository


@dataclass
class _State:
    repo: Repository | None = None
    matcher: WatchMatcher | None = None
    matcher_version: str | None = None


_state = _State()
_lock = threading.Lock()


def repository() -> Repository:
    with _lock:
        if _state.repo is None:
            _state.repo = open_repository(get_settings())
        return _state.repo


def matcher() -> WatchMatcher:
    """The matcher for the current set of enabled watches and aliases; rebuilt when any changed."""
    repo = repository()
    version = repo.watches_version()
    with _lock:
        if _state.matcher is None or _state.matcher_version != version:
            watches = repo.list_watches(enabled_only=True)
            _state.matcher = WatchMatcher.build(watches, repo.list_aliases())
            _state.matcher_version = version
        return _state.matcher


def reset() -> None:
    with _lock:
        if _state.repo is not None:
            _state.repo.dispose()
        _state.repo = None
        _state.matcher = None
        _state.matcher_version = None
