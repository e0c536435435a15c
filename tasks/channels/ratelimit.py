"""Per-channel rate limit: a token bucket keyed by channel id, in this process or shared through Redis.

`acquire(channel_id, per_minute)` takes a token and returns 0 when the send may go now, or returns the seconds
until a token is free without taking one; the delivery task decides whether to wait or reschedule. A bucket
holds `burst` tokens (default: a minute's worth) and refills evenly at per_minute/60 tokens a second.
With a Redis URL every worker shares the buckets and Redis's clock; if Redis cannot be reached the limiter lets
the send through (a 429 from the service is retried later) rather than hold alerts back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "newsmon:ratelimit:"

# KEYS[1] bucket; ARGV rate (tokens/s), capacity. Uses the server's clock so workers on many hosts agree.
_TOKEN_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return tostring(wait)
"""


def refill(tokens: float, elapsed: float, rate: float, capacity: float) -> tuple[float, float]:
    """One token-bucket step: the tokens left and the seconds to wait (0 when a token was taken)."""
    tokens = min(capacity, tokens + max(0.0, elapsed) * rate)
    if tokens >= 1:
        return tokens - 1, 0.0
    return tokens, (1 - tokens) / rate


class RateLimiter:
    """Token buckets per channel id; in-process by default, shared by every worker when given a Redis URL."""

    def __init__(
        self,
        redis_url: str | None = None,
        *,
        burst: int | None = None,
        prefix: str = DEFAULT_PREFIX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if burst is not None and burst < 1:
            raise ValueError(f"burst must be at least 1, not {burst}")
        self.redis_url = redis_url or None
        self.burst = burst
        self.prefix = prefix
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}
        self._script: Any = None

    def acquire(self, channel_id: int | str, per_minute: int | None) -> float:
        """Seconds to wait before sending on this channel; 0 means go (and a token was taken)."""
        if per_minute is None:
            return 0.0
        if per_minute <= 0:
            raise ValueError(f"per_minute must be positive, not {per_minute} (None means no limit)")
        rate = per_minute / 60.0
        capacity = float(min(self.burst, per_minute) if self.burst else per_minute)
        if self.redis_url:
            return self._acquire_redis(str(channel_id), rate, capacity)
        return self._acquire_local(str(channel_id), rate, capacity)

    def _acquire_local(self, key: str, rate: float, capacity: float) -> float:
        with self._lock:
            now = self._clock()
            tokens, updated = self._buckets.get(key, (capacity, now))
            tokens, wait = refill(tokens, now - updated, rate, capacity)
            self._buckets[key] = (tokens, now)
            return wait

    def _acquire_redis(self, key: str, rate: float, capacity: float) -> float:
        import redis

        try:
            if self._script is None:
                client = redis.Redis.from_url(self.redis_url, socket_timeout=5, socket_connect_timeout=5)
                self._script = client.register_script(_TOKEN_BUCKET_LUA)
            wait = self._script(keys=[self.prefix + key], args=[repr(rate), repr(capacity)])
        except redis.RedisError as exc:
            logger.warning(
                "Rate limit for channel %s not checked, Redis unavailable: %s", key, type(exc).__name__
            )
            return 0.0
        return float(wait.decode() if isinstance(wait, bytes) else wait)

    def close(self) -> None:
        if self._script is not None:
            self._script.registered_client.close()
            self._script = None
