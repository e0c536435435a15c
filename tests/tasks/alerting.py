"""Building blocks of the alert tests: a migrated database behind tasks.context, articles, channels, watches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsmon.models import Article, Channel, Watch
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.migrate import upgrade
from tests.newsmon_env import newsmon_settings

PROJECT = "В Таразе прошла конференция, посвящённая проекту «Бейбітшілік пен келісім»."


@contextmanager
def alerts_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, **settings: str
) -> Iterator[Repository]:
    """The repository the tasks use (tasks.context), on a migrated database of the test's own."""
    from tasks import context

    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=database_url, **settings):
        repo = context.repository()
        upgrade(repo.engine)
        yield repo


def store(
    repo: Repository,
    url: str,
    text: str = PROJECT,
    *,
    title: str = "Конференция",
    story_id: int | None = None,
    source: str | None = "akimat",
) -> int:
    """Store an article (a new story unless `story_id` is given); returns its id."""
    article = Article(
        url=url,
        text=text,
        title=title,
        language="ru",
        source=source,
        published=datetime(2026, 11, 20, 5, tzinfo=UTC),
    )
    return repo.store_article(ArticleToStore(article, url, f"hash-{url}", story_id=story_id)).article_id


def jsonl_channel(repo: Repository, name: str, path: Path) -> Channel:
    return repo.upsert_channel(Channel(id=0, name=name, kind="jsonl", target=str(path)))


def add_watch(repo: Repository, name: str, query: str, **fields: Any) -> Watch:
    return repo.add_watch(Watch(id=0, name=name, query=query, **fields))


def delivered(path: Path) -> list[dict[str, Any]]:
    """The records a jsonl channel wrote."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
