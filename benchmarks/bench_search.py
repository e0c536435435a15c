"""Search speed on a synthetic archive: two-term searches, a year's trend, export throughput, both backends.

Articles are built from the word forms of the Russian CoNLL-U corpora (Zipf-like: drawn by corpus
frequency), dated over one year, two copies per story, with `search_terms` computed per distinct form
(as pipelines.dedupe.search_terms does per token) and bulk-inserted with executemany. Baselines measured
in the same run: the full-text count query alone for the same two terms, and a LIKE scan of the text on a
10,000-article subset. Export is timed per format next to two baselines from the same run: the matching
ids alone in id order (what the database needs just to find the rows) and the per-row JSONL writer export
used before (a Document object and a json.dumps per row). Usage:

    .venv/bin/python benchmarks/bench_search.py [--n 100000] [--backend sqlite|postgresql|both] [--queries 40]
        [--wide-rows]

Targets at 1,000,000 articles: two-term search p95 <= 200 ms on each backend; the trend of a query over
a year <= 500 ms; export >= 50,000 rows/s. Trends are timed when first asked (a word in more than
KEEP_MIN_MATCHES articles is then counted once and its counts kept) and when asked again.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

from newsmon.search import ExportRequest, SearchRequest, build_filters, export, prepare_query, search, trends  # noqa: E402
from newsmon.search.trends import (  # noqa: E402
    KEEP_AHEAD_MATCHES,
    KEEP_MIN_MATCHES,
    _countable_terms,
    keep_common_words,
)
from newsmon.storage import Repository  # noqa: E402
from newsmon.storage.migrate import upgrade  # noqa: E402
from newsmon.storage.search import ArticleSelection, use_full_text_index  # noqa: E402
from newsmon.storage.tables import ArticleRow, StoryRow  # noqa: E402
from newsmon.text import word_terms  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets" / "russian"
PG_ADMIN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
WORDS_PER_ARTICLE = 90
BATCH = 5000
START = datetime(2024, 6, 1, tzinfo=UTC)


def corpus_words() -> tuple[list[str], list[int]]:
    """Word forms of the corpora with their frequencies."""
    counts: Counter[str] = Counter()
    for path in sorted(DATASETS.glob("*.conllu")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) > 3 and parts[0].isdigit() and parts[1].isalpha():
                counts[parts[1]] += 1
    words = [w for w, _ in counts.most_common()]
    return words, [counts[w] for w in words]


class Corpus:
    """Deterministic synthetic articles; a form's terms are analysed once."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.words, weights = corpus_words()
        self.cumulative = [0] * len(weights)
        total = 0
        for i, weight in enumerate(weights):
            total += weight
            self.cumulative[i] = total
        self.terms = {w: " ".join(sorted(word_terms(w.lower(), "ru"))) or w.lower() for w in self.words}

    def article(self, i: int) -> dict[str, Any]:
        words = self.random.choices(self.words, cum_weights=self.cumulative, k=WORDS_PER_ARTICLE)
        title = " ".join(words[:7]).capitalize()
        when = START + timedelta(seconds=self.random.randrange(365 * 86400))
        return {
            "url": f"https://portal{i % 40}.kz/news/{i}",
            "canonical_url": f"https://portal{i % 40}.kz/news/{i}",
            "source": f"portal{i % 40}.kz",
            "title": title,
            "text": " ".join(words) + ".",
            "authors": [],
            "tags": [],
            "warnings": [],
            "published_at": when,
            "language": "ru",
            "content_hash": f"{i:032x}",
            "story_id": i // 2 + 1,
            "version": 1,
            "stored_at": when,
            "search_terms": " ".join(self.terms[w] for w in words),
        }

    def mid_frequency_pairs(self, count: int) -> list[tuple[str, str]]:
        """Query words from ranks 200-3000: names and topics, not stop words."""
        band = [w for w in self.words[200:3000] if len(w) > 4]
        return [tuple(self.random.sample(band, 2)) for _ in range(count)]  # type: ignore[misc]


