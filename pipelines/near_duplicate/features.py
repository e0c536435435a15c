"""What an index keeps per article besides the LSH bands: a 16-bit MinHash sketch and the verification features.

The sketch keeps the low 16 bits of each MinHash value (b-bit minwise hashing): two unrelated values agree by
chance with probability 1/65536, so the fraction of equal positions still estimates Jaccard similarity, at a
quarter of the memory of the full signature.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from pipelines.near_duplicate.signature import Fingerprint

# 42 bands of 3 rows (126 of the 128 permutations): a pair at Jaccard 0.3 collides in some band with
# probability 0.68, at 0.4 with 0.94, at 0.5 with 0.995; unrelated news (Jaccard < 0.05) almost never.
LSH_BANDS = 42
LSH_ROWS = 3
_HEADER = struct.Struct("<IId16sH")
_BAND_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)
_BAND_SALT = np.uint64(0xD6E8FEB86659FD93)


@dataclass(frozen=True, slots=True)
class Features:
    """The stored facts of one article that verification compares (see verify.py)."""

    content_hash: str
    shingles: int
    words: int
    slots: tuple[tuple[int, int], ...]
    published: datetime | None

    @classmethod
    def of(cls, fp: Fingerprint) -> Features:
        return cls(fp.content_hash, fp.shingles, fp.words, fp.slots, fp.published)

    def to_bytes(self) -> bytes:
        stamp = self.published.timestamp() if self.published else math.nan
        head = _HEADER.pack(
            self.shingles, self.words, stamp, bytes.fromhex(self.content_hash), len(self.slots)
        )
        return head + np.asarray(self.slots, dtype="<u4").reshape(-1).tobytes()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Features:
        shingles, words, stamp, digest, count = _HEADER.unpack_from(blob)
        flat = np.frombuffer(blob, dtype="<u4", offset=_HEADER.size, count=count * 2).tolist()
        return cls(
            content_hash=digest.hex(),
            shingles=shingles,
            words=words,
            slots=tuple(zip(flat[::2], flat[1::2], strict=True)),
            published=None if math.isnan(stamp) else datetime.fromtimestamp(stamp, UTC),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "h": self.content_hash,
            "n": self.shingles,
            "w": self.words,
            "s": [list(pair) for pair in self.slots],
            "p": self.published.isoformat() if self.published else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Features:
        return cls(
            content_hash=data["h"],
            shingles=int(data["n"]),
            words=int(data["w"]),
            slots=tuple((int(c), int(v)) for c, v in data["s"]),
            published=datetime.fromisoformat(data["p"]) if data["p"] else None,
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """An indexed article whose MinHash collided with the query in at least one LSH band."""

    key: str
    jaccard: float
    features: Features


def band_keys(hashvalues: np.ndarray) -> np.ndarray:
    """32-bit bucket key of each LSH band; `hashvalues` is (NUM_PERM,) or (n, NUM_PERM) -> (LSH_BANDS,) or (n, LSH_BANDS)."""
    values = np.asarray(hashvalues, dtype=np.uint64)
    rows = values[..., : LSH_BANDS * LSH_ROWS].reshape(*values.shape[:-1], LSH_BANDS, LSH_ROWS)
    with np.errstate(over="ignore"):
        mixed = (rows * _BAND_MULTIPLIERS).sum(axis=-1, dtype=np.uint64)
        mixed += np.arange(LSH_BANDS, dtype=np.uint64) * _BAND_SALT
        mixed ^= mixed >> np.uint64(29)
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
    return (mixed >> np.uint64(32)).astype(np.uint32)


def sketch16(hashvalues: np.ndarray) -> np.ndarray:
    """Low 16 bits of every MinHash value (see module docstring)."""
    return (np.asarray(hashvalues) & 0xFFFF).astype(np.uint16)


def estimate_jaccard(query: np.ndarray, stored: np.ndarray) -> np.ndarray:
    """Jaccard estimates of a (NUM_PERM,) sketch against (n, NUM_PERM) sketches, corrected for chance agreement."""
    agree = (stored == query).mean(axis=-1)
    chance = 1.0 / 65536
    return np.clip((agree - chance) / (1 - chance), 0.0, 1.0)
