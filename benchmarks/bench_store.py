"""Speed of storing and of the dedupe decision with many stored articles, on SQLite and PostgreSQL.

Synthetic archive: articles of 6-12 real sentences (Lenta.ru and UD Taiga for Russian, KazNERD for Kazakh,
from ../shared/datasets) drawn at random, each with its own lead, and a fifth of them republished copies
(new header, last sentence dropped). Figures, each next to a baseline measured in the same run:

- store in batches of 200 through dedupe (`BatchStorer`: bulk URL/hash/translation lookups, near-duplicate
  check, index add, one transaction) against the same inserts without dedupe (`Repository.store_articles`);
- the dedupe check of a new article with N stored (`Deduplicator.resolve`: URL, exact-content, translation
  and near-duplicate checks with their database lookups), p50/p99, and the whole `decide` (plus analysis:
  canonical URL, hash, index terms, fingerprint), against a bare `article_by_url` lookup.

    .venv/bin/python benchmarks/bench_store.py                 # 20,000 stored, SQLite and PostgreSQL
    .venv/bin/python benchmarks/bench_store.py --n 100000 --backends sqlite
    .venv/bin/python benchmarks/bench_store.py --filler 1000000   # the check with a million stored
    .venv/bin/python benchmarks/bench_store.py --kept-words 100   # the cost of keeping trend counts

`--filler N` first stores N small articles (one bulk insert per 5,000, no dedupe) and loads the
near-duplicate index with N synthetic signatures dated over the archive's own weeks (bench_dedupe's corpus:
a tenth of each drawn from shared boilerplate, so unrelated articles meet in LSH bands and have to be
verified), so the batch store and the dedupe check run against a database and an index of N + --n
articles. Real articles hardly meet synthetic signatures in the index, so the check is also timed on
articles carrying bench_dedupe's probe signatures: half edited copies of filler articles, half new.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsmon.models import Article  # noqa: E402
from newsmon.search.fts import TermGroup, render  # noqa: E402
from newsmon.storage import ArticleToStore, Repository  # noqa: E402
from newsmon.storage.migrate import upgrade  # noqa: E402
from pipelines.batch import BatchStorer  # noqa: E402
from pipelines.dedupe import Deduplicator  # noqa: E402
from pipelines.near_duplicate import Fingerprint, MemoryIndex, NearDuplicateDetector  # noqa: E402
from pipelines.normalise import normalise_article  # noqa: E402
from pipelines.store import Storer  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_dedupe import Features, SyntheticCorpus, make_queries, rss_bytes  # noqa: E402

PG_ADMIN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
BATCH = 200
START = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)


def corpus_sentences() -> dict[str, list[str]]:
    from tests.fixtures.dedupe.make_set import read_kaznerd, read_lenta, read_taiga

    return {"ru": read_lenta() + read_taiga(), "kk": read_kaznerd()}


def synthetic_records(count: int, seed: int = 11) -> Iterator[dict]:
    """Archive lines (url, title, text, published, language, source); every fifth is a copy of an earlier one."""
    rng = Random(seed)
    sentences = corpus_sentences()
    originals: list[dict] = []
    for n in range(count):
        published = START + timedelta(minutes=7 * n)
        if originals and n % 5 == 4:
            base = rng.choice(originals[-500:])
            body = base["text"].rsplit(" ", 12)[0]
            text = f"Источник: пресс-служба акимата, {published:%d.%m.%Y}.\n{body}"
            yield {
                **base,
                "url": f"https://copy{n % 7}.kz/news/{n}",
                "text": text,
                "published": published.isoformat(),
            }
            continue
        lang = "kk" if rng.random() < 0.35 else "ru"
        lead = f"В районе №{n} {rng.randint(2, 9999)} жителей получили {rng.randint(10, 90)} новых услуг."
        if lang == "kk":
            lead = f"{n}-ауданда {rng.randint(2, 9999)} тұрғын {rng.randint(10, 90)} жаңа қызмет алды."
        body = " ".join(rng.sample(sentences[lang], rng.randint(6, 12)))
        record = {
            "url": f"https://portal{n % 13}.kz/{'kz' if lang == 'kk' else 'ru'}/news/{n}",
            "title": body.split(".")[0][:120],
            "text": f"{lead}\n{body}",
            "published": published.isoformat(),
            "language": lang,
            "source": f"portal{n % 13}",
        }
        originals.append(record)
        yield record


def to_article(record: dict) -> Article:
    return normalise_article(
        Article(
            url=record["url"],
            text=record["text"],
            title=record["title"],
            published=datetime.fromisoformat(record["published"]),
            language=record["language"],
            source=record["source"],
        )
    )


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp:
            yield f"sqlite:///{tmp}/newsmon.db"
        return
    import psycopg

    name = f"newsmon_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def open_repo(url: str) -> Repository:
    repo = Repository.from_url(url)
    upgrade(repo.engine)
    return repo


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return f"p50 {p50:6.2f} ms  p99 {p99:6.2f} ms"


def store_filler(repo: Repository, index: MemoryIndex, count: int, days: int, chunk: int = 5000) -> Filler:
    """Store `count` small articles and index as many synthetic signatures dated over `days` from START
    (see the module docstring); returns what the synthetic checks need."""
    corpus = SyntheticCorpus()
    started = time.perf_counter()
    rss_before = rss_bytes()
    signatures, features = [], []
    for first in range(0, count, chunk):
        size = min(chunk, count - first)
        items = []
        for n in range(first, first + size):
            url = f"https://old{n % 50}.kz/ru/news/{n}"
            article = Article(
                url=url,
                text=f"Сообщение {n}",
                title=f"Сообщение {n}",
                published=START + timedelta(minutes=n % (days * 1440)),
                language="ru",
                source=f"old{n % 50}",
            )
            items.append(ArticleToStore(article, url, f"{n:032x}", f"сообщение {n}"))
        repo.store_articles(items)
        signatures.append(corpus.signatures(size))
        features.extend(corpus.features(size, start=START, days=days))
        index.add_sketches([item.canonical_url for item in items], signatures[-1], features[first:])
    took = time.perf_counter() - started
    print(
        f"filler: {count:,} articles stored and indexed in {took:.0f} s; index {index.nbytes() / 2**20:,.0f} MiB "
        f"({index.nbytes() * 1_000_000 / count / 2**20:,.0f} MiB per million), "
        f"process RSS grew {(rss_bytes() - rss_before) / 2**20:,.0f} MiB"
    )
    return Filler(corpus, np.concatenate(signatures), features)


@dataclass
class Filler:
    corpus: SyntheticCorpus
    signatures: np.ndarray
    features: list[Features]

    def checks(self, articles: list[Article], count: int) -> list[tuple[ArticleToStore, Fingerprint]]:
        """New articles carrying synthetic fingerprints: half edited copies of filler articles, half new."""
        probes = make_queries(self.corpus, self.signatures, self.features, count)
        out = []
        for article, fp in zip(articles, probes, strict=False):
            item, _ = Deduplicator.prepare(article)
            probe = ArticleToStore(item.article, f"{item.canonical_url}?probe", item.content_hash)
            out.append((probe, replace(fp, content_hash=item.content_hash)))
        return out


def common_terms(prepared: list[tuple[ArticleToStore, Fingerprint]], count: int) -> list[str]:
    """The index terms found in most of the articles: the words whose trend counts get kept."""
    found: Counter[str] = Counter()
    for item, _ in prepared:
        found.update(term for term in set(item.search_terms.split()) if term.isalnum())
    return [term for term, _ in found.most_common(count)]


def keep_words(repo: Repository, terms: list[str]) -> None:
    for term in terms:
        repo.keep_trend_counts((term,), render(TermGroup((term,)), repo.full_text_dialect) or "")


def plain_store(backend: str, prepared: list[tuple[ArticleToStore, Fingerprint]], kept: list[str]) -> float:
    with fresh_database(backend) as url:
        repo = open_repo(url)
        keep_words(repo, kept)
        started = time.perf_counter()
        for i in range(0, len(prepared), BATCH):
            repo.store_articles([item for item, _ in prepared[i : i + BATCH]])
        rate = len(prepared) / (time.perf_counter() - started)
        repo.dispose()
    return rate


def bench_backend(
    backend: str,
    prepared: list[tuple[ArticleToStore, Fingerprint]],
    queries: list[Article],
    filler: int,
    kept: list[str],
) -> None:
    plain = plain_store(backend, prepared, [])
    with fresh_database(backend) as url:
        repo = open_repo(url)
        keep_words(repo, kept)
        index = MemoryIndex(capacity=filler + len(prepared))
        if filler:
            archive_days = 7 * (len(prepared) + len(queries)) // 1440 + 1  # synthetic_records: 7 min apart
            made = store_filler(repo, index, filler, archive_days)
            with (
                repo.engine.begin() as conn
            ):  # planner statistics, as autovacuum or a periodic ANALYZE keeps them
                conn.exec_driver_sql("ANALYZE")
        deduplicator = Deduplicator(repo, NearDuplicateDetector(index))
        batches = BatchStorer(deduplicator, Storer(repo, deduplicator.detector.index, None, deduplicator))
        started = time.perf_counter()
        for i in range(0, len(prepared), BATCH):
            batches.store(prepared[i : i + BATCH])
        deduped = len(prepared) / (time.perf_counter() - started)
        print(f"{backend:10s} store in batches of {BATCH}: {deduped:7.0f} articles/s with dedupe")
        print(f"{'':10s} baseline, same inserts without dedupe: {plain:7.0f} articles/s")
        if kept:
            with_kept = plain_store(backend, prepared, kept)
            print(
                f"{'':10s} same inserts, trend counts kept for the {len(kept)} commonest words: "
                f"{with_kept:7.0f} articles/s (the store with dedupe above keeps them too)"
            )
        bench_decide(repo, deduplicator, queries, stored=repo.count_articles())
        if filler:
            bench_probes(deduplicator, made.checks(queries, len(queries)))
        repo.dispose()


def bench_decide(repo: Repository, deduplicator: Deduplicator, queries: list[Article], stored: int) -> None:
    resolve, decide, lookup = [], [], []
    reasons: dict[str, int] = {}
    for article in queries:
        t0 = time.perf_counter()
        item, fp = deduplicator.prepare(article)
        t1 = time.perf_counter()
        decision = deduplicator.resolve(item, fp)
        t2 = time.perf_counter()
        repo.article_by_url(item.canonical_url)
        t3 = time.perf_counter()
        decide.append(t2 - t0)
        resolve.append(t2 - t1)
        lookup.append(t3 - t2)
        reasons[decision.reason] = reasons.get(decision.reason, 0) + 1
    print(f"{'':10s} dedupe check with {stored} stored ({len(queries)} new articles, {reasons}):")
    print(f"{'':10s}   Deduplicator.resolve (lookups + near-duplicate):  {percentiles(resolve)}")
    print(f"{'':10s}   Deduplicator.decide (+ analysis of the article):  {percentiles(decide)}")
    print(f"{'':10s}   baseline, article_by_url alone:                   {percentiles(lookup)}")


def bench_probes(deduplicator: Deduplicator, probes: list[tuple[ArticleToStore, Fingerprint]]) -> None:
    samples, index_alone, reasons = [], [], {}
    for item, fp in probes:
        started = time.perf_counter()
        decision = deduplicator.resolve(item, fp)
        samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        deduplicator.detector.find_all(fp)
        index_alone.append(time.perf_counter() - started)
        reasons[decision.reason] = reasons.get(decision.reason, 0) + 1
    print(f"{'':10s}   the same with probe signatures ({reasons}):")
    print(f"{'':10s}   Deduplicator.resolve (lookups + near-duplicate):  {percentiles(samples)}")
    print(f"{'':10s}   of which the near-duplicate index alone:          {percentiles(index_alone)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20_000, help="articles to store before the dedupe check")
    parser.add_argument("--queries", type=int, default=1000, help="new articles to time the dedupe check on")
    parser.add_argument("--filler", type=int, default=0, help="synthetic articles stored and indexed first")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument(
        "--kept-words", type=int, default=0, help="keep trend counts for this many of the commonest words"
    )
    args = parser.parse_args()
    records = list(synthetic_records(args.n + args.queries))
    articles = [to_article(r) for r in records]
    started = time.perf_counter()
    prepared = [Deduplicator.prepare(a) for a in articles[: args.n]]
    took = time.perf_counter() - started
    print(f"synthetic archive: {args.n} articles to store, {args.queries} to check")
    print(
        f"analysis before storing (canonical URL, hash, index terms, fingerprint): {args.n / took:.0f} articles/s"
    )
    # The checked articles: copies of stored ones (every fifth of the archive) and new ones, in archive order.
    queries = articles[args.n :]
    kept = common_terms(prepared, args.kept_words) if args.kept_words else []
    for backend in args.backends.split(","):
        bench_backend(backend.strip(), prepared, queries, args.filler, kept)


if __name__ == "__main__":
    main()
