"""Keyword matching quality of the text analyser against two baselines, on the same cases.

Cases: Russian inflected words and adjective+noun phrases with gold lemmas (CoNLL-U in ../shared/datasets),
Kazakh inflected words from KazNERD with hand-checked base forms (tests/fixtures/text/kk_forms.tsv),
look-alike negatives of another lemma, and hand-written cases (tests/fixtures/text/hand_cases.tsv).
A case matches when every keyword word shares index terms with the adjacent sentence word in its place.

    .venv/bin/python benchmarks/quality_morphology.py [--show 10]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.text.morphology_eval import (  # noqa: E402
    all_cases,
    exact_substring_match,
    morphology_match,
    print_report,
    stem_prefix_match,
)

MATCHERS = {
    "analyser (word_terms)": morphology_match,
    "exact substring (casefolded)": exact_substring_match,
    "stem prefix (strip 2 letters)": stem_prefix_match,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print this many misses and false alarms")
    args = parser.parse_args()
    print_report(MATCHERS, all_cases(), args.show)


if __name__ == "__main__":
    main()
