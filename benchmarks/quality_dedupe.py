"""Story quality of the near-duplicate engine on tests/fixtures/dedupe/articles.jsonl.

Judged the way a held-out set is judged: the articles go, in a shuffled order, into an empty index through
fingerprint -> find -> join the matched article's story (or start a new one) -> add; then pairwise precision
and recall over all article pairs against the gold stories. Plain MinHash LSH at Jaccard 0.5 and 0.8 run in
the same pass over the same order as baselines.

    .venv/bin/python benchmarks/quality_dedupe.py [--seeds 3] [--errors 10]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from datasketch import LeanMinHash, MinHashLSH  # noqa: E402

from pipelines.near_duplicate import (  # noqa: E402
    Fingerprint,
    MemoryIndex,
    NearDuplicateDetector,
    fingerprint,
)
from pipelines.near_duplicate.signature import MINHASH_SEED  # noqa: E402

QUALITY_SET = ROOT / "tests" / "fixtures" / "dedupe" / "articles.jsonl"


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    stories: int
    gold_stories: int

    def __str__(self) -> str:
        return f"precision {self.precision:.3f}  recall {self.recall:.3f}  stories {self.stories}/{self.gold_stories}"


def load_articles(path: Path = QUALITY_SET) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        row["published"] = datetime.fromisoformat(row["published"]) if row["published"] else None
    return rows


def fingerprints_of(rows: list[dict]) -> dict[str, Fingerprint]:
    return {
        row["id"]: fingerprint(row["text"], title=row["title"], lang=row["lang"], published=row["published"])
        for row in rows
    }


def pairwise(assigned: dict[str, str], gold: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering against gold clusters."""

    def pairs(labels: dict[str, str]) -> set[tuple[str, str]]:
        groups: dict[str, list[str]] = {}
        for item, label in labels.items():
            groups.setdefault(label, []).append(item)
        return {tuple(sorted(p)) for members in groups.values() for p in combinations(members, 2)}

    found, truth = pairs(assigned), pairs(gold)
    true_pos = len(found & truth)
    return (true_pos / len(found) if found else 1.0), (true_pos / len(truth) if truth else 1.0)


Matcher = Callable[[str, Fingerprint], str | None]


def engine_matcher(detector: NearDuplicateDetector) -> Matcher:
    def match(key: str, fp: Fingerprint) -> str | None:
        verdict = detector.find(fp)
        detector.index.add(key, fp)
        return verdict.key if verdict else None

    return match


def minhash_matcher(threshold: float) -> Matcher:
    """Baseline: datasketch MinHashLSH at `threshold`, best candidate by estimated Jaccard above it."""
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    stored: dict[str, object] = {}

    def match(key: str, fp: Fingerprint) -> str | None:
        minhash = LeanMinHash(seed=MINHASH_SEED, hashvalues=fp.hashvalues.astype("uint32"), scheme="affine32")
        scored = [(minhash.jaccard(stored[k]), k) for k in lsh.query(minhash)]
        scored = [(score, k) for score, k in scored if score >= threshold]
        lsh.insert(key, minhash)
        stored[key] = minhash
        return max(scored)[1] if scored else None

    return match


def run(rows: list[dict], fps: dict[str, Fingerprint], matcher: Matcher, seed: int) -> dict[str, str]:
    """Story id per article after feeding the shuffled articles through `matcher`."""
    order = list(rows)
    Random(seed).shuffle(order)
    story_of: dict[str, str] = {}
    for row in order:
        matched = matcher(row["id"], fps[row["id"]])
        story_of[row["id"]] = story_of[matched] if matched else row["id"]
    return story_of


def run_with_merges(rows: list[dict], fps: dict[str, Fingerprint], seed: int) -> dict[str, str]:
    """Like `run`, but every verified candidate's story is merged into the new article's (find_all)."""
    detector = NearDuplicateDetector(MemoryIndex())
    order = list(rows)
    Random(seed).shuffle(order)
    parent: dict[str, str] = {}

    def root(item: str) -> str:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for row in order:
        key, fp = row["id"], fps[row["id"]]
        parent[key] = key
        for verdict in detector.find_all(fp):
            parent[root(verdict.key)] = root(key)
        detector.index.add(key, fp)
    return {key: root(key) for key in parent}


def score(rows: list[dict], assigned: dict[str, str]) -> Scores:
    gold = {row["id"]: row["story"] for row in rows}
    precision, recall = pairwise(assigned, gold)
    return Scores(precision, recall, len(set(assigned.values())), len(set(gold.values())))


def evaluate_engine(rows: list[dict], fps: dict[str, Fingerprint], seed: int = 0) -> Scores:
    detector = NearDuplicateDetector(MemoryIndex())
    return score(rows, run(rows, fps, engine_matcher(detector), seed))


def report_errors(
    rows: list[dict], fps: dict[str, Fingerprint], assigned: dict[str, str], limit: int
) -> None:
    """Print wrongly merged and wrongly split articles with what verification measured."""
    by_id = {row["id"]: row for row in rows}
    detector = NearDuplicateDetector(MemoryIndex())
    for key, fp in fps.items():
        detector.index.add(key, fp)
    merged = Counter()
    for story in set(assigned.values()):
        members = [k for k, s in assigned.items() if s == story]
        golds = {by_id[k]["story"] for k in members}
        if len(golds) > 1:
            merged[tuple(sorted({by_id[k]["kind"] for k in members}))] += 1
            if limit > 0:
                limit -= 1
                print("  merged:", [(k, by_id[k]["story"], by_id[k]["kind"]) for k in members])
    print("  wrong merges by kinds:", dict(merged))
    for story in {row["story"] for row in rows}:
        members = [row["id"] for row in rows if row["story"] == story]
        if len({assigned[k] for k in members}) > 1 and limit > 0:
            limit -= 1
            print("  split:", story, [(k, by_id[k]["kind"], assigned[k]) for k in members])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=3, help="how many shuffled orders to average over")
    parser.add_argument("--errors", type=int, default=0, help="print up to this many wrong merges/splits")
    parser.add_argument("--set", type=Path, default=QUALITY_SET, help="JSONL quality set (make_set.py --out)")
    args = parser.parse_args()
    rows = load_articles(args.set)
    fps = fingerprints_of(rows)
    print(f"quality set: {len(rows)} articles, {len({r['story'] for r in rows})} stories")
    contenders: dict[str, Callable[[], Matcher]] = {
        "engine (LSH + verification)": lambda: engine_matcher(NearDuplicateDetector(MemoryIndex())),
        "baseline MinHash J>=0.5": lambda: minhash_matcher(0.5),
        "baseline MinHash J>=0.8": lambda: minhash_matcher(0.8),
    }
    for name, make in contenders.items():
        results = [score(rows, run(rows, fps, make(), seed)) for seed in range(args.seeds)]
        precision = sum(r.precision for r in results) / len(results)
        recall = sum(r.recall for r in results) / len(results)
        worst = min(results, key=lambda r: r.precision)
        print(f"{name:30s} precision {precision:.3f}  recall {recall:.3f}  (worst order: {worst})")
    merged = [score(rows, run_with_merges(rows, fps, seed)) for seed in range(args.seeds)]
    print(
        f"{'engine + story merges':30s} precision {sum(r.precision for r in merged) / len(merged):.3f}  "
        f"recall {sum(r.recall for r in merged) / len(merged):.3f}  (find_all: stories joined by a later copy)"
    )
    if args.errors:
        assigned = run(rows, fps, engine_matcher(NearDuplicateDetector(MemoryIndex())), 0)
        report_errors(rows, fps, assigned, args.errors)


if __name__ == "__main__":
    main()
