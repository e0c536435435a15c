"""LSH index in Redis, shared by every worker.

Keys (all under `prefix`, values JSON, never pickle):
- `{prefix}:doc:{key}`: {"k": 16-bit sketch (base64), "f": verification features, "b": the 42 bucket keys};
- `{prefix}:band:{band}:{bucket}`: set of article keys whose signature falls into that bucket;
- `{prefix}:published`: sorted set of article keys by publication time, for `prune`;
- `{prefix}:filled:{tag}`: set once the index holds every article of the database `tag` names (a Redis emptied
  by a restart without persistence or a FLUSHDB loses it too, which says the index must be filled again);
  `{prefix}:filling:{tag}` while one process fills it.
With `ttl_seconds`, every key expires that long after its last write, so an index nobody prunes still forgets
old articles; a bucket lives as long as articles keep landing in it.
A lookup is three round trips: the 42 bucket sizes, the buckets that are not boilerplate (see
index.MAX_BUCKET_ROWS), then the colliding documents in one MGET.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable
from datetime import datetime

import numpy as np
import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from pipelines.near_duplicate.features import (
    Candidate,
    Features,
    band_keys,
    estimate_jaccard,
    sketch16,
)
from pipelines.near_duplicate.index import CANDIDATE_FLOOR, MAX_BUCKET_ROWS, MAX_CANDIDATES
from pipelines.near_duplicate.signature import NUM_PERM, Fingerprint

logger = logging.getLogger(__name__)


def outage_retry() -> Retry:
    """Ride out a Redis restart (about 25 s of retries) instead of failing the article being deduplicated."""
    return Retry(
        ExponentialBackoff(cap=2.0, base=0.2),
        retries=15,
        supported_errors=(redis.ConnectionError, redis.TimeoutError),
    )


class RedisIndex:
    """Near-duplicate index kept in Redis; cheap to construct (no connection until first use)."""

    def __init__(
        self, redis_url: str, prefix: str = "newsmon:neardup", ttl_seconds: int | None = None
    ) -> None:
        if not prefix:
            raise ValueError("RedisIndex needs a non-empty key prefix")
        self._client = redis.Redis.from_url(redis_url, decode_responses=True, retry=outage_retry())
        self._prefix = prefix
        self._ttl = ttl_seconds

    def close(self) -> None:
        self._client.close()

    def _doc_key(self, key: str) -> str:
        return f"{self._prefix}:doc:{key}"

    def _bucket_key(self, band: int, bucket: int) -> str:
        return f"{self._prefix}:band:{band}:{bucket:08x}"

    def add(self, key: str, fp: Fingerprint) -> None:
        """Index `fp` under `key` (replacing an earlier fingerprint of the same key)."""
        self.remove(key)
        bands = band_keys(fp.hashvalues).tolist()
        doc = {
            "k": base64.b64encode(sketch16(fp.hashvalues).astype("<u2").tobytes()).decode("ascii"),
            "f": Features.of(fp).to_json(),
            "b": bands,
        }
        pipe = self._client.pipeline(transaction=True)
        pipe.set(self._doc_key(key), json.dumps(doc, separators=(",", ":")), ex=self._ttl)
        for band, bucket in enumerate(bands):
            name = self._bucket_key(band, bucket)
            pipe.sadd(name, key)
            if self._ttl:
                pipe.expire(name, self._ttl)
        if fp.published is not None:
            pipe.zadd(f"{self._prefix}:published", {key: fp.published.timestamp()})
        pipe.execute()

    def remove(self, key: str) -> None:
        """Forget `key`; a no-op when it is not indexed."""
        raw = self._client.get(self._doc_key(key))
        pipe = self._client.pipeline(transaction=True)
        if raw:
            for band, bucket in enumerate(json.loads(raw)["b"]):
                pipe.srem(self._bucket_key(band, bucket), key)
        pipe.delete(self._doc_key(key))
        pipe.zrem(f"{self._prefix}:published", key)
        pipe.execute()

    def prune(self, published_before: datetime) -> int:
        """Remove articles published before the cutoff; returns how many."""
        keys = self._client.zrangebyscore(
            f"{self._prefix}:published", "-inf", f"({published_before.timestamp()}"
        )
        for key in keys:
            self.remove(key)
        return len(keys)

    def query(self, fp: Fingerprint) -> list[Candidate]:
        """Indexed articles sharing an LSH band with `fp`, best estimated Jaccard first."""
        names = [
            self._bucket_key(band, bucket) for band, bucket in enumerate(band_keys(fp.hashvalues).tolist())
        ]
        pipe = self._client.pipeline(transaction=False)
        for name in names:
            pipe.scard(name)
        sizes = pipe.execute()
        pipe = self._client.pipeline(transaction=False)
        for name, size in zip(names, sizes, strict=True):
            if 0 < size <= MAX_BUCKET_ROWS:
                pipe.smembers(name)
        keys = sorted(set().union(*pipe.execute()))
        if not keys:
            return []
        docs = [
            (key, json.loads(raw))
            for key, raw in zip(keys, self._client.mget([self._doc_key(k) for k in keys]), strict=True)
            if raw
        ]
        if not docs:
            return []
        sketches = np.stack([np.frombuffer(base64.b64decode(doc["k"]), dtype="<u2") for _, doc in docs])
        if sketches.shape[1] != NUM_PERM:
            raise ValueError(
                f"index {self._prefix} holds sketches of {sketches.shape[1]} values, not {NUM_PERM}"
            )
        scores = estimate_jaccard(sketch16(fp.hashvalues), sketches).tolist()
        ranked = sorted(
            (score, key, doc)
            for (key, doc), score in zip(docs, scores, strict=True)
            if score >= CANDIDATE_FLOOR
        )
        ranked.reverse()
        return [
            Candidate(key, score, Features.from_json(doc["f"])) for score, key, doc in ranked[:MAX_CANDIDATES]
        ]

    def missing(self, keys: list[str], chunk: int = 10_000) -> list[str]:
        """The keys that are not indexed (asked `chunk` at a time, one round trip each)."""
        absent: list[str] = []
        for i in range(0, len(keys), chunk):
            pipe = self._client.pipeline(transaction=False)
            for key in keys[i : i + chunk]:
                pipe.exists(self._doc_key(key))
            absent += [
                key for key, found in zip(keys[i : i + chunk], pipe.execute(), strict=True) if not found
            ]
        return absent

    def is_filled(self, tag: str) -> bool:
        return bool(self._client.exists(f"{self._prefix}:filled:{tag}"))

    def claim_filling(self, tag: str, seconds: int) -> bool:
        """True for the one process that is to fill the index (the claim lapses after `seconds`)."""
        return bool(self._client.set(f"{self._prefix}:filling:{tag}", "1", nx=True, ex=seconds))

    def mark_filled(self, tag: str) -> None:
        pipe = self._client.pipeline(transaction=True)
        pipe.set(f"{self._prefix}:filled:{tag}", "1")
        pipe.delete(f"{self._prefix}:filling:{tag}")
        pipe.execute()

    def release_filling(self, tag: str) -> None:
        self._client.delete(f"{self._prefix}:filling:{tag}")

    def rebuild(self, items: Iterable[tuple[str, Fingerprint]]) -> None:
        """Drop everything under the prefix and index `items` again."""
        for name in self._client.scan_iter(match=f"{self._prefix}:*", count=1000):
            self._client.delete(name)
        for key, fp in items:
            try:
                self.add(key, fp)
            except (AttributeError, ValueError) as exc:
                logger.warning("near-duplicate index %s: skipping %s: %s", self._prefix, key, exc)
