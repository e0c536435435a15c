"""In-process LSH index of fingerprints, persistable to one file.

Layout: one row per article in numpy arrays (16-bit sketch, alive flag) and, per LSH band, a sorted array of
(bucket key, row) pairs searched with binary search. New articles go to a small pending array first (their
band keys, compared with a query's all at once) and are merged into the sorted arrays a thousand at a time,
so adding stays cheap and a lookup is 42 binary searches plus vectorised comparisons: about 600 bytes per
article instead of Python objects. Pending keys had been per-band dicts of lists, about 6 KB an article
until merged (20 MB in a 5,000-article crawl); the merge inserts the new keys into the sorted arrays instead
of sorting them again, which keeps merging a million-article index cheap.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np

from pipelines.near_duplicate.features import (
    LSH_BANDS,
    Candidate,
    Features,
    band_keys,
    estimate_jaccard,
    sketch16,
)
from pipelines.near_duplicate.signature import NUM_PERM, Fingerprint

logger = logging.getLogger(__name__)

# Candidates whose estimated Jaccard is below this are chance band collisions, not copies (see verify.py:
# even a copy cut to a third of the original with new header and footer stays above it).
CANDIDATE_FLOOR = 0.12
MAX_CANDIDATES = 64
# A bucket this full holds boilerplate (the band's minima all come from phrases every notice shares), not
# copies; a real copy collides in several other bands, so such buckets are skipped to bound a lookup.
MAX_BUCKET_ROWS = 1000
_MERGE_AT = 1024
_FORMAT = "newsmon-near-duplicate-index/1"


class NearDuplicateIndex(Protocol):
    """What the detector needs from an index; MemoryIndex and RedisIndex implement it."""

    def add(self, key: str, fp: Fingerprint) -> None: ...

    def query(self, fp: Fingerprint) -> list[Candidate]: ...

    def remove(self, key: str) -> None: ...


class MemoryIndex:
    """LSH index held in this process; `save`/`load` keep it between runs, `rebuild` recreates it from storage."""

    def __init__(self, capacity: int = 1024) -> None:
        self._reset(capacity)

    def _reset(self, capacity: int) -> None:
        self._keys: list[str | None] = []
        self._rows: dict[str, int] = {}
        self._sketches = np.zeros((max(capacity, 1), NUM_PERM), dtype=np.uint16)
        self._alive = np.zeros(max(capacity, 1), dtype=bool)
        self._features: list[bytes | None] = []
        self._band_keys = [np.zeros(0, dtype=np.uint32) for _ in range(LSH_BANDS)]
        self._band_rows = [np.zeros(0, dtype=np.uint32) for _ in range(LSH_BANDS)]
        self._pending_rows = np.zeros(_MERGE_AT, dtype=np.uint32)
        self._pending_bands = np.zeros((_MERGE_AT, LSH_BANDS), dtype=np.uint32)
        self._pending_count = 0
        self._removed = 0  # rows removed since the last compaction, still in the arrays

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def add(self, key: str, fp: Fingerprint) -> None:
        """Index `fp` under `key`; adding a key again replaces its fingerprint."""
        self._forget(key)
        row = self._append_row(key, fp.hashvalues, Features.of(fp).to_bytes())
        self._pending_rows[self._pending_count] = row
        self._pending_bands[self._pending_count] = band_keys(fp.hashvalues)
        self._pending_count += 1
        if self._pending_count == _MERGE_AT:
            self._merge_pending()
        self._compact_if_mostly_removed()

    def remove(self, key: str) -> None:
        """Forget `key` (a no-op when absent); its band entries are skipped until the next compaction, once
        removed rows outnumber the live ones (a long-running worker pruning a sliding window)."""
        self._forget(key)
        self._compact_if_mostly_removed()

    def _forget(self, key: str) -> None:
        row = self._rows.pop(key, None)
        if row is not None:
            self._keys[row] = None
            self._alive[row] = False
            self._features[row] = None
            self._removed += 1

    def prune(self, published_before: datetime) -> int:
        """Remove articles published before the cutoff (those without a date stay); returns how many."""
        doomed = []
        for key, row in self._rows.items():
            blob = self._features[row]
            published = Features.from_bytes(blob).published if blob else None
            if published is not None and published < published_before:
                doomed.append(key)
        for key in doomed:
            self.remove(key)
        return len(doomed)

    def query(self, fp: Fingerprint) -> list[Candidate]:
        """Indexed articles sharing an LSH band with `fp`, best estimated Jaccard first."""
        bands = band_keys(fp.hashvalues)
        count = self._pending_count
        pending = self._pending_bands[:count] == bands if count else None  # (pending rows, bands)
        pending_counts = pending.sum(axis=0).tolist() if pending is not None else [0] * LSH_BANDS
        full: list[int] = []  # bands whose bucket is over MAX_BUCKET_ROWS
        found: list[np.ndarray] = []
        for band, bucket in enumerate(bands):  # np.uint32 scalars: searchsorted must not cast the array
            keys = self._band_keys[band]
            lo = keys.searchsorted(bucket)
            merged = 0
            if lo < len(keys) and keys[lo] == bucket:
                merged = int(keys.searchsorted(bucket, side="right") - lo)
            if merged + pending_counts[band] > MAX_BUCKET_ROWS:
                full.append(band)
            elif merged:
                found.append(self._band_rows[band][lo : lo + merged])
        if pending is not None:
            if full:
                pending[:, full] = False
            found.append(self._pending_rows[:count][pending.any(axis=1)])
        if not found:
            return []
        rows = np.unique(np.concatenate(found))
        rows = rows[self._alive[rows]]  # a removed row stays in the band arrays until the next compaction
        scores = estimate_jaccard(sketch16(fp.hashvalues), self._sketches[rows])
        keep = scores >= CANDIDATE_FLOOR
        rows, scores = rows[keep], scores[keep]
        order = np.argsort(-scores, kind="stable")[:MAX_CANDIDATES]
        candidates = []
        for row, score in zip(rows[order].tolist(), scores[order].tolist(), strict=True):
            key, blob = self._keys[row], self._features[row]
            if key is not None and blob is not None:
                candidates.append(Candidate(key, score, Features.from_bytes(blob)))
        return candidates

    def rebuild(self, items: Iterable[tuple[str, Fingerprint]]) -> None:
        """Replace the contents with `items` (e.g. the fingerprints stored with the articles)."""
        self._reset(1024)
        rows: list[int] = []
        bands: list[np.ndarray] = []
        for key, fp in items:
            try:
                row = self._append_row(key, fp.hashvalues, Features.of(fp).to_bytes())
            except (AttributeError, ValueError) as exc:
                logger.warning("near-duplicate index: skipping %s: %s", key, exc)
                continue
            rows.append(row)
            bands.append(band_keys(fp.hashvalues))
        if rows:
            self._merge(np.asarray(rows, dtype=np.uint32), np.stack(bands))

    def add_sketches(self, keys: list[str], hashvalues: np.ndarray, features: list[Features]) -> None:
        """Bulk load precomputed signatures (n, NUM_PERM); used by benchmarks and bulk imports."""
        self._merge_pending()
        rows = []
        for key, values, feature in zip(keys, hashvalues, features, strict=True):
            self._forget(key)  # no compaction before the rows appended here are merged: it renumbers rows
            rows.append(self._append_row(key, values, feature.to_bytes()))
        if rows:
            self._merge(np.asarray(rows, dtype=np.uint32), band_keys(hashvalues))
        self._compact_if_mostly_removed()

    def _append_row(self, key: str, hashvalues: np.ndarray, blob: bytes) -> int:
        row = len(self._keys)
        if row >= len(self._sketches):
            grown = np.zeros((max(16, len(self._sketches) * 2), NUM_PERM), dtype=np.uint16)
            grown[: len(self._sketches)] = self._sketches
            self._sketches = grown
            self._alive = np.concatenate([self._alive, np.zeros(len(grown) - len(self._alive), dtype=bool)])
        self._sketches[row] = sketch16(hashvalues)
        self._alive[row] = True
        self._keys.append(key)
        self._features.append(blob)
        self._rows[key] = row
        return row

    def _merge_pending(self) -> None:
        """Fold the pending rows into the sorted band arrays."""
        count, self._pending_count = self._pending_count, 0
        if count:
            self._merge(self._pending_rows[:count].copy(), self._pending_bands[:count].copy())

    def _merge(self, rows: np.ndarray, bands: np.ndarray) -> None:
        """Insert rows (with their (n, LSH_BANDS) bucket keys) into the sorted band arrays, removed rows left
        out; new rows go after the rows already there with the same key, in the order given."""
        alive = self._alive[rows]
        rows, bands = rows[alive], bands[alive]
        for band in range(LSH_BANDS):
            order = np.argsort(bands[:, band], kind="stable")
            new_keys, new_rows = bands[order, band], rows[order]
            at = self._band_keys[band].searchsorted(new_keys, side="right")
            self._band_keys[band] = np.insert(self._band_keys[band], at, new_keys)
            self._band_rows[band] = np.insert(self._band_rows[band], at, new_rows)

    def _compact_if_mostly_removed(self) -> None:
        if self._removed > max(_MERGE_AT, len(self._rows)):
            self._compact()

    def _compact(self) -> None:
        """Drop the removed rows from every array and renumber the live ones in their order, as saving and
        loading does: the answers stay the same, the memory goes."""
        self._merge_pending()
        live = np.flatnonzero(self._alive[: len(self._keys)])
        renumbered = np.zeros(len(self._keys), dtype=np.uint32)
        renumbered[live] = np.arange(len(live), dtype=np.uint32)
        for band in range(LSH_BANDS):
            kept = self._alive[self._band_rows[band]]
            self._band_keys[band] = self._band_keys[band][kept]
            self._band_rows[band] = renumbered[self._band_rows[band][kept]]
        capacity = max(len(live), 1024)
        self._sketches = np.concatenate(
            [self._sketches[live], np.zeros((capacity - len(live), NUM_PERM), dtype=np.uint16)]
        )
        self._alive = np.zeros(capacity, dtype=bool)
        self._alive[: len(live)] = True
        self._keys = [self._keys[row] for row in live.tolist()]
        self._features = [self._features[row] for row in live.tolist()]
        self._rows = {key: row for row, key in enumerate(self._keys) if key is not None}
        self._removed = 0

    def nbytes(self) -> int:
        """Approximate memory held by the index, in bytes (arrays, feature blobs and key strings)."""
        arrays = self._sketches[: len(self._keys)].nbytes
        arrays += sum(a.nbytes for a in self._band_keys) + sum(a.nbytes for a in self._band_rows)
        arrays += self._pending_rows.nbytes + self._pending_bands.nbytes
        blobs = sum(len(b) + 33 for b in self._features if b is not None)
        keys = sum(len(k) + 49 for k in self._keys if k is not None)
        return arrays + blobs + keys + len(self._rows) * 100

    def save(self, path: str | Path) -> None:
        """Write the index to one .npz file (no pickle); removed rows are dropped."""
        self._merge_pending()
        live = [row for row, key in enumerate(self._keys) if key is not None]
        blobs = [self._features[row] or b"" for row in live]
        offsets = np.cumsum([0] + [len(b) for b in blobs], dtype=np.int64)
        header = {"format": _FORMAT, "keys": [self._keys[row] for row in live]}
        with open(path, "wb") as handle:
            np.savez(
                handle,
                header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
                sketches=self._sketches[live],
                blobs=np.frombuffer(b"".join(blobs), dtype=np.uint8),
                offsets=offsets,
                **{f"band{b}": self._band_keys_for(b, live) for b in range(LSH_BANDS)},
            )

    def _band_keys_for(self, band: int, live: list[int]) -> np.ndarray:
        """Bucket key of each live row in one band (rows are renumbered on save)."""
        keys = np.zeros(len(self._keys), dtype=np.uint32)
        keys[self._band_rows[band]] = self._band_keys[band]
        return keys[live]

    @classmethod
    def load(cls, path: str | Path) -> MemoryIndex:
        """Read an index written by `save`; raises ValueError when the file is not one."""
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(data["header"].tobytes().decode("utf-8"))
                if header.get("format") != _FORMAT:
                    raise ValueError(f"unknown format {header.get('format')!r}")
                keys: list[str] = header["keys"]
                blob, offsets = data["blobs"].tobytes(), data["offsets"]
                index = cls(capacity=len(keys))
                index._sketches[: len(keys)] = data["sketches"]
                index._alive[: len(keys)] = True
                bands = [data[f"band{b}"] for b in range(LSH_BANDS)]
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"{path} is not a near-duplicate index: {exc}") from exc
        index._keys = list(keys)
        index._rows = {key: row for row, key in enumerate(keys)}
        index._features = [blob[offsets[i] : offsets[i + 1]] for i in range(len(keys))]
        rows = np.arange(len(keys), dtype=np.uint32)
        for band in range(LSH_BANDS):
            order = np.argsort(bands[band], kind="stable")
            index._band_keys[band], index._band_rows[band] = bands[band][order], rows[order]
        return index
