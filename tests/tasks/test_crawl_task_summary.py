"""The tidy summary of a crawl run, from stats as the spiders, pipelines and the fill-rate middleware count them,
and what a crawl task tells whoever asked for it when the crawl reached nothing or crashed."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawlers.middlewares.fill_rates import FillRateMiddleware
from newsmon.models import Article, Source
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from tasks.run_summary import summarise, unreachable
from tests.newsmon_env import newsmon_settings

STATS = {
    "downloader/response_count": 20,
    "downloader/response_bytes": 512_000,
    "newsmon/store/new": 5,
    "newsmon/store/copy": 2,
    "newsmon/store/version": 1,
    "newsmon/dedupe/near_duplicate": 1,
    "newsmon/dedupe/exact_copy": 1,
    "newsmon/dedupe/known_url": 3,
    "newsmon/seen/skipped": 7,
    "newsmon/fetch/http_404": 2,
    "newsmon/fetch/timeout": 1,
    "newsmon/fetch/not_html": 4,
    "newsmon/feed/invalid": 1,
    "newsmon/sitemap/truncated": 1,
    "newsmon/extract/empty_text": 2,
    "newsmon/fill/items": 10,
    "newsmon/fill/title": 10,
    "newsmon/fill/text": 9,
    "newsmon/fill/date": 5,
    "newsmon/discovery/feed": 8,
    "newsmon/discovery/sitemap": 3,
    "newsmon/discovery/duplicate": 4,
    "finish_reason": "finished",
}


def test_summary_of_a_run() -> None:
    summary = summarise(STATS)
    assert summary["pages"] == 20 and summary["bytes"] == 512_000
    assert (summary["new"], summary["copies"], summary["versions"]) == (5, 2, 1)
    assert summary["duplicates"] == 5 and summary["already_seen"] == 7
    assert summary["errors"] == {"extraction": 2, "http_404": 2, "parse": 2, "timeout": 1}
    assert summary["error_rate"] == round(3 / 21, 3)  # two 404 pages among 20 responses, one timeout
    assert summary["fill"] == {"title": 1.0, "text": 0.9, "date": 0.5, "author": 0.0}
    assert summary["discovery"] == {"feed": 8, "sitemap": 3}


def test_summary_says_what_kept_pages_from_becoming_new_articles() -> None:
    # given a run that dropped old articles and pages that are no articles, and whose home page was gone
    stats = {
        **STATS,
        "newsmon/extract/too_old": 8,
        "newsmon/extract/not_article/section": 2,
        "newsmon/extract/not_article/tag": 1,
        "newsmon/home/http_404": 1,
    }

    # when it is summarised, then each is counted; a run with none of them counts none
    summary = summarise(stats)
    assert (summary["too_old"], summary["not_articles"], summary["home_error"]) == (8, 3, "http_404")
    plain = summarise(STATS)
    assert (plain["too_old"], plain["not_articles"], plain["home_error"]) == (0, 0, None)


def test_summary_of_a_crawl_that_died_before_writing_stats() -> None:
    summary = summarise({})
    assert summary["pages"] == 0 and summary["fill"] == {} and summary["error_rate"] == 0.0


def test_fill_rates_count_the_fields_of_each_article_the_spider_yields() -> None:
    crawler = get_crawler()
    middleware = FillRateMiddleware.from_crawler(crawler)
    full = Article(
        url="https://a.kz/1",
        text="Текст. " * 50,
        title="Заголовок",
        authors=("Автор",),
        published=datetime(2025, 2, 10, tzinfo=UTC),
    )
    bare = Article(url="https://a.kz/2", text="Коротко.")
    out = list(middleware.process_spider_output(None, [full, {"not": "an article"}, bare]))
    assert out == [full, {"not": "an article"}, bare]  # passed on as they came
    stats = crawler.stats.get_stats()
    assert stats["newsmon/fill/items"] == 2
    assert [stats.get(f"newsmon/fill/{f}", 0) for f in ("title", "text", "date", "author")] == [1, 1, 1, 1]


# The final stats of a crawl of a port where nothing listens: robots.txt (twice) and the home page, each tried
# three times.
REFUSED = {
    "downloader/request_count": 9,
    "downloader/exception_count": 9,
    "downloader/exception_type_count/scrapy.exceptions.DownloadConnectionRefusedError": 9,
    "retry/count": 6,
    "retry/max_reached": 3,
    "newsmon/fetch/connection_refused": 2,
    "finish_reason": "finished",
}


def test_a_crawl_whose_every_request_failed_reached_nothing() -> None:
    assert unreachable(REFUSED) == "portal unreachable: 3 requests, all connection refused"
    dns = {"downloader/exception_count": 2, "newsmon/fetch/dns_error": 2}
    assert unreachable(dns) == "portal unreachable: 2 requests, all DNS errors"
    mixed = {"downloader/exception_count": 4, "newsmon/fetch/timeout": 1, "newsmon/fetch/dns_error": 2}
    assert unreachable(mixed) == "portal unreachable: 4 requests failed (DNS error, timed out)"
    assert unreachable({"downloader/exception_count": 1}) == "portal unreachable: 1 request failed"


def test_a_crawl_that_got_any_answer_or_tried_nothing_reached_its_portal() -> None:
    assert unreachable({**REFUSED, "downloader/response_count": 1, "newsmon/fetch/http_404": 1}) is None
    assert unreachable(STATS) is None
    assert unreachable({"finish_reason": "finished"}) is None
    assert unreachable({}) is None  # died before writing stats: its exit code says why


def test_a_crawl_that_crashes_returns_its_last_error_line_and_its_log(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tasks.crawl import CrawlOptions, crawl_source

    with socket.socket() as probe:  # a port where nothing listens; the crawl stops before any request
        probe.bind(("127.0.0.1", 0))
        home = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url):
        repo = Repository.from_url(sqlite_url)
        upgrade(repo.engine)
        repo.upsert_source(Source(name="portal", home=home))

        result = crawl_source("portal", CrawlOptions(since="yesterday", enqueue_matching=False))

    assert (result["status"], result["reason"]) == ("failed", "exit code 1")
    assert (
        result["error"] == "ValueError: since must be a duration like 2d, 12h, 90m, 1w or 1y, got 'yesterday'"
    )
    log = Path(result["log"])
    assert log == tmp_path / "data" / "logs" / f"crawl-portal-{result['run_id']}.log"
    assert "Traceback" in log.read_text()
    repo.dispose()
