"""Story quality on the dedupe quality set, judged like the held-out set: shuffled articles into an empty index.

Floors sit a little below what the engine reaches (see benchmarks/quality_dedupe.py for the figures) so a
regression fails here.
"""

from __future__ import annotations

import pytest

from benchmarks.quality_dedupe import (
    evaluate_engine,
    fingerprints_of,
    load_articles,
    minhash_matcher,
    run,
    score,
)

PRECISION_FLOOR = 0.98
RECALL_FLOOR = 0.92


@pytest.fixture(scope="module")
def quality_set():
    rows = load_articles()
    return rows, fingerprints_of(rows)


def test_quality_set_is_big_enough(quality_set):
    rows, _ = quality_set
    assert len(rows) >= 300
    assert len({r["story"] for r in rows}) >= 100
    assert {r["lang"] for r in rows} == {"ru", "kk", "en"}


@pytest.mark.parametrize("order", [0, 1, 2])
def test_engine_forms_the_gold_stories(quality_set, order: int):
    rows, fps = quality_set

    scores = evaluate_engine(rows, fps, seed=order)

    assert scores.precision >= PRECISION_FLOOR, scores
    assert scores.recall >= RECALL_FLOOR, scores


def test_engine_beats_plain_minhash(quality_set):
    rows, fps = quality_set

    engine = evaluate_engine(rows, fps, seed=0)
    loose = score(rows, run(rows, fps, minhash_matcher(0.5), seed=0))
    strict = score(rows, run(rows, fps, minhash_matcher(0.8), seed=0))

    assert engine.precision > loose.precision
    assert engine.recall > strict.recall
