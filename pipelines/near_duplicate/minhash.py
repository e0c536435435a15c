"""MinHash signatures of shingle sets, equal bit for bit to datasketch's `MinHash(scheme="affine32")`.

datasketch's package imports SciPy for its LSH parameter search: about 60 MB in every process that
fingerprints articles (the crawl's and its analysis worker's), for a signature that is a few numpy
operations. So the signature is computed here, the same way: each shingle's SHA-1 (first 4 bytes, little
endian), mixed by the MurmurHash3 finalizer, then permuted by h -> a*h + b mod 2^32 with odd `a` drawn, as
datasketch draws them, from numpy's RandomState(seed). tests/pipelines/test_minhash.py checks the result
against datasketch itself, so fingerprints stored by either stay comparable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from operator import methodcaller

import numpy as np

EMPTY = np.uint32(0xFFFFFFFF)  # the value of a permutation that saw no shingle
_DIGEST = methodcaller("digest")
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@lru_cache(maxsize=4)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) of each permutation, shape (num_perm,) each; `a` is odd, so each one is a bijection."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer: spreads weak or structured input hashes over all bits."""
    shift1, multiplier1, shift2, multiplier2, shift3 = _FMIX
    values = values ^ (values >> shift1)
    values = values * multiplier1
    values = values ^ (values >> shift2)
    values = values * multiplier2
    return values ^ (values >> shift3)


def _sha1_32(shingles: Iterable[bytes]) -> np.ndarray:
    """The first 4 bytes of each shingle's SHA-1, little endian: the digests are joined and read as rows of
    five 32-bit words, of which the first is kept (a third faster than converting each digest in Python)."""
    digests = b"".join(map(_DIGEST, map(hashlib.sha1, shingles)))
    return np.frombuffer(digests, dtype="<u4").reshape(-1, 5)[:, 0].astype(np.uint32)


def signature(shingles: Iterable[bytes], num_perm: int, seed: int) -> np.ndarray:
    """The (num_perm,) uint32 MinHash of `shingles`; all EMPTY for no shingles."""
    hashes = _sha1_32(shingles)
    if not hashes.size:
        return np.full(num_perm, EMPTY, dtype=np.uint32)
    a, b = permutations(num_perm, seed)
    with np.errstate(over="ignore"):  # the wrap-around is the mod 2^32
        # An outer product written in place: five times faster than broadcasting a column against `a`.
        permuted = np.multiply.outer(_fmix32(hashes), a)
        permuted += b
    return permuted.min(axis=0)
