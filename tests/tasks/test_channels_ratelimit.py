"""Per-channel token buckets, in-process and shared through a real Redis."""

from __future__ import annotations

import pytest

from tasks.channels import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_in_process_bucket_allows_a_minutes_worth_then_asks_to_wait():
    clock = Clock()
    limiter = RateLimiter(clock=clock)

    assert [limiter.acquire(5, 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire(5, 3) == pytest.approx(20.0)  # 3 a minute: one token every 20 s

    clock.now += 10
    assert limiter.acquire(5, 3) == pytest.approx(10.0)
    clock.now += 10
    assert limiter.acquire(5, 3) == 0.0


def test_channels_have_separate_buckets_and_none_means_unlimited():
    limiter = RateLimiter(clock=Clock())
    assert limiter.acquire(1, 1) == 0.0
    assert limiter.acquire(1, 1) > 0
    assert limiter.acquire(2, 1) == 0.0
    assert all(limiter.acquire(3, None) == 0.0 for _ in range(100))


def test_burst_caps_the_bucket():
    limiter = RateLimiter(burst=1, clock=Clock())
    assert limiter.acquire(1, 60) == 0.0
    assert limiter.acquire(1, 60) == pytest.approx(1.0)


def test_a_wait_does_not_use_up_a_token():
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    limiter.acquire(1, 1)
    for _ in range(5):
        assert limiter.acquire(1, 1) == pytest.approx(60.0)
    clock.now += 60
    assert limiter.acquire(1, 1) == 0.0


def test_bad_limits_are_refused():
    with pytest.raises(ValueError, match="per_minute"):
        RateLimiter().acquire(1, 0)
    with pytest.raises(ValueError, match="burst"):
        RateLimiter(burst=0)


@pytest.mark.redis
def test_redis_bucket_is_shared_by_every_worker(redis_url):
    first, second = RateLimiter(redis_url), RateLimiter(redis_url)
    try:
        assert first.acquire(7, 2) == 0.0
        assert second.acquire(7, 2) == 0.0
        wait = first.acquire(7, 2)
        assert 20 < wait <= 30  # 2 a minute: the next token in under 30 s
        assert second.acquire(8, 2) == 0.0  # another channel, another bucket
    finally:
        first.close()
        second.close()


@pytest.mark.redis
def test_redis_bucket_keys_expire(redis_url):
    import redis

    limiter = RateLimiter(redis_url, prefix="newsmon:test:rl:")
    try:
        limiter.acquire(7, 6)
        client = redis.Redis.from_url(redis_url)
        ttl = client.pttl("newsmon:test:rl:7")
        client.close()
        assert 0 < ttl <= 61_000
    finally:
        limiter.close()


def test_unreachable_redis_lets_the_send_through(caplog):
    limiter = RateLimiter("redis://127.0.0.1:1/0")
    assert limiter.acquire(7, 1) == 0.0
    assert "Redis unavailable" in caplog.text
