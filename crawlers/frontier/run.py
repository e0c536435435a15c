"""One crawl's share of Redis: its queue, its fingerprints and which processes still hold work.

A run is named by `{namespace}:run`, a lease the live processes renew: a process that starts while a run of
the same spider and source is alive joins it, otherwise it starts a new one. The run's data keys
(`{namespace}:{run}:queue`, `:seen`, `:busy`) are deleted when the crawl ends and otherwise expire `ttl`
seconds after the last sign of life, so an abandoned crawl leaves nothing behind for long and every new crawl
starts with an empty frontier (its feeds and sitemaps are read again; stored articles are skipped by storage).

A process counts as busy from the moment it joins until it is first idle, and again whenever it claims a
request; the claim and the mark are one step (a Lua script), so at any time every piece of work is either in
the queue or held by a busy process. The crawl is over when the queue is empty and no process is busy; a
process silent for `gone_after` seconds (killed, or cut off from Redis) no longer counts.
Needs Redis 5 or later (ZPOPMIN, TIME in scripts).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Self

from redis import Redis

logger = logging.getLogger(__name__)

# Seconds without a heartbeat after which a process no longer holds up the end of the crawl.
GONE_AFTER = 30

_JOIN = """
local current = redis.call('GET', KEYS[1])
if current then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return {current, 0}
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return {ARGV[1], 1}
"""
# KEYS: queue, busy; ARGV: worker. The popped request, with the worker marked busy in the same step.
_CLAIM = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if popped[1] == nil then return false end
redis.call('ZADD', KEYS[2], redis.call('TIME')[1], ARGV[1])
return popped[1]
"""
# KEYS: queue, busy; ARGV: worker, gone_after. 1 when nothing is queued and nobody (alive) is busy.
_IDLE = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
return 1
"""
# KEYS: run, queue, busy, seen; ARGV: run id, lease, worker, busy (1/0), ttl. 0 when the run is over.
_BEAT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('EXPIRE', KEYS[1], ARGV[2])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[3], redis.call('TIME')[1], ARGV[3]) end
for i = 2, #KEYS do redis.call('EXPIRE', KEYS[i], ARGV[5]) end
return 1
"""
# KEYS: run, queue, busy, seen; ARGV: run id, gone_after. Deletes the run only if it is still over (nobody
# joined since) and its name only if it is still this run; 1 when deleted.
_FINISH = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[2]) > 0 or redis.call('ZCARD', KEYS[3]) > 0 then return 0 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
return 1
"""


@dataclass(frozen=True, slots=True)
class RunKeys:
    """The Redis keys of one run."""

    run_id: str
    run: str
    queue: str
    seen: str
    busy: str

    @classmethod
    def of(cls, namespace: str, run_id: str) -> Self:
        data = f"{namespace}:{run_id}"
        return cls(run_id, f"{namespace}:run", f"{data}:queue", f"{data}:seen", f"{data}:busy")

    def all(self) -> list[str]:
        """In the order the heartbeat and finish scripts take them."""
        return [self.run, self.queue, self.busy, self.seen]


@dataclass(frozen=True, slots=True)
class RunLimits:
    """How long a run's keys outlive its last sign of life, and when a silent process counts as gone."""

    ttl: int
    gone_after: int = GONE_AFTER


class FrontierRun:
    """The shared queue and fingerprints of one crawl, and this process's place in it (plain redis-py)."""

    def __init__(self, client: Redis, keys: RunKeys, worker: str, limits: RunLimits) -> None:
        self.client = client
        self.keys = keys
        self.run_id = keys.run_id
        self.worker = worker
        self.ttl = limits.ttl
        self.gone_after = limits.gone_after
        self.started = False
        self.busy = True
        self._claim = client.register_script(_CLAIM)
        self._idle = client.register_script(_IDLE)
        self._beat = client.register_script(_BEAT)
        self._finish = client.register_script(_FINISH)

    @classmethod
    def join(cls, client: Redis, namespace: str, worker: str, limits: RunLimits) -> Self:
        """Join the live run of `namespace`, or start one; the process counts as busy until it is idle."""
        candidate = uuid.uuid4().hex[:12]
        run_id, started = client.register_script(_JOIN)(
            keys=[f"{namespace}:run"], args=[candidate, limits.gone_after]
        )
        run_id = run_id.decode() if isinstance(run_id, bytes) else str(run_id)
        run = cls(client, RunKeys.of(namespace, run_id), worker, limits)
        run.started = bool(started)
        run.beat()
        return run

    # --- the queue -----------------------------------------------------------------------------
    def push(self, data: str, priority: int) -> None:
        """Queue a request (JSON); higher priority comes out first."""
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(self.keys.queue, {data: -priority})
        pipe.expire(self.keys.queue, self.ttl)
        pipe.execute()

    def claim(self) -> bytes | None:
        """Take the next request for this process (and count as busy), or None when the queue is empty."""
        data = self._claim(keys=[self.keys.queue, self.keys.busy], args=[self.worker])
        if data is not None:
            self.busy = True
        return data

    def queued(self) -> int:
        return int(self.client.zcard(self.keys.queue))

    # --- fingerprints ----------------------------------------------------------------------------
    def seen(self, fingerprint: str) -> bool:
        """Record a fingerprint; True if some process of this run had recorded it already."""
        pipe = self.client.pipeline(transaction=False)
        pipe.sadd(self.keys.seen, fingerprint)
        pipe.expire(self.keys.seen, self.ttl)
        added, _ = pipe.execute()
        return not added

    # --- the end of the crawl --------------------------------------------------------------------
    def idle(self) -> bool:
        """This process has nothing left; True when the whole crawl has nothing left either."""
        self.busy = False
        drained = self._idle(keys=[self.keys.queue, self.keys.busy], args=[self.worker, self.gone_after])
        return bool(drained)

    def beat(self) -> bool:
        """Renew the run's lease and this process's busy mark; False when the run is over."""
        args = [self.run_id, self.gone_after, self.worker, "1" if self.busy else "0", self.ttl]
        return bool(self._beat(keys=self.keys.all(), args=args))

    def finish(self) -> bool:
        """The crawl is over: delete its keys, so that the next crawl starts a new run (unless a process
        joined and queued work since the end was seen; it then goes on and finishes the run itself)."""
        return bool(self._finish(keys=self.keys.all(), args=[self.run_id, self.gone_after]))

    def leave(self) -> None:
        """This process stops early (shutdown, time limit): the others go on without it."""
        self.busy = False
        self.client.zrem(self.keys.busy, self.worker)
