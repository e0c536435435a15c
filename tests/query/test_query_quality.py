"""Pinned quality floors of the public query engine on the morphology set (figures: benchmarks/quality_query.py).

A held-out set is run through `compile_query(keyword).matches(sentence, lang)`, so the floors are checked on
that path, not only on the analyser beneath it, and beside the two baselines the target is stated against.
"""

from __future__ import annotations

import pytest

from tests.conftest import DATASETS
from tests.text.morphology_eval import (
    all_cases,
    exact_substring_match,
    query_match,
    score,
    snowball_prefix_match,
)

pytestmark = pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is not present")


def test_the_query_engine_keeps_the_stemmers_recall_with_far_fewer_false_alarms() -> None:
    cases = all_cases()
    ours = score(cases, query_match)
    assert ours.positives >= 1000 and ours.negatives >= 400
    assert ours.recall >= 0.98 and ours.precision >= 0.97
    snowball = score(cases, snowball_prefix_match)
    assert ours.recall >= snowball.recall and ours.precision >= snowball.precision + 0.1
    assert ours.recall > score(cases, exact_substring_match).recall + 0.3


def test_phrases_in_dictionary_form_match_their_inflected_occurrences() -> None:
    phrases = [case for case in all_cases() if " " in case.keyword and case.expected]
    assert len(phrases) >= 150
    assert score(phrases, query_match).recall >= 0.98
