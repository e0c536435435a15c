"""One crawl spread over two `scrapy crawl` processes that share a Redis frontier, on a loopback portal."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsmon.storage.repository import Repository
from tests.conftest import ROOT
from tests.crawlers.conftest import TEST_SETTINGS, Crawler, CrawlResult, write_definition
from tests.crawlers.frontier_redis import FrontierRedis, frontier_redis
from tests.crawlers.portal_server import PortalServer

ARTICLES = 48
# Articles 1..24 carry their own date and are linked from the front page; 25..48 have no date on the page
# and are listed only in the feed, which says when each was published.
DATED = range(1, ARTICLES // 2 + 1)
# Each article page takes this long to serve, so that the crawl lasts long enough for both processes to work.
PAGE_DELAY = 0.2
WITH_STORAGE = {"NEWSMON_PIPELINES": "1", "NEWSMON_ENQUEUE_MATCHING": "0"}
WORDS = [
    "аким",
    "области",
    "встретился",
    "жителями",
    "района",
    "обсудил",
    "вопросы",
    "водоснабжения",
    "ремонта",
    "дорог",
    "строительства",
    "школы",
    "больницы",
    "фермеры",
    "получили",
    "субсидии",
    "урожай",
    "пшеницы",
    "вырос",
    "бюджет",
    "программы",
    "поддержки",
    "малого",
    "бизнеса",
    "открыли",
    "новый",
    "спортивный",
    "комплекс",
    "молодёжь",
    "приняла",
    "участие",
    "форуме",
    "депутаты",
    "маслихата",
    "рассмотрели",
    "проект",
    "полицейские",
    "провели",
    "рейд",
    "экологи",
    "заметили",
    "улучшение",
    "качества",
    "воздуха",
]


def article_path(n: int) -> str:
    return f"/ru/news/sobytie-{10100 + n}"


def number(url: str) -> int:
    return int(url.rsplit("-", 1)[1]) - 10100


def feed_published(server: PortalServer, n: int) -> datetime:
    """The date the feed gives article n ({{rfc822:N}} is N days before the server's now)."""
    return server.now - timedelta(days=n / 100)


def _text(n: int) -> str:
    rng = random.Random(n)
    sentences = [" ".join(rng.sample(WORDS, 12)).capitalize() + f" в {2000 + n} году." for _ in range(9)]
    return "".join(f"<p>{' '.join(sentences[i : i + 3])}</p>" for i in range(0, 9, 3))


def build_portal(root: Path) -> None:
    """A front page, a feed of every article, and the article pages (served slowly, see routes.yaml)."""
    pages = root / "ru" / "news"
    pages.mkdir(parents=True)
    routes = ["/rss.xml: {file: rss.xml, type: application/rss+xml}"]
    items = []
    for n in range(1, ARTICLES + 1):
        date = f"<time datetime='{{{{iso:{n / 100}}}}}'></time>" if n in DATED else ""
        (pages / f"sobytie-{10100 + n}.html").write_text(
            f"<html lang='ru'><head><meta charset='utf-8'><meta property='og:type' content='article'></head>"
            f"<body><main><article><h1>Событие номер {n} в регионе</h1>{date}{_text(n)}</article></main>"
            f"</body></html>",
            encoding="utf-8",
        )
        routes.append(f"{article_path(n)}: {{file: ru/news/sobytie-{10100 + n}.html, delay: {PAGE_DELAY}}}")
        items.append(
            f"<item><title>Событие номер {n} в регионе</title><link>{{{{base}}}}{article_path(n)}</link>"
            f"<pubDate>{{{{rfc822:{n / 100}}}}}</pubDate></item>"
        )
    links = "".join(f'<li><a href="{article_path(n)}">Событие номер {n} в регионе</a></li>' for n in DATED)
    (root / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>", encoding="utf-8")
    (root / "rss.xml").write_text(
        f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>Новости</title>"
        f"<link>{{{{base}}}}/</link>{''.join(items)}</channel></rss>",
        encoding="utf-8",
    )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    (root / "routes.yaml").write_text("\n".join(routes) + "\n", encoding="utf-8")


@dataclass
class RunningCrawl:
    """A `scrapy crawl` started in the background (the conftest Crawler waits for each run to end)."""

    process: subprocess.Popen[bytes]
    out: Path
    stats_file: Path
    log_file: Path

    def result(self, timeout: float) -> CrawlResult:
        returncode = self.process.wait(timeout=timeout)
        items = [json.loads(line) for line in self.out.read_text().splitlines()] if self.out.exists() else []
        record = json.loads(self.stats_file.read_text()) if self.stats_file.exists() else {}
        log = self.log_file.read_text(errors="replace")
        return CrawlResult(items, record.get("stats", {}), record.get("finish_reason", ""), log, returncode)


def start_crawl(workdir: Path, name: str, settings: dict[str, str], **arguments: str | Path) -> RunningCrawl:
    """The same command as tests.crawlers.conftest.Crawler, without waiting for it."""
    out, stats_file, log_file = (workdir / f"{name}.jsonl", workdir / f"{name}.json", workdir / f"{name}.log")
    command = [sys.executable, "-m", "scrapy", "crawl", "source", "-O", f"{out}:jsonl"]
    for key, value in arguments.items():
        command += ["-a", f"{key}={value}"]
    for key, value in {**TEST_SETTINGS, **settings, "NEWSMON_STATS_FILE": str(stats_file)}.items():
        command += ["-s", f"{key}={value}"]
    env = {
        **os.environ,
        "NEWSMON_DATA_DIR": str(workdir / "data"),
        "SCRAPY_SETTINGS_MODULE": "crawlers.settings",
    }
    with log_file.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    return RunningCrawl(process, out, stats_file, log_file)


def shared(frontier: FrontierRedis) -> dict[str, str]:
    return {
        "NEWSMON_SHARED_FRONTIER": "1",
        "NEWSMON_FRONTIER_REDIS_URL": frontier.url,
        "NEWSMON_FRONTIER_PREFIX": frontier.prefix,
    }


@pytest.fixture
def frontier() -> Iterator[FrontierRedis]:
    with frontier_redis() as place:
        yield place


@pytest.fixture
def portal(tmp_path: Path) -> PortalServer:
    root = tmp_path / "portal"
    build_portal(root)
    server = PortalServer(root)
    yield server
    server.stop()


@pytest.fixture
def definition(tmp_path: Path, portal: PortalServer) -> Path:
    text = f"name: shared-portal\nhome: {portal.url}/\nfeeds: ['{portal.url}/rss.xml']\nlistings: ['{portal.url}/']\n"
    return write_definition(tmp_path / "shared-portal.yaml", text)


def upgrade_database(data_dir: Path) -> None:
    env = {**os.environ, "NEWSMON_DATA_DIR": str(data_dir)}
    done = subprocess.run([sys.executable, "-m", "newsmon.cli", "db", "upgrade"], cwd=ROOT, env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_two_processes_share_one_crawl(tmp_path, portal, definition, frontier):
    # given an empty database and two crawls of one source, started together with the shared frontier on
    upgrade_database(tmp_path / "data")
    settings = {**WITH_STORAGE, **shared(frontier)}
    running = [start_crawl(tmp_path, name, settings, sources_file=definition) for name in ("one", "two")]

    # when both have run
    results = [crawl.result(timeout=120) for crawl in running]

    # then both ended normally once the frontier was drained
    for result in results:
        assert result.returncode == 0, result.log[-3000:]
        assert result.finish_reason == "finished", result.log[-3000:]
    assert frontier.leftovers() == []
    # they took part in one run, which one of them started
    assert results[0].stats["newsmon/frontier/run"] == results[1].stats["newsmon/frontier/run"]
    assert sorted(r.stat("newsmon/frontier/started") for r in results) == [0, 1]

    # every article page was downloaded exactly once, by one process or the other, and both did work
    hits = portal.paths()
    assert {path: hits.count(path) for path in map(article_path, range(1, ARTICLES + 1))} == {
        article_path(n): 1 for n in range(1, ARTICLES + 1)
    }
    assert hits.count("/rss.xml") == 1 and hits.count("/") == 1  # discovery pages too: read once per crawl
    extracted = [r.stat("newsmon/extract/article") for r in results]
    assert sum(extracted) == ARTICLES and min(extracted) > 0, extracted

    # every article was stored once
    repository = Repository.from_url(f"sqlite:///{tmp_path / 'data' / 'newsmon.db'}")
    stored = {article.id: article for article in repository.articles_since(datetime(2000, 1, 1, tzinfo=UTC))}
    repository.dispose()
    paths = sorted(article.url.removeprefix(portal.url) for article in stored.values())
    assert paths == sorted(map(article_path, range(1, ARTICLES + 1)))

    # the feed's dates reached the pages without one, also in the process that did not read the feed
    feed_only = {key for key, article in stored.items() if number(article.url) not in DATED}
    for key in feed_only:
        article = stored[key]
        assert article.published is not None and "no_date" not in article.warnings, article
        published = article.published.replace(tzinfo=article.published.tzinfo or UTC)
        assert published == feed_published(portal, number(article.url))
    [other] = [result for result in results if result.stat("newsmon/feed/read") == 0]
    assert feed_only & {item["article_id"] for item in other.items}


def test_one_process_with_the_shared_frontier_crawls_as_without_it(tmp_path, portal, definition, frontier):
    # given the same source crawled once alone and once alone with the shared frontier
    # (each in a data directory of its own: the second would otherwise get 304 for the feed)
    (tmp_path / "plain").mkdir()
    (tmp_path / "shared").mkdir()
    plain = Crawler(tmp_path / "plain")("source", sources_file=definition)
    with_frontier = Crawler(tmp_path / "shared")("source", sources_file=definition, settings=shared(frontier))

    # then the shared crawl finds the same articles with the same dates and ends at once
    assert with_frontier.returncode == 0, with_frontier.log[-3000:]
    assert with_frontier.finish_reason == "finished"
    assert with_frontier.stat("newsmon/frontier/started") == 1
    dates = {url: item["published"] for url, item in plain.by_path(portal.url).items()}
    assert len(dates) == ARTICLES
    assert {url: item["published"] for url, item in with_frontier.by_path(portal.url).items()} == dates
    assert frontier.leftovers() == []
