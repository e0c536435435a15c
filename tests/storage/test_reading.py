"""Lookups do not queue behind a writer on SQLite: a crawl checks every URL while it stores batches."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from newsmon.models import Article
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.migrate import upgrade


def test_a_lookup_answers_while_another_connection_holds_the_write_lock(tmp_path: Path) -> None:
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'newsmon.db'}")
    upgrade(repo.engine)
    url = "https://portal.kz/news/1"
    repo.store_articles([ArticleToStore(Article(url=url, text="Текст"), url, "0" * 32, "текст")])
    writing, done = threading.Event(), threading.Event()

    def writer() -> None:
        with repo.session():  # BEGIN IMMEDIATE: holds the write lock until `done`
            writing.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(5)
        started = time.monotonic()
        assert repo.known_urls([url, "https://portal.kz/news/2"]) == {url}
        assert repo.article_by_url(url) is not None
        assert time.monotonic() - started < 2  # a writer's lock would make it wait up to busy_timeout
    finally:
        done.set()
        thread.join()
        repo.dispose()
