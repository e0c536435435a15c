"""Fingerprints' MinHash is datasketch's affine32 MinHash, value for value, so signatures stored by either
(in the database, the Redis index, a snapshot) stay comparable."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from pipelines.near_duplicate.minhash import EMPTY, signature
from pipelines.near_duplicate.signature import MINHASH_SEED, NUM_PERM, analyse_words, fingerprint, shingle_set
from tests.conftest import SAMPLES


def _datasketch(shingles: set[bytes], num_perm: int = NUM_PERM, seed: int = MINHASH_SEED) -> np.ndarray:
    minhash = MinHash(num_perm=num_perm, seed=seed, scheme="affine32")
    minhash.update_batch(sorted(shingles))
    return minhash.hashvalues


def test_an_article_s_signature_is_datasketch_s() -> None:
    text = (SAMPLES / "zhambyl-conference.ru.txt").read_text(encoding="utf-8")
    shingles = shingle_set([word.norm for word in analyse_words(text)])
    assert len(shingles) > 100
    expected = _datasketch(shingles)
    assert np.array_equal(signature(shingles, NUM_PERM, MINHASH_SEED), expected)
    assert fingerprint(text).signature == expected.astype("<u4").tobytes()


@pytest.mark.parametrize(("count", "num_perm", "seed"), [(1, 128, 1), (7, 64, 3), (2000, 256, 42)])
def test_any_set_size_seed_and_width(count: int, num_perm: int, seed: int) -> None:
    shingles = {f"слово {i} {i * 7919 % 1000}".encode() for i in range(count)}
    assert np.array_equal(signature(shingles, num_perm, seed), _datasketch(shingles, num_perm, seed))


def test_no_shingles_is_the_empty_signature() -> None:
    empty = signature([], NUM_PERM, MINHASH_SEED)
    assert empty.dtype == np.uint32 and (empty == EMPTY).all()
    assert np.array_equal(empty, MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme="affine32").hashvalues)
