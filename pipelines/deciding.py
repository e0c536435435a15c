"""One process at a time decides and stores a batch: the lock around it.

Two crawls that decide at the same moment each look for copies before either has stored its article, so both
start a story, and a watch matching the story alerts twice. Holding this lock from the index refresh to the
commit makes the second crawl see the first one's article. With Redis it is a Redis lock shared by every
worker (it expires if its holder dies); on the embedded default, a file lock in the data directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path

import redis

log = logging.getLogger(__name__)
LOCK_FILE = "deciding.lock"
REDIS_KEY = "newsmon:neardup:deciding"
# A batch of 100 is decided and stored in well under a second. A holder killed mid-batch stalls the other
# crawls' storing until its lock expires, so the hold is short; a batch slower than that (a database under
# load) merely lets another process decide beside it, as without the lock.
HOLD_SECONDS = 15
WAIT_SECONDS = 30


@contextlib.contextmanager
def file_lock(directory: Path) -> Iterator[None]:
    """The embedded default's lock: the crawl and import processes of one host share the data directory."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released by the kernel when the process dies
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class RedisDecisionLock:
    """The lock shared by every worker; each call is one hold of it, released when the batch is stored."""

    def __init__(self, redis_url: str) -> None:
        self._client = redis.Redis.from_url(redis_url)

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        lock = self._client.lock(REDIS_KEY, timeout=HOLD_SECONDS, blocking_timeout=WAIT_SECONDS)
        try:
            held = lock.acquire()
        except redis.RedisError as exc:
            # The index lookups that follow fail on their own, counted per article.
            log.warning("could not take the decision lock in Redis: %s", exc)
            held = False
        if not held:
            log.warning("deciding a batch without the decision lock: a copy stored at the same time may "
                        "start a story of its own")  # fmt: skip
        try:
            yield
        finally:
            if held:
                with contextlib.suppress(redis.RedisError):
                    lock.release()

    def close(self) -> None:
        self._client.close()