def fill(repo: Repository, corpus: Corpus, n: int) -> float:
    started = time.perf_counter()
    stories = [
        {"id": i + 1, "title": None, "first_published": START, "created_at": START, "article_count": 2}
        for i in range((n + 1) // 2)
    ]
    with repo.engine.begin() as conn:
        for i in range(0, len(stories), BATCH):
            conn.execute(insert(StoryRow), stories[i : i + BATCH])
    for i in range(0, n, BATCH):
        rows = [corpus.article(j) for j in range(i, min(n, i + BATCH))]
        with repo.engine.begin() as conn:
            conn.execute(insert(ArticleRow), rows)
    return time.perf_counter() - started


def settle(repo: Repository) -> str:
    """What autovacuum does to a table that grows by inserts (PostgreSQL 13+): without it the first reads
    after a bulk load would write every row's hint bits and scan the GIN index's pending list."""
    statement = "VACUUM ANALYZE" if repo.full_text_dialect == "postgresql" else "ANALYZE"
    with repo.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(statement))
    return statement


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = action()
    return (time.perf_counter() - started) * 1000, value


def run(repo: Repository, corpus: Corpus, n: int, queries: int, workdir: Path) -> None:
    print(f"  bulk insert of {n:,} articles (with the full-text index): {fill(repo, corpus, n):.1f} s")
    ms, statement = timed(lambda: settle(repo))
    print(f"  then {statement}: {ms / 1000:.1f} s")
    pairs = corpus.mid_frequency_pairs(queries)
    for sort in ("relevance", "date"):
        samples = [
            timed(lambda p=p, s=sort: search(repo, SearchRequest(f"{p[0]} {p[1]}", sort=s)))[0] for p in pairs
        ]
        print(f"  two-term search, sort={sort}, 20 results: {percentiles(samples)}")
    counts = []
    for a, b in pairs:
        selection = prepare_query(f"{a} {b}").selection(build_filters(), repo.full_text_dialect)
        counts.append(timed(lambda s=selection: repo.count_selected(s)))
    print(
        f"  baseline: full-text count alone: {percentiles([ms for ms, _ in counts])}; "
        f"median matches {statistics.median(c for _, c in counts):,.0f}"
    )
    like_ms = [timed(lambda p=p: _like_scan(repo, p))[0] for p in pairs[:5]]
    print(f"  baseline: LIKE scan of 10,000 articles for both words: {percentiles(like_ms)}")
    common = corpus.words[60]
    year = build_filters(since=START, until=START + timedelta(days=365))
    words = (common, *pairs[0], *pairs[1])
    trend_ms = [timed(lambda w=w: trends(repo, w, filters=year))[0] for w in words]
    print(
        f"  trend over a year by day, first asked ({common!r} and 4 mid-frequency words): {percentiles(trend_ms)}"
    )
    kept = [w for w in words if repo.trend_key(_countable_terms(prepare_query(w)) or ())]
    print(
        f"    of which kept from then on (over {KEEP_MIN_MATCHES:,} matches): {', '.join(map(repr, kept)) or 'none'}"
    )
    again_ms = [timed(lambda w=w: trends(repo, w, filters=year))[0] for w in words]
    print(f"  the same trends asked again: {percentiles(again_ms)}")
    window = build_filters(
        since=START + timedelta(days=100, hours=10), until=START + timedelta(days=120, hours=15)
    )
    window_ms = [timed(lambda w=w: trends(repo, w, filters=window))[0] for w in words]
    print(
        f"  20 days from 10:00 to 15:00 (whole days kept, the two part days by the index): {percentiles(window_ms)}"
    )
    ms, ahead = timed(lambda: keep_common_words(repo))
    print(f"  the daily upkeep, keep_common_words: {len(ahead)} more words kept in {ms / 1000:.1f} s")
    ahead_ms = [timed(lambda w=w: trends(repo, w, filters=year))[0] for w in ahead[:20]]
    print(f"  trend over a year of {len(ahead_ms)} of them, first asked: {percentiles(ahead_ms or [0.0])}")
    unkept = [
        term
        for term, _n in repo.common_terms(KEEP_MIN_MATCHES, 1000)
        if repo.trend_key(_countable_terms(prepare_query(term)) or ()) is None
    ]
    asked = random.Random(1).sample(unkept, min(20, len(unkept)))
    asked_ms = [timed(lambda w=w: trends(repo, w, filters=year))[0] for w in asked]
    slowest = f"; the slowest {asked[asked_ms.index(max(asked_ms))]!r}" if asked else ""
    print(
        f"  trend over a year of {len(asked)} words in {KEEP_MIN_MATCHES:,} to {KEEP_AHEAD_MATCHES:,} articles "
        f"the upkeep left, first asked (then kept): {percentiles(asked_ms or [0.0])}{slowest}"
    )
    export_figures(repo, common, workdir)


