"""Speed of the text analyser: tokens/s of `analyse` on ~5 KB Russian and Kazakh articles, with a cold and
a warm term cache, beside bare `tokenize` in the same run; and a warm `word_terms` call beside a dict lookup.

    .venv/bin/python benchmarks/bench_text.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsmon.text import analyse, tokenize, word_terms  # noqa: E402
from newsmon.text.russian import morph_analyzer  # noqa: E402
from newsmon.text.terms import clear_word_caches  # noqa: E402

SHARED = ROOT.parent / "shared"


def russian_article() -> str:
    return (SHARED / "samples" / "zhambyl-conference.ru.txt").read_text(encoding="utf-8")


def kazakh_article(size: int = 5000) -> str:
    """KazNERD sentences (TV news) glued into one text of about `size` bytes."""
    parts: list[str] = []
    with gzip.open(
        SHARED / "datasets" / "kazakh" / "kaznerd_test_sentences.jsonl.gz", "rt", encoding="utf-8"
    ) as f:
        for line in f:
            parts.append(json.loads(line)["text"])
            if sum(len(p.encode()) for p in parts) >= size:
                break
    return " ".join(parts)


def rate(run: Callable[[], int], repeat: int) -> float:
    """Tokens per second over `repeat` runs."""
    started = time.perf_counter()
    tokens = sum(run() for _ in range(repeat))
    return tokens / (time.perf_counter() - started)


def bench_article(name: str, text: str, lang: str, repeat: int) -> None:
    n = len(tokenize(text))
    clear_word_caches()
    baseline = rate(lambda: len(tokenize(text)), repeat)
    clear_word_caches()
    started = time.perf_counter()
    analyse(text, lang)
    cold = n / (time.perf_counter() - started)
    warm = rate(lambda: len(analyse(text, lang)), repeat)
    print(f"{name}: {len(text.encode()) / 1024:.1f} KB, {n} tokens")
    print(f"  tokenize (baseline)       {baseline:>10,.0f} tokens/s")
    print(f"  analyse, cold term cache  {cold:>10,.0f} tokens/s")
    print(f"  analyse, warm term cache  {warm:>10,.0f} tokens/s")


def bench_lookup(repeat: int) -> None:
    words = [t.norm for t in tokenize(russian_article())]
    table = {w: word_terms(w, "ru") for w in words}
    loops = repeat * 10
    started = time.perf_counter()
    for _ in range(loops):
        for w in words:
            table[w]
    per_dict = (time.perf_counter() - started) / (loops * len(words))
    started = time.perf_counter()
    for _ in range(loops):
        for w in words:
            word_terms(w, "ru")
    per_call = (time.perf_counter() - started) / (loops * len(words))
    print(f"warm word_terms: {per_call * 1e9:,.0f} ns/call; dict lookup baseline {per_dict * 1e9:,.0f} ns")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    morph_analyzer()
    print(f"pymorphy3 dictionaries loaded in {time.perf_counter() - started:.2f} s (once per process)")
    bench_article("Russian article", russian_article(), "ru", args.repeat)
    bench_article("Kazakh article", kazakh_article(), "kk", args.repeat)
    bench_lookup(args.repeat)


if __name__ == "__main__":
    main()
