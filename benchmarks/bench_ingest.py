"""`newsmon ingest` of a large archive end to end, against storing the same text without analysis.

The archive is bench_store's synthetic one (real Russian and Kazakh sentences, a fifth republished copies),
written as JSONL. Figures, measured in the same run on fresh SQLite databases:

- `newsmon ingest FILE --report OUT --no-match` as a subprocess, in one process and with the default
  preparing processes (one per core) (start-up, reading, normalising, language,
  index terms, fingerprints, dedupe, batched store, report), articles/s;
- baseline: the same lines read and inserted with `Repository.store_articles` in batches of 200, with no
  normalisation, analysis or dedupe (canonical URL = URL, a plain hash), articles/s.

    .venv/bin/python benchmarks/bench_ingest.py --n 100000
    .venv/bin/python benchmarks/bench_ingest.py --n 20000 --profile   # cProfile of the ingest in-process
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_store import BATCH, open_repo, synthetic_records  # noqa: E402
from newsmon.models import Article  # noqa: E402
from newsmon.storage import ArticleToStore  # noqa: E402


def write_archive(path: Path, count: int, with_language: bool) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in synthetic_records(count):
            if not with_language:
                record = {k: v for k, v in record.items() if k != "language"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def baseline(path: Path, workdir: Path) -> float:
    """Lines read and stored as they are, in batches, with no analysis: articles/s."""
    repo = open_repo(f"sqlite:///{workdir / 'baseline.db'}")
    started = time.perf_counter()
    batch: list[ArticleToStore] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            article = Article(
                url=record["url"],
                text=record["text"],
                title=record["title"],
                published=datetime.fromisoformat(record["published"]),
                source=record["source"],
            )
            digest = hashlib.blake2b(record["text"].encode(), digest_size=16).hexdigest()
            batch.append(ArticleToStore(article, record["url"], digest, record["text"]))
            if len(batch) >= BATCH:
                repo.store_articles(batch)
                batch = []
    if batch:
        repo.store_articles(batch)
    rate = repo.count_articles() / (time.perf_counter() - started)
    repo.dispose()
    return rate


def run_ingest(path: Path, workdir: Path, extra: tuple[str, ...] = ()) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    env["NEWSMON_DATA_DIR"] = str(workdir / "data")
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsmon.cli",
            "ingest",
            str(path),
            "--no-match",
            "--report",
            str(workdir / "r.jsonl"),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"newsmon ingest failed:\n{result.stderr[-3000:]}")
    return took, result.stdout.strip().splitlines()[0]


def profile(path: Path, workdir: Path) -> None:
    import cProfile
    import pstats

    from click.testing import CliRunner

    from newsmon.cli.main import cli

    os.environ["NEWSMON_DATA_DIR"] = str(workdir / "profiled")
    profiler = cProfile.Profile()
    profiler.enable()
    CliRunner().invoke(cli, ["ingest", str(path), "--no-match"])
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20_000, help="archive lines")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the ingest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-ingest-") as tmp:
        workdir = Path(tmp)
        runs = [
            (True, ("--workers", "1"), "lines carry their language, one process"),
            (True, (), f"lines carry their language, {os.cpu_count()} preparing processes"),
            (False, (), f"language detected per article, {os.cpu_count()} preparing processes"),
        ]
        for number, (with_language, extra, label) in enumerate(runs):
            path = workdir / f"archive-{with_language}.jsonl"
            if not path.exists():
                write_archive(path, args.n, with_language)
            took, summary = run_ingest(path, workdir / f"run-{number}", extra)
            print(f"newsmon ingest, {label}: {args.n / took:6.0f} articles/s ({took:.1f}s; {summary})")
        rate = baseline(workdir / "archive-True.jsonl", workdir)
        print(f"baseline, the same lines stored without analysis or dedupe: {rate:6.0f} articles/s")
        if args.profile:
            profile(workdir / "archive-True.jsonl", workdir)


if __name__ == "__main__":
    main()
