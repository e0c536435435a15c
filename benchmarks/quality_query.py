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
    all_cases,
    exact_substring_match,
    print_report,
    query_match,
    snowball_prefix_match,
)

MATCHERS = {
    "compile_query(...).matches": query_match,
    "exact substring (casefolded)": exact_substring_match,
    "Snowball stem prefix": snowball_prefix_match,
}
TARGET = "target: recall >= 0.98, precision >= 0.97"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print this many misses and false alarms")
    args = parser.parse_args()
    started = time.perf_counter()
    print_report(MATCHERS, all_cases(), args.show, phrases=True)
    print(f"\n{TARGET}; {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
