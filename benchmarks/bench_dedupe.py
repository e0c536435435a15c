"""Speed and memory of the near-duplicate check with a large index.

Synthetic corpus: each document is a set of shingles, mostly its own plus a tenth drawn from a shared pool of
boilerplate phrases (so unrelated articles do collide in some LSH bands, as real news does); its MinHash is
computed vectorised from a table of per-shingle hash values. Half of the queries are edited copies of an
indexed document (70% of its shingles kept, the same facts), half are new documents.

Figures, each next to a baseline measured in the same run:
- check of a new article = `NearDuplicateDetector.find` (LSH lookup + verification), p50/p99;
- baselines: a plain dict lookup of the content hash (exact copies only) and the LSH lookup without verification;
- memory of the index per million articles (arrays + feature blobs, and the process RSS growth);
- `fingerprint()` of the quality-set articles (the per-article cost before the check).

    .venv/bin/python benchmarks/bench_dedupe.py --n 1000000
    .venv/bin/python benchmarks/bench_dedupe.py --n 20000 --redis-url redis://127.0.0.1:6379/14
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.near_duplicate import (  # noqa: E402
    Features,
    Fingerprint,
    MemoryIndex,
    NearDuplicateDetector,
    RedisIndex,
    fingerprint,
)
from pipelines.near_duplicate.signature import NUM_PERM  # noqa: E402

SHINGLES_PER_DOC = 80
BOILERPLATE_POOL = 5000
START = datetime(2015, 1, 1, tzinfo=UTC)


class SyntheticCorpus:
    """Vectorised MinHash signatures of random shingle sets (see module docstring)."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = np.random.default_rng(seed)
        self.pool = self.rng.integers(0, 2**32, size=(BOILERPLATE_POOL, NUM_PERM), dtype=np.uint32)

    def shingle_hashes(self, count: int) -> np.ndarray:
        """(count, SHINGLES_PER_DOC, NUM_PERM) permuted hash values of each document's shingles."""
        own = self.rng.integers(0, 2**32, size=(count, SHINGLES_PER_DOC, NUM_PERM), dtype=np.uint32)
        shared = SHINGLES_PER_DOC // 10
        picks = np.minimum(self.rng.zipf(1.5, size=(count, shared)) - 1, BOILERPLATE_POOL - 1)
        own[:, :shared] = self.pool[picks]
        return own

    def signatures(self, count: int, chunk: int = 2000) -> np.ndarray:
        out = np.empty((count, NUM_PERM), dtype=np.uint32)
        for start in range(0, count, chunk):
            size = min(chunk, count - start)
            out[start : start + size] = self.shingle_hashes(size).min(axis=1)
        return out

    def features(self, count: int, start: datetime = START, days: int = 3650) -> list[Features]:
        """Features of `count` documents published on random days in [start, start + days)."""
        offsets = self.rng.integers(0, days, size=count).tolist()
        slot_values = self.rng.integers(0, 2**32, size=(count, 16), dtype=np.uint64).tolist()
        return [
            Features(
                content_hash=f"{i:032x}",
                shingles=SHINGLES_PER_DOC,
                words=SHINGLES_PER_DOC + 2,
                slots=tuple(zip(values[:8], values[8:], strict=True)),
                published=start + timedelta(days=day),
            )
            for i, (day, values) in enumerate(zip(offsets, slot_values, strict=True))
        ]


def as_fingerprint(signature: np.ndarray, features: Features) -> Fingerprint:
    return Fingerprint(
        content_hash=features.content_hash,
        signature=signature.astype("<u4").tobytes(),
        shingles=features.shingles,
        facts=tuple(sorted({v for _, v in features.slots})),
        slots=features.slots,
        words=features.words,
        published=features.published,
    )


def make_queries(
    corpus: SyntheticCorpus, indexed: np.ndarray, features: list[Features], count: int
) -> list[Fingerprint]:
    """Half edited copies of indexed documents (70% of shingles kept), half new documents."""
    queries = []
    fresh = corpus.signatures(count)
    fresh_features = corpus.features(count)
    for i in range(count):
        if i % 2 == 0:
            target = int(corpus.rng.integers(0, len(indexed)))
            # A copy keeps each minimum with probability ~ its Jaccard (here ~0.55); the rest are new.
            keep = corpus.rng.random(NUM_PERM) < 0.55
            signature = np.where(keep, indexed[target], fresh[i])
            base = features[target]
            queries.append(
                as_fingerprint(
                    signature,
                    Features(f"q{i:031x}", *[base.shingles, base.words], base.slots, base.published),
                )
            )
        else:
            queries.append(as_fingerprint(fresh[i], fresh_features[i]))
    return queries


