"""Speed and memory of the multi-watch matcher against a regex-per-watch loop measured in the same run.

Watches are generated from real vocabulary (gold lemmas of the Russian CoNLL-U corpora, words and named
entities of the Kazakh KazNERD sentences); articles of about 5 KB are built from the sentences of the same
corpora. Usage:

    .venv/bin/python benchmarks/bench_matcher.py [--watches 10000] [--articles 10000] [--seed 1]

Targets: >= 1,000 articles/s per core with morphology, >= 500x the regex loop, compiled matcher <= 300 MB,
recompiling all watches <= 5 s.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import random
import re
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsmon.query import WatchMatcher  # noqa: E402
from newsmon.text import fold, word_terms  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
CONTENT_POS = {"NOUN", "PROPN", "ADJ", "VERB"}
_WORD = re.compile(r"^[^\W\d_]{4,}$")


COMMON = 1000  # the most frequent words are left out of watches: monitors track names and topics


def _is_name_pair(first: list[str], second: list[str]) -> bool:
    """«Жамбылская область», «Нурсултан Назарбаев»: what monitors put in quotes."""
    kinds = first[3] in ("ADJ", "PROPN") and second[3] in ("NOUN", "PROPN")
    return kinds and bool(_WORD.match(first[1]) and _WORD.match(second[1]))


def russian_corpus() -> tuple[list[str], list[str], list[str]]:
    """(sentences, content lemmas except the most common, adjective/name + noun pairs) of the CoNLL-U files."""
    sentences: list[str] = []
    lemmas: Counter[str] = Counter()
    pairs: set[str] = set()
    previous: list[str] = []
    for path in sorted((DATASETS / "russian").glob("*.conllu")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# text = "):
                sentences.append(line[9:])
            elif line and line[0].isdigit():
                cols = line.split("\t")
                if len(cols) > 3 and cols[3] in CONTENT_POS and _WORD.match(cols[2]):
                    lemmas[cols[2].lower()] += 1
                if len(cols) > 3 and previous and _is_name_pair(previous, cols):
                    pairs.add(f"{previous[1]} {cols[1]}")
                previous = cols
    return sentences, sorted(lemma for lemma, _ in lemmas.most_common()[COMMON:]), sorted(pairs)


def kazakh_corpus() -> tuple[list[str], list[str], list[str]]:
    """(sentences, words except the most common, multi-word entities) of the KazNERD test sentences."""
    sentences: list[str] = []
    words: Counter[str] = Counter()
    entities: set[str] = set()
    with gzip.open(DATASETS / "kazakh" / "kaznerd_test_sentences.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            sentences.append(row["text"].replace(" ,", ",").replace(" .", "."))
            words.update(t.lower() for t in row["tokens"] if _WORD.match(t))
            entities.update(
                e["text"] for e in row["entities"] if re.fullmatch(r"\w{3,}(?: \w{3,}){1,3}", e["text"])
            )
    # Monitors type dictionary forms («жер», «облыс»), not inflected ones («жерлерінде»).
    roots = [w for w, _ in words.most_common()[COMMON:] if min(word_terms(w, "kk"), key=len) == fold(w)]
    return sentences, sorted(roots), sorted(entities)


def make_watches(count: int, rng: random.Random) -> list[tuple[int, str]]:
    """A mix of single words, phrases, AND, OR, NEAR and NOT queries in Russian and Kazakh."""
    _, ru_lemmas, ru_phrases = russian_corpus()
    _, kk_words, kk_entities = kazakh_corpus()

    def word() -> str:
        return rng.choice(ru_lemmas) if rng.random() < 0.6 else rng.choice(kk_words)

    def phrase() -> str:
        return rng.choice(ru_phrases) if rng.random() < 0.5 else rng.choice(kk_entities)

    shapes = [
        (0.35, lambda: word()),
        (0.20, lambda: f'"{phrase()}"'),
        (0.20, lambda: f"{word()} {word()}"),
        (0.10, lambda: f"{word()} OR {word()} OR {word()}"),
        (0.08, lambda: f"{word()} NEAR/5 {word()}"),
        (0.07, lambda: f'("{phrase()}" OR {word()}) -{word()}'),
    ]
    watches = []
    for watch_id in range(1, count + 1):
        pick, total = rng.random(), 0.0
        for share, build in shapes:
            total += share
            if pick <= total:
                watches.append((watch_id, build()))
                break
        else:
            watches.append((watch_id, word()))
    return watches


def make_articles(count: int, rng: random.Random, size: int = 5 * 1024) -> list[tuple[str, str]]:
    """Articles of about `size` bytes of UTF-8, each from the sentences of one language."""
    ru_sentences, _, _ = russian_corpus()
    kk_sentences, _, _ = kazakh_corpus()
    articles = []
    for _ in range(count):
        lang, pool = ("ru", ru_sentences) if rng.random() < 0.5 else ("kk", kk_sentences)
        parts: list[str] = []
        length = 0
        while length < size:
            sentence = rng.choice(pool)
            parts.append(sentence)
            length += len(sentence.encode()) + 1
        articles.append((" ".join(parts), lang))
    return articles


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def regex_for(query: str) -> re.Pattern[str]:
    """The baseline: one regex per watch, words as stems with any ending, AND/NOT as lookaheads."""

    def leaf(text: str) -> str:
        words = [fold(w) for w in text.strip('"()').split()]
        stems = [re.escape(w[: max(4, len(w) - 2)]) + r"\w*" for w in words]
        return r"\b" + r"\W+".join(stems)

    query = query.replace(" NEAR/5 ", " ")
    if " OR " in query and "(" not in query:
        return re.compile("|".join(leaf(p) for p in query.split(" OR ")))
    parts = re.findall(r'-?"[^"]+"|-?\(?"[^"]+" OR [^)]+\)|-?\S+', query)
    pattern = r"\A"  # lookaheads from the start only, or every position would rescan the text
    for part in parts:
        if part.startswith("-"):
            pattern += rf"(?![\s\S]*{leaf(part[1:])})"
        elif " OR " in part:
            pattern += r"(?=[\s\S]*?(?:" + "|".join(leaf(p) for p in part.strip("()").split(" OR ")) + "))"
        else:
            pattern += rf"(?=[\s\S]*?{leaf(part)})"
    return re.compile(pattern)


def bench_regex(watches: list[tuple[int, str]], articles: list[tuple[str, str]]) -> float:
    """Seconds per article for the regex loop over every watch."""
    patterns = [regex_for(query) for _, query in watches]
    started = time.perf_counter()
    for text, _ in articles:
        folded = fold(text)
        for pattern in patterns:
            pattern.search(folded)
    return (time.perf_counter() - started) / len(articles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watches", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--regex-sample", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    watches = make_watches(args.watches, rng)
    articles = make_articles(args.articles, rng)
    size = sum(len(t.encode()) for t, _ in articles) / len(articles)
    print(f"{len(watches)} watches, {len(articles)} articles of {size / 1024:.1f} KB on average")
    word_terms("прогрев")  # load the dictionaries before measuring memory

    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    matcher = WatchMatcher.build(watches)
    first_build = time.perf_counter() - started
    print(f"first build: {first_build:.2f} s (cold morphology), RSS +{rss_mb() - before:.0f} MB")
    print(
        f"  {len(matcher)} watches compiled, {len(matcher.errors)} rejected, vocabulary {len(matcher.vocabulary)}"
    )
    started = time.perf_counter()
    WatchMatcher.build(watches)
    print(f"recompile all watches: {time.perf_counter() - started:.2f} s (target <= 5 s)")
    tracemalloc.start()
    rebuilt = WatchMatcher.build(watches)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del rebuilt
    print(f"compiled matcher: {current / 2**20:.1f} MB by tracemalloc (target <= 300 MB)")

    for label in ("first pass (cold form cache)", "second pass (warm)"):
        matches = 0
        started = time.perf_counter()
        for text, lang in articles:
            matches += len(matcher.match(text, lang=lang))
        elapsed = time.perf_counter() - started
        rate = len(articles) / elapsed
        print(f"{label}: {rate:,.0f} articles/s, {matches / len(articles):.1f} matched watches per article")
    print(
        f"after matching: RSS +{rss_mb() - before:.0f} MB over the start (matcher, form cache, term caches)"
    )

    sample = articles[: max(1, len(articles) // 20)]
    started = time.perf_counter()
    for text, lang in sample:
        for result in matcher.match(text, lang=lang).values():
            result.spans  # noqa: B018 - resolve the lazy highlight spans too
    spans_rate = len(sample) / (time.perf_counter() - started)
    print(f"warm, with the spans of every matched watch worked out: {spans_rate:,.0f} articles/s")
    unfiltered = WatchMatcher.build(watches, prefilter=False)
    differ = sum(
        matcher.match(t, lang=lang).keys() != unfiltered.match(t, lang=lang).keys() for t, lang in sample
    )
    print(
        f"prefilter check: {differ} of {len(sample)} articles match differently when every word is analysed"
    )

    per_article = bench_regex(watches, articles[: args.regex_sample])
    print(
        f"regex loop over {len(watches)} watches: {1 / per_article:.2f} articles/s (sample {args.regex_sample})"
    )
    print(f"speed-up (warm): {rate * per_article:,.0f}x (target >= 500x)")


if __name__ == "__main__":
    main()
