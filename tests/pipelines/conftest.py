"""A migrated repository and the dedupe/store stages over it, with an in-process near-duplicate index."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from newsmon.models import Article
from newsmon.storage import Repository, StoreResult
from newsmon.storage.migrate import upgrade
from pipelines.dedupe import Decision, Deduplicator
from pipelines.near_duplicate import MemoryIndex, NearDuplicateDetector
from pipelines.normalise import normalise_article
from pipelines.store import Storer
from tests.conftest import SAMPLES

PUBLISHED = datetime(2025, 2, 10, 5, 0, tzinfo=UTC)


@pytest.fixture
def repo(database_url: str) -> Iterator[Repository]:
    repository = Repository.from_url(database_url)
    upgrade(repository.engine)
    yield repository
    repository.dispose()


@dataclass
class Stages:
    """Normalise -> decide -> store, as a crawl runs them (no match queue)."""

    repo: Repository
    index: MemoryIndex
    deduplicator: Deduplicator
    storer: Storer

    def decide(self, article: Article) -> Decision:
        return self.deduplicator.decide(normalise_article(article))

    def store(self, article: Article) -> tuple[Decision, StoreResult]:
        decision = self.decide(article)
        return decision, self.storer.store(decision)


@pytest.fixture
def stages(repo: Repository) -> Stages:
    index = MemoryIndex()
    deduplicator = Deduplicator(repo, NearDuplicateDetector(index))
    return Stages(repo, index, deduplicator, Storer(repo, index, None, deduplicator))


@pytest.fixture(scope="session")
def conference_text() -> str:
    """The real Zhambyl conference article, body only."""
    text = (SAMPLES / "zhambyl-conference.ru.txt").read_text(encoding="utf-8")
    return text.split("\n")[-1].strip() if text.strip() else text


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def article(url: str, text: str, title: str = "Конференция в Таразе", **fields: object) -> Article:
    fields.setdefault("published", PUBLISHED)
    fields.setdefault("language", "ru")
    return Article(url=url, text=text, title=title, **fields)  # type: ignore[arg-type]