def export_figures(repo: Repository, query: str, workdir: Path) -> None:
    """Rows/s of each format, next to the per-row writer export used before and the ids-alone floor."""
    selection = prepare_query(query).selection(build_filters(), repo.full_text_dialect)
    target = workdir / "export.out"
    ms, rows = timed(lambda: _ids_alone(repo, selection))
    print(f"  baseline: the {rows:,} matching ids alone, in id order: {_rate(rows, ms)}")
    ms, rows = timed(lambda: _per_row_jsonl(repo, selection, target))
    print(f"  baseline: the per-row JSONL writer used before (Document, dict, json.dumps): {_rate(rows, ms)}")
    for fmt in ("jsonl", "csv", "parquet"):
        ms, rows = timed(lambda f=fmt: export(repo, ExportRequest(query, target, f)))
        print(f"  export of {query!r} to {fmt} ({rows:,} rows): {_rate(rows, ms)}")
    ms, rows = timed(lambda: export(repo, ExportRequest(query, target, "jsonl"), on_total=lambda _n: None))
    print(
        f"  export to jsonl with the progress total counted beside it (as `newsmon export`): {_rate(rows, ms)}"
    )
    target.unlink(missing_ok=True)


def _rate(rows: int, ms: float) -> str:
    return f"{rows / (ms / 1000):,.0f} rows/s ({ms / 1000:.2f} s)"


def _ids_alone(repo: Repository, selection: ArticleSelection) -> int:
    """The matching ids in id order, found the fastest way: on PostgreSQL from the GIN index, then sorted."""
    query, _ = repo._base(selection, ArticleRow.id, scored=False)
    with repo.engine.connect() as conn:
        if repo.full_text_dialect == "postgresql" and selection.match is not None:
            use_full_text_index(conn, "postgresql")
            matched = query.cte("matched").prefix_with("MATERIALIZED")
            query = select(matched.c.id).order_by(matched.c.id)
        else:
            query = query.order_by(ArticleRow.id)
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(query)
        return sum(len(batch) for batch in result.partitions())


def _per_row_jsonl(repo: Repository, selection: ArticleSelection, target: Path) -> int:
    count = 0
    with target.open("w", encoding="utf-8", newline="") as out:
        for doc in repo.iter_selected(selection):
            row = {
                "id": doc.id,
                "story_id": doc.story_id,
                "published": doc.published.isoformat() if doc.published else None,
                "source": doc.source,
                "language": doc.language,
                "url": doc.url,
                "canonical_url": doc.canonical_url,
                "title": doc.title,
                "description": doc.description,
                "authors": list(doc.authors),
                "tags": list(doc.tags),
                "section": doc.section,
                "version": doc.version,
                "stored_at": doc.stored_at.isoformat(),
                "text": doc.text,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def _like_scan(repo: Repository, pair: tuple[str, str]) -> int:
    query = text(
        "SELECT count(*) FROM (SELECT text FROM articles ORDER BY id LIMIT 10000) AS t "
        "WHERE lower(text) LIKE :a AND lower(text) LIKE :b"
    )
    with repo.engine.connect() as conn:
        return int(
            conn.execute(query, {"a": f"%{pair[0].lower()}%", "b": f"%{pair[1].lower()}%"}).scalar() or 0
        )


def sqlite_repo(workdir: Path) -> Iterator[Repository]:
    repo = Repository.from_url(f"sqlite:///{workdir / 'bench.db'}")
    upgrade(repo.engine)
    yield repo
    repo.dispose()


def postgres_repo(wide_rows: bool = False) -> Iterator[Repository]:
    """A fresh database; `wide_rows` undoes migration 0007 (long values kept in the row, as before it)."""
    import psycopg

    name = f"newsmon_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    repo = Repository.from_url(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    try:
        upgrade(repo.engine)
        if wide_rows:
            with repo.engine.begin() as conn:
                conn.execute(text("ALTER TABLE articles RESET (toast_tuple_target)"))
        yield repo
    finally:
        repo.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", type=int, default=100_000, help="synthetic articles (targets are for 1,000,000)"
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--queries", type=int, default=40, help="two-term searches to time")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--wide-rows",
        action="store_true",
        help="PostgreSQL: keep long values in the article rows, as before migration 0007 (the baseline)",
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp:
        workdir = Path(tmp)
        for backend in backends:
            print(f"{backend}: {args.n:,} articles")
            corpus = Corpus(args.seed)
            repos = sqlite_repo(workdir) if backend == "sqlite" else postgres_repo(args.wide_rows)
            for repo in repos:
                run(repo, corpus, args.n, args.queries, workdir)


if __name__ == "__main__":
    main()
