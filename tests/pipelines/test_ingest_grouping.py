"""Stories formed by `newsmon ingest` on part of the dedupe quality set: the held-out set is judged this way.

Floors at the targets (pairwise precision 0.98, recall 0.95); the whole set's figures come from
benchmarks/quality_ingest_grouping.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.quality_dedupe import QUALITY_SET
from benchmarks.quality_ingest_grouping import ordered, read_rows, score_report
from tests.newsmon_env import newsmon_settings

PRECISION_FLOOR = 0.98
RECALL_FLOOR = 0.95
STORIES = 80  # the first stories of the set, every article of each


@pytest.fixture(scope="module")
def subset() -> list[dict]:
    rows = read_rows(QUALITY_SET)
    stories = list(dict.fromkeys(row["story"] for row in rows))[:STORIES]
    return [row for row in rows if row["story"] in set(stories)]


@pytest.mark.parametrize("order", [0, 1])
def test_ingest_forms_the_gold_stories(
    subset: list[dict], order: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsmon.cli.main import cli

    rows = ordered(subset, order)
    archive = tmp_path / "articles.jsonl"
    archive.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    report = tmp_path / "report.jsonl"

    with newsmon_settings(monkeypatch, tmp_path / "data"):
        result = CliRunner().invoke(cli, ["ingest", str(archive), "--report", str(report), "--no-match"])

    assert result.exit_code == 0, result.output
    scores = score_report(rows, read_rows(report))
    assert scores.precision >= PRECISION_FLOOR, scores
    assert scores.recall >= RECALL_FLOOR, scores
