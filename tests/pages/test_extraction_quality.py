"""Quality floors of the extraction benchmark (benchmarks/extraction_quality.py); extraction is deterministic.

Floors sit a little below the measured figures so that a regression fails and noise cannot.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchmarks.extraction_quality import OURS, SHARED, evaluate_newsmon, load_pages

FLOORS = {
    # measured: ours F1 1.000, titles 100%, dates 100%, authors 100%; shared F1 0.991, titles 94.9%,
    # dates 100%, authors 86.4% (19 of the 22 pages with gold bylines).
    # The two shared titles missed are disputed gold: one keeps the site name ("--时政--人民网"), one is the
    # og:title where the h1 and the JSON-LD headline agree on another headline. Of the bylines missed, one
    # is unmarked text (a span before the date), one the editors' line («责编：...»), and two pages' gold
    # names another author than the page's own JSON-LD (an editor; the paper instead of the writer).
    "ours": {"f1": 0.98, "title_exact": 0.95, "date_right": 0.97, "authors_exact": 0.95},
    "shared": {"f1": 0.985, "title_exact": 0.94, "date_right": 0.97, "authors_exact": 0.85},
}


@pytest.mark.parametrize("name,manifest", [("ours", OURS), ("shared", SHARED)])
def test_quality_floor(name: str, manifest) -> None:
    if not manifest.exists():
        pytest.skip(f"{manifest} not available")
    now = datetime(2025, 9, 1, 12, 0, tzinfo=UTC) if name == "ours" else None
    summary = evaluate_newsmon(load_pages(manifest), now).summary()
    for metric, floor in FLOORS[name].items():
        assert summary[metric] >= floor, f"{name} {metric} {summary[metric]:.3f} < {floor}"