def percentiles(samples_ms: list[float]) -> str:
    p50, p99 = np.percentile(samples_ms, [50, 99])
    return f"p50 {p50:7.3f} ms  p99 {p99:7.3f} ms"


def timed(call, items) -> tuple[list[float], list]:
    samples, results = [], []
    for item in items:
        start = time.perf_counter()
        results.append(call(item))
        samples.append((time.perf_counter() - start) * 1000)
    return samples, results


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096


def bench_memory_index(n: int, queries: int) -> None:
    corpus = SyntheticCorpus()
    started = time.perf_counter()
    signatures = corpus.signatures(n)
    features = corpus.features(n)
    print(f"synthetic corpus: {n:,} signatures in {time.perf_counter() - started:.1f} s")
    rss_before = rss_bytes()
    started = time.perf_counter()
    index = MemoryIndex(capacity=n)
    index.add_sketches([str(i) for i in range(n)], signatures, features)
    print(f"MemoryIndex bulk load: {time.perf_counter() - started:.1f} s")
    rss_growth = rss_bytes() - rss_before
    per_million = 1_000_000 / n
    print(
        f"index memory: {index.nbytes() * per_million / 2**20:,.0f} MiB per million articles "
        f"(process RSS grew {rss_growth * per_million / 2**20:,.0f} MiB per million)"
    )
    exact = {f.content_hash: str(i) for i, f in enumerate(features)}
    print(
        f"baseline dict of content hashes: ~{(sys.getsizeof(exact) + n * 130) * per_million / 2**20:,.0f} MiB per million"
    )
    probes = make_queries(corpus, signatures, features, queries)
    detector = NearDuplicateDetector(index, window_days=36500)
    for fp in probes[:50]:  # warm caches
        detector.find(fp)
    dict_ms, _ = timed(lambda fp: exact.get(fp.content_hash), probes)
    query_ms, candidates = timed(index.query, probes)
    find_ms, verdicts = timed(detector.find, probes)
    found = sum(v is not None for v in verdicts[::2])
    print(f"baseline dict lookup (exact only):  {percentiles(dict_ms)}")
    print(
        f"baseline LSH lookup, no verify:     {percentiles(query_ms)}  candidates/query {np.mean([len(c) for c in candidates]):.1f}"
    )
    print(
        f"check = LSH lookup + verification:  {percentiles(find_ms)}  copies found {found}/{len(verdicts[::2])}"
    )
    new_matches = sum(v is not None for v in verdicts[1::2])
    print(f"new documents wrongly matched: {new_matches}/{len(verdicts[1::2])}")


def bench_fingerprint() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from quality_dedupe import load_articles

    rows = load_articles()
    samples, _ = timed(lambda r: fingerprint(r["text"], title=r["title"]), rows)
    print(f"fingerprint() of {len(rows)} quality-set articles: {percentiles(samples)}")


def bench_redis(redis_url: str, n: int, queries: int) -> None:
    corpus = SyntheticCorpus(seed=11)
    signatures, features = corpus.signatures(n), corpus.features(n)
    index = RedisIndex(redis_url, prefix="bench:neardup")
    index.rebuild([])
    add_ms, _ = timed(lambda i: index.add(str(i), as_fingerprint(signatures[i], features[i])), range(n))
    probes = make_queries(corpus, signatures, features, queries)
    find_ms, _ = timed(NearDuplicateDetector(index, window_days=36500).find, probes)
    print(f"RedisIndex with {n:,} articles: add {percentiles(add_ms)}; check {percentiles(find_ms)}")
    index.rebuild([])
    index.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="indexed articles (synthetic)")
    parser.add_argument("--queries", type=int, default=2000, help="checks to time")
    parser.add_argument(
        "--redis-url", help="also time RedisIndex (on a db it may flush keys under bench:neardup)"
    )
    parser.add_argument("--redis-n", type=int, default=20000, help="articles indexed in Redis")
    args = parser.parse_args()
    bench_fingerprint()
    bench_memory_index(args.n, args.queries)
    if args.redis_url:
        bench_redis(args.redis_url, args.redis_n, min(args.queries, 1000))


if __name__ == "__main__":
    main()
