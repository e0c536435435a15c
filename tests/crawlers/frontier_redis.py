"""Redis for the shared-frontier tests: a database of their own and a key prefix per test.

Not the shared `redis_url` fixture, which empties its database: crawls of a shared frontier run for seconds,
and a test session started beside this one (the same checkout, other tests) must neither see nor wipe them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis

from tests.services import REDIS_HOST, REDIS_PORT, require_redis

FRONTIER_DB = 11


@dataclass(frozen=True)
class FrontierRedis:
    url: str
    prefix: str
    client: redis.Redis

    def leftovers(self) -> list[bytes]:
        """What is left under this test's prefix."""
        return list(self.client.scan_iter(f"{self.prefix}:*"))


@contextmanager
def frontier_redis() -> Iterator[FrontierRedis]:
    """A fresh prefix in FRONTIER_DB; its keys are deleted afterwards."""
    require_redis()
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{FRONTIER_DB}"
    client = redis.Redis.from_url(url)
    place = FrontierRedis(url, f"newsmon-test:{uuid.uuid4().hex[:10]}:frontier", client)
    try:
        yield place
    finally:
        for key in place.leftovers():
            client.delete(key)
        client.close()
