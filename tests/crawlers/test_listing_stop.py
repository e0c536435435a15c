"""Listing pagination stops at a page whose articles are all stored already (a crawl with storage)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.crawlers.conftest import Crawler, write_definition

WITH_STORAGE = {"NEWSMON_PIPELINES": "1", "NEWSMON_ENQUEUE_MATCHING": "0"}
PLACES = ("Таразе", "Шу", "Мерке", "Кордае", "Таласе", "Жуалы", "Байзаке", "Сарысу", "Мойынкуме")


def build_listing_portal(root: Path, pages: int = 3, per_page: int = 3) -> None:
    """Listing pages /, /page/2/, /page/3/ (rel=next), each linking its own articles."""
    paragraphs = [p for p in (SAMPLES / "zhambyl-conference.ru.txt").read_text().split("\n") if len(p) > 200]
    (root / "news").mkdir(parents=True)
    # Published in the last days (within the since-window of any crawl), a few hours apart.
    now = datetime.now(UTC).replace(microsecond=0)
    published = {n: (now - timedelta(hours=6 * n)).isoformat() for n in range(1, pages * per_page + 1)}
    for page in range(1, pages + 1):
        numbers = range((page - 1) * per_page + 1, page * per_page + 1)
        links = "".join(
            f'<li><h3><a href="/news/{10000 + n}.html">Новость номер {n} о работе в регионе</a></h3></li>'
            for n in numbers
        )
        more = f'<a rel="next" href="/page/{page + 1}/">Дальше</a>' if page < pages else ""
        listing = root / ("index.html" if page == 1 else f"page/{page}/index.html")
        listing.parent.mkdir(parents=True, exist_ok=True)
        listing.write_text(f"<html><body><ul>{links}</ul>{more}</body></html>", encoding="utf-8")
        for n in numbers:
            body = paragraphs[0].replace("Таразе", PLACES[n % len(PLACES)])
            (root / "news" / f"{10000 + n}.html").write_text(
                f"<html><head><title>Событие {n}</title></head><body><article><h1>Событие номер {n} в"
                f" {PLACES[n % len(PLACES)]}</h1><time datetime='{published[n]}'></time>"
                f"<p>{body}</p></article></body></html>",
                encoding="utf-8",
            )


def change_front_page(root: Path) -> None:
    """The front page changes between crawls (a new banner) without new articles: no 304 for it."""
    index = root / "index.html"
    index.write_text(index.read_text().replace("<body>", "<body><div class='banner'>Погода: +25</div>"))
    later = time.time() + 120
    os.utime(index, (later, later))


@pytest.fixture
def portal_root(tmp_path: Path) -> Path:
    root = tmp_path / "portal"
    build_listing_portal(root)
    return root


@pytest.fixture
def portal_definition(tmp_path: Path, portal_root: Path, static_server: type, crawl: Crawler) -> Path:
    server = static_server(portal_root)
    env = {**os.environ, "NEWSMON_DATA_DIR": str(crawl.workdir / "data")}
    upgrade = subprocess.run([sys.executable, "-m", "newsmon.cli", "db", "upgrade"], cwd=ROOT, env=env,
                             capture_output=True, text=True)  # fmt: skip
    assert upgrade.returncode == 0, upgrade.stderr
    text = f"name: listing-portal\nhome: {server.url}/\nlistings: ['{server.url}/']\nmax_pages: 3\n"
    return write_definition(tmp_path / "portal.yaml", text)


def test_pagination_stops_at_a_page_whose_articles_are_all_stored(
    crawl: Crawler, portal_definition: Path, portal_root: Path
) -> None:
    # given a first crawl that read three listing pages and stored their nine articles
    first = crawl("listing", sources_file=portal_definition, settings=WITH_STORAGE)
    assert first.returncode == 0, first.log[-3000:]
    assert first.stat("newsmon/listing/pages") == 3
    assert first.stat("newsmon/store/stored") == 9

    # when the front page changes but no article is new
    change_front_page(portal_root)
    second = crawl("listing", sources_file=portal_definition, settings=WITH_STORAGE)

    # then the front page, all stored, ends the pagination and no article is requested
    assert second.returncode == 0, second.log[-3000:]
    assert second.stat("newsmon/listing/pages") == 1
    assert second.stat("newsmon/listing/stored") == 3
    assert second.stat("newsmon/listing/nothing_new") == 1
    assert second.stat("newsmon/extract/article") == 0
    assert second.stat("newsmon/seen/skipped") == 0


def test_without_storage_every_page_is_read_again(
    crawl: Crawler, portal_definition: Path, portal_root: Path
) -> None:
    # a crawl without the storage components has nobody to ask: the rule is only "nothing new in this crawl"
    first = crawl("listing", sources_file=portal_definition)
    change_front_page(portal_root)
    second = crawl("listing", sources_file=portal_definition)
    assert first.stat("newsmon/listing/pages") == 3
    # the front page's articles are requested again, and page 2 is asked for (unchanged: a 304)
    assert second.stat("newsmon/discovery/listing") == 3
    assert second.stat("newsmon/listing/stored") == 0
    assert second.stat("newsmon/conditional/not_modified") == 1
