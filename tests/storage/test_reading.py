"""Lookups do not queue behind a writer on SQLite: a crawl checks every URL while it stores batches, and
analysts search while it does."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from newsmon.models import Article
from newsmon.search import SearchRequest, search
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.migrate import upgrade


def test_a_lookup_answers_while_another_connection_holds_the_write_lock(tmp_path: Path) -> None:
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'newsmon.db'}")
    upgrade(repo.engine)
    url = "https://portal.kz/news/1"
    article = Article(url=url, text="Текст о Таразе", language="ru")
    repo.store_articles([ArticleToStore(article, url, "0" * 32, "текст тараз")])
    writing, done = threading.Event(), threading.Event()

    def writer() -> None:
        with repo.session() as session:  # BEGIN IMMEDIATE at its first statement: holds the write lock
            session.execute(text("UPDATE articles SET section = 'held' WHERE id < 0"))
            writing.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(5)
        started = time.monotonic()
        assert repo.known_urls([url, "https://portal.kz/news/2"]) == {url}
        assert repo.article_by_url(url) is not None
        results, _ = search(repo, SearchRequest(query="Тараз"))
        assert [result.url for result in results] == [url]
        assert time.monotonic() - started < 2  # a writer's lock would make it wait up to busy_timeout
    finally:
        done.set()
        thread.join()
        repo.dispose()
