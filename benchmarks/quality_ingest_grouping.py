"""Story grouping of `newsmon ingest`, judged the way the held-out set is judged.

The quality set (tests/fixtures/dedupe/articles.jsonl, gold story per line) is loaded with
`newsmon ingest FILE --report OUT.jsonl` into an empty SQLite database, in the file's order and in shuffled
orders; the stories the report gives per line (after story merges) are compared with the gold stories by
pairwise precision and recall over all article pairs. Baseline in the same run: the near-duplicate engine
alone (`benchmarks/quality_dedupe.py`: in-memory, one story per first match, no merges, no URL or exact-copy
checks) on the same orders.

    .venv/bin/python benchmarks/quality_ingest_grouping.py [--orders 3] [--set PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.quality_dedupe import (  # noqa: E402
    QUALITY_SET,
    Scores,
    fingerprints_of,
    load_articles,
    pairwise,
)

TARGET_PRECISION = 0.98
TARGET_RECALL = 0.95


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ordered(rows: list[dict], order: int) -> list[dict]:
    """Order 0 is the file's order; others are seeded shuffles."""
    rows = list(rows)
    if order:
        Random(order).shuffle(rows)
    return rows


def score_report(rows: list[dict], report: list[dict]) -> Scores:
    """Pairwise scores of the stories in an ingest report; line N of the report is input line N."""
    by_line = {number: row for number, row in enumerate(rows, 1)}
    gold = {row["id"]: row["story"] for row in rows}
    assigned = {}
    for line in report:
        row = by_line[line["line"]]
        # A rejected or unstored line is a story of its own (it joins nothing).
        assigned[row["id"]] = line["story_id"] if line.get("story_id") else f"unstored-{row['id']}"
    precision, recall = pairwise(assigned, gold)
    return Scores(precision, recall, len(set(assigned.values())), len(set(gold.values())))


def run_ingest(rows: list[dict], workdir: Path) -> tuple[list[dict], float, str]:
    """`newsmon ingest --report` of `rows` into an empty database in `workdir`: (report, seconds, summary)."""
    source = workdir / "articles.jsonl"
    source.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    report = workdir / "report.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    env["NEWSMON_DATA_DIR"] = str(workdir / "data")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "ingest", str(source), "--report", str(report)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    took = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"newsmon ingest failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return read_rows(report), took, result.stdout.strip().splitlines()[0]


def engine_baseline(path: Path, order: int) -> Scores:
    """The engine alone on the same order (no merges, no exact-copy or URL checks)."""
    from benchmarks.quality_dedupe import engine_matcher, score
    from pipelines.near_duplicate import MemoryIndex, NearDuplicateDetector

    rows = ordered(load_articles(path), order)
    fps = fingerprints_of(rows)
    detector = NearDuplicateDetector(MemoryIndex())
    assigned: dict[str, str] = {}
    match = engine_matcher(detector)
    for row in rows:
        found = match(row["id"], fps[row["id"]])
        assigned[row["id"]] = assigned[found] if found else row["id"]
    return score(rows, assigned)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=3, help="file order plus this many minus one shuffles")
    parser.add_argument(
        "--set", type=Path, default=QUALITY_SET, help="JSONL set with a gold `story` per line"
    )
    args = parser.parse_args()
    rows = read_rows(args.set)
    print(
        f"quality set: {len(rows)} articles, {len({r['story'] for r in rows})} gold stories ({args.set.name})"
    )
    worst_p = worst_r = 1.0
    for order in range(args.orders):
        lines = ordered(rows, order)
        with tempfile.TemporaryDirectory(prefix="newsmon-grouping-") as tmp:
            report, took, summary = run_ingest(lines, Path(tmp))
        scores = score_report(lines, report)
        baseline = engine_baseline(args.set, order)
        name = "file order" if order == 0 else f"shuffle {order}"
        print(f"{name:10s} newsmon ingest: {scores}  ({took:.1f}s; {summary})")
        print(f"{'':10s} engine alone:   {baseline}")
        worst_p, worst_r = min(worst_p, scores.precision), min(worst_r, scores.recall)
    verdict = "meets" if worst_p >= TARGET_PRECISION and worst_r >= TARGET_RECALL else "MISSES"
    print(
        f"worst order: precision {worst_p:.3f}  recall {worst_r:.3f}  "
        f"({verdict} the targets {TARGET_PRECISION} / {TARGET_RECALL})"
    )


if __name__ == "__main__":
    main()
