"""The demo's crawl through the full pipeline against a bare Scrapy spider fetching the same pages.

Both run as `scrapy` processes against the sample portals on 127.0.0.1, three times each; the medians and
their ratio are printed (process start-up is part of both). Both keep their bytecode in a temporary
PYTHONPYCACHEPREFIX after a warm-up import, as an installed service would: this checkout sets
PYTHONDONTWRITEBYTECODE, and recompiling every imported module costs a crawl process ~2 s.
On a dozen pages per portal the ratio is mostly start-up: the full crawl imports trafilatura, dateparser,
SQLAlchemy, Alembic and datasketch (with SciPy), the bare one only Scrapy.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newsmon.demo.server import DemoPortals

ROOT = Path(__file__).resolve().parent.parent

BARE_SPIDER = """
import scrapy

class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {"ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING", "DOWNLOAD_DELAY": 0,
                       "AUTOTHROTTLE_ENABLED": False, "TELNETCONSOLE_ENABLED": False}

    async def start(self):
        for url in open(self.urls_file).read().split():
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        return None
"""


def cached_env(cache: Path, **values: str) -> dict[str, str]:
    """The environment with a bytecode cache (see the module docstring) and no NEWSMON_* leaking in."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    return {**env, "PYTHONPYCACHEPREFIX": str(cache), "PYTHONPATH": str(ROOT), **values}


def full_crawl(source_file: Path, data_dir: Path) -> float:
    env = cached_env(data_dir.parent / "pycache", NEWSMON_DATA_DIR=str(data_dir),
                     SCRAPY_SETTINGS_MODULE="crawlers.settings")  # fmt: skip
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "source",
        "-a",
        f"sources_file={source_file}",
        "-a",
        "since=36500d",
        "-s",
        "NEWSMON_ENQUEUE_MATCHING=0",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "LOG_LEVEL=WARNING",
    ]
    subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def bare_crawl(urls_file: Path, spider_file: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider", str(spider_file), "-a", f"urls_file={urls_file}"],
        check=True,
        capture_output=True,
        cwd=spider_file.parent,
        env=cached_env(spider_file.parent / "pycache"),
    )
    return time.perf_counter() - started


def main() -> None:
    import json

    with tempfile.TemporaryDirectory() as tmp, DemoPortals() as portals:
        root = Path(tmp)
        spider_file = root / "bare.py"
        spider_file.write_text(BARE_SPIDER)
        modules = "scrapy.crawler, crawlers.spiders.source, crawlers.pages, pipelines.store, pipelines.dedupe"
        subprocess.run(
            [sys.executable, "-c", f"import {modules}"], env=cached_env(root / "pycache"), check=True
        )
        full, bare = [], []
        for round_ in range(3):
            for source in portals.sources():
                source_file = root / f"{source.name}.json"
                values = {
                    "name": source.name,
                    "home": source.home,
                    "languages": list(source.languages),
                    "feeds": list(source.feeds),
                    "sitemaps": list(source.sitemaps),
                    "listings": list(source.listings),
                    "pagination": source.pagination,
                    "max_pages": source.max_pages,
                }
                source_file.write_text(json.dumps(values))
            before = len(portals.requests())
            data_dir = root / f"data{round_}"
            seconds = sum(full_crawl(root / f"{s.name}.json", data_dir) for s in portals.sources())
            full.append(seconds)
            urls = sorted({f"{portals.urls[r.portal]}{r.path}" for r in portals.requests()[before:]})
            urls_file = root / "urls.txt"
            urls_file.write_text("\n".join(urls))
            bare.append(bare_crawl(urls_file, spider_file) * len(portals.sources()))
        full_median, bare_median = statistics.median(full), statistics.median(bare)
        print(f"pages per round: {len(urls)} on 3 portals")
        print(f"full pipeline (3 crawl processes): median {full_median:.2f}s")
        print(f"bare spider, same pages (3 processes' worth): median {bare_median:.2f}s")
        print(f"ratio full/bare: {full_median / bare_median:.2f}")


if __name__ == "__main__":
    main()
