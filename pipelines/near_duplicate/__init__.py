"""Near-duplicate detection: syndicated copies of one press release join one story.

Public API (the dedupe pipeline codes against it):
- `fingerprint(text, *, title=None, lang=None, published=None) -> Fingerprint`
- `MemoryIndex()` / `MemoryIndex.load(path)` / `.save(path)` / `.rebuild(items)`, and
  `RedisIndex(redis_url, prefix, ttl_seconds=None)`: both `add(key, fp)`, `query(fp)`, `remove(key)`, `prune(before)`
- `NearDuplicateDetector(index, threshold=0.5, window_days=30).find(fp) -> Verdict | None`
Keys are the caller's article ids as strings; `Verdict.key` is the matched article, whose story the new one joins.
`RedisIndex` is imported at its first use: the extraction process, which fingerprints articles, never loads
the Redis client.
"""

from typing import TYPE_CHECKING, Any

from pipelines.near_duplicate.features import Candidate, Features
from pipelines.near_duplicate.index import MemoryIndex, NearDuplicateIndex
from pipelines.near_duplicate.signature import Fingerprint, fingerprint
from pipelines.near_duplicate.verify import Evidence, NearDuplicateDetector, Verdict, VerifyRule

__all__ = [
    "Candidate",
    "Evidence",
    "Features",
    "Fingerprint",
    "MemoryIndex",
    "NearDuplicateDetector",
    "NearDuplicateIndex",
    "RedisIndex",
    "Verdict",
    "VerifyRule",
    "fingerprint",
]

if TYPE_CHECKING:
    from pipelines.near_duplicate.redis_index import RedisIndex


def __getattr__(name: str) -> Any:
    if name == "RedisIndex":
        from pipelines.near_duplicate.redis_index import RedisIndex

        return RedisIndex
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
