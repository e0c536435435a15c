"""The tidy summary of a crawl run, from stats as the spiders, pipelines and the fill-rate middleware count them."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.utils.test import get_crawler

from crawlers.middlewares.fill_rates import FillRateMiddleware
from newsmon.models import Article
from tasks.run_summary import summarise

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
    assert summary["errors"] == {"extraction": 2, "http_404": 2, "parse": 1, "timeout": 1}
    assert summary["error_rate"] == round(3 / 21, 3)  # two 404 pages among 20 responses, one timeout
    assert summary["fill"] == {"title": 1.0, "text": 0.9, "date": 0.5, "author": 0.0}
    assert summary["discovery"] == {"feed": 8, "sitemap": 3}


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
