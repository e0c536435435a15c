"""An archive of real-looking Russian and Kazakh articles, stored through the repository on both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from newsmon.models import Article
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.migrate import upgrade
from pipelines.dedupe import content_hash, search_terms
from tests.conftest import FIXTURES

ARTICLES = json.loads((FIXTURES / "search" / "articles.json").read_text(encoding="utf-8"))


@dataclass
class StoredArchive:
    repo: Repository
    url: str
    ids: dict[str, int]  # fixture key -> article id
    stories: dict[str, int]  # fixture story -> story id


def store_fixture_articles(repo: Repository) -> tuple[dict[str, int], dict[str, int]]:
    ids: dict[str, int] = {}
    stories: dict[str, int] = {}
    for entry in ARTICLES:
        article = Article(
            url=entry["url"],
            text=entry["text"],
            title=entry["title"],
            source=entry["source"],
            language=entry["language"],
            published=datetime.fromisoformat(entry["published"]),
        )
        item = ArticleToStore(
            article,
            canonical_url=entry["url"],
            content_hash=content_hash(article.text),
            search_terms=search_terms(article),
            story_id=stories.get(entry["story"]),
        )
        result = repo.store_article(item)
        ids[entry["key"]] = result.article_id
        stories[entry["story"]] = result.story_id
    return ids, stories


@pytest.fixture
def archive(database_url: str) -> Iterator[StoredArchive]:
    repo = Repository.from_url(database_url)
    upgrade(repo.engine)
    ids, stories = store_fixture_articles(repo)
    yield StoredArchive(repo, database_url, ids, stories)
    repo.dispose()
