"""Extraction speed: pages per second per core, newsmon's extract_article vs trafilatura alone.

Both run in the same process on the same real-sized pages (the 57 shared dataset pages, 5 KB to 1.5 MB,
plus the portal fixtures), single-threaded, so pages/s is per core. The baseline is
trafilatura.bare_extraction(bytes, url, with_metadata=True) with its defaults; a second baseline with
fast=True shows trafilatura without its fallback extractors.

Run: .venv/bin/python benchmarks/bench_extract.py [rounds]
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MANIFESTS = (
    ROOT.parent / "shared" / "datasets" / "pages" / "manifest.json",
    ROOT / "tests" / "fixtures" / "pages" / "manifest.json",
)


def load() -> list[tuple[bytes, str]]:
    pages = []
    for manifest in MANIFESTS:
        if manifest.exists():
            for page in json.loads(manifest.read_text(encoding="utf-8"))["pages"]:
                pages.append(((manifest.parent / page["file"]).read_bytes(), page["url"]))
    return pages


def timed(run: Callable[[bytes, str], object], pages: list[tuple[bytes, str]], rounds: int) -> float:
    for data, url in pages:  # one warm pass: lazy imports, compiled XPaths, language models
        run(data, url)
    started = time.process_time()
    for _ in range(rounds):
        for data, url in pages:
            run(data, url)
    return rounds * len(pages) / (time.process_time() - started)


def main() -> None:
    import trafilatura

    from crawlers.pages import extract_article

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    pages = load()
    size = sum(len(data) for data, _url in pages) / len(pages) / 1024
    print(f"{len(pages)} pages, mean {size:.0f} KB, {rounds} rounds, CPU time of one core")
    runs = {
        "newsmon extract_article": lambda data, url: extract_article(data, url),
        "trafilatura.bare_extraction (defaults, with_metadata)": lambda data, url: (
            trafilatura.bare_extraction(data, url=url, with_metadata=True)
        ),
        "trafilatura.bare_extraction (fast=True, with_metadata)": lambda data, url: (
            trafilatura.bare_extraction(data, url=url, with_metadata=True, fast=True)
        ),
    }
    for name, run in runs.items():
        print(f"{name:<58} {timed(run, pages, rounds):7.1f} pages/s")


if __name__ == "__main__":
    main()
