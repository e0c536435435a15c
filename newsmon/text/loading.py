"""A model a process loads once, however many threads ask for it at the same moment.

`functools.lru_cache` does not hold other callers back while the first one loads: a crawl's first articles,
analysed in several threads at once, each loaded their own Russian dictionaries (15 MB a copy, three or
more copies at the crawl's start, memory the process kept after the copies were dropped).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LoadOnce(Generic[T]):
    """Calls `load` on first use and returns its result from then on; `cache_clear` lets it go."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load = load
        self._value: T | None = None
        self._lock = threading.Lock()
        functools.update_wrapper(self, load)

    def __call__(self) -> T:
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._load()
                value = self._value
        return value

    @property
    def loaded(self) -> bool:
        return self._value is not None

    def cache_clear(self) -> None:
        with self._lock:
            self._value = None


def load_once(load: Callable[[], T]) -> LoadOnce[T]:
    """Decorator: `load` runs once per process (again after `cache_clear`), never twice at once."""
    return LoadOnce(load)
