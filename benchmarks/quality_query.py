"""Keyword matching quality of the public query engine, `compile_query(keyword).matches(sentence, lang)`,
beside an exact-substring matcher and a Snowball stem-prefix matcher, on the same cases.

The cases are those of benchmarks/quality_morphology.py (real Russian sentences with gold lemmas, Kazakh
KazNERD sentences with hand-checked base forms, look-alike negatives of another lemma, hand-written cases):
keywords in dictionary form, single words and adjective+noun phrases (phrases are quoted, as a user would).
Snowball has no Kazakh stemmer, so the Kazakh rows of that baseline strip two letters instead.

    .venv/bin/python benchmarks/quality_query.py [--show 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.text.morphology_eval import (  # noqa: E402
    Case,
    all_cases,
    exact_substring_match,
    query_match,
    score,
    snowball_prefix_match,
)

MATCHERS = {
    "compile_query(...).matches": query_match,
    "exact substring (casefolded)": exact_substring_match,
    "Snowball stem prefix": snowball_prefix_match,
}
TARGET = "target: recall >= 0.98, precision >= 0.97"


def _groups(cases: list[Case]) -> dict[str, list[Case]]:
    groups: dict[str, list[Case]] = {"all": cases}
    for lang in ("ru", "kk"):
        groups[lang] = [c for c in cases if c.lang == lang]
    groups["phrases"] = [c for c in cases if " " in c.keyword]
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print this many misses and false alarms")
    args = parser.parse_args()
    cases = all_cases()
    started = time.perf_counter()
    for group, members in _groups(cases).items():
        positives = sum(c.expected for c in members)
        print(f"\n{group}: {positives} positive, {len(members) - positives} negative cases")
        for name, matcher in MATCHERS.items():
            result = score(members, matcher)
            print(f"  {name:30s} recall {result.recall:.3f}  precision {result.precision:.3f}")
    print(f"\n{TARGET}; {time.perf_counter() - started:.1f}s")
    if args.show:
        result = score(cases, query_match)
        print("\nmisses:")
        for case in result.misses[: args.show]:
            print(f"  [{case.source}] {case.keyword!r} in {case.sentence[:150]!r}")
        print("false alarms:")
        for case in result.false_alarms[: args.show]:
            print(f"  [{case.source}] {case.keyword!r} in {case.sentence[:150]!r}")


if __name__ == "__main__":
    main()
