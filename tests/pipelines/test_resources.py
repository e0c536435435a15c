"""The embedded near-duplicate index: a snapshot in the data directory plus catch-up of newer articles."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from newsmon.config import Settings
from newsmon.storage import Repository
from pipelines.dedupe import Deduplicator
from pipelines.resources import SNAPSHOT_FILE, PipelineResources, build_resources, open_index
from tests.pipelines.conftest import article, sentences


@pytest.fixture
def settings(tmp_path: Path, sqlite_url: str, repo_on_sqlite: Repository) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=sqlite_url,
        broker_url=f"sqla+sqlite:///{tmp_path / 'broker.db'}",
    )


@pytest.fixture
def repo_on_sqlite(sqlite_url: str) -> Repository:
    from newsmon.storage.migrate import upgrade

    repository = Repository.from_url(sqlite_url)
    upgrade(repository.engine)
    return repository


def store(repo: Repository, url: str, text: str) -> None:
    item, _ = Deduplicator.prepare(article(url, text))
    repo.store_article(item)


def fingerprinted(caplog: pytest.LogCaptureFixture) -> int:
    message = next(r.getMessage() for r in reversed(caplog.records) if "fingerprinted now" in r.getMessage())
    return int(message.split(", ")[1].split()[0])


def test_snapshot_is_written_and_later_processes_fingerprint_only_newer_articles(
    settings: Settings, repo_on_sqlite: Repository, conference_text: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pipelines.resources")
    parts = sentences(conference_text)
    for n in range(3):
        store(repo_on_sqlite, f"https://a.kz/{n}", " ".join(parts[n * 5 : n * 5 + 5]))

    index, snapshot = open_index(settings, repo_on_sqlite)
    assert len(index) == 3 and fingerprinted(caplog) == 3
    assert (settings.data_dir / SNAPSHOT_FILE).exists() and snapshot is not None and snapshot.last_id == 3

    store(repo_on_sqlite, "https://b.kz/copy", conference_text)  # stored by another process
    index, _ = open_index(settings, repo_on_sqlite)

    assert fingerprinted(caplog) == 1
    assert all(f"https://a.kz/{n}" in index for n in range(3))
    assert "https://b.kz/copy" in {c.key for c in index.query(_fp(conference_text))}


def test_resources_save_what_the_process_stored_when_closed(
    settings: Settings, repo_on_sqlite: Repository, conference_text: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pipelines.resources")
    resources = build_resources(settings, enqueue=False)
    deduplicator = Deduplicator(resources.repo, resources.detector)
    from pipelines.store import Storer

    Storer(resources.repo, resources.index, None, deduplicator).store(
        deduplicator.decide(article("https://a.kz/1", conference_text))
    )
    resources.close()

    open_index(settings, repo_on_sqlite)

    assert fingerprinted(caplog) == 0  # the closing process saved its article in the snapshot


def test_a_snapshot_of_another_database_or_a_broken_file_is_rebuilt(
    settings: Settings,
    repo_on_sqlite: Repository,
    conference_text: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="pipelines.resources")
    store(repo_on_sqlite, "https://a.kz/1", conference_text)
    open_index(settings, repo_on_sqlite)
    other = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'other.db'}"})
    other_repo = Repository.from_url(other.effective_database_url)
    from newsmon.storage.migrate import upgrade

    upgrade(other_repo.engine)
    index, _ = open_index(other, other_repo)
    assert len(index) == 0  # nothing of the first database leaks into the second

    (settings.data_dir / SNAPSHOT_FILE).write_bytes(b"not an index")
    index, _ = open_index(settings, repo_on_sqlite)

    assert len(index) == 1 and fingerprinted(caplog) == 1


def _fp(text: str):
    from pipelines.near_duplicate import fingerprint

    return fingerprint(text, title="Конференция в Таразе", lang="ru")


def test_two_crawls_at_once_group_a_copy_the_other_stored_meanwhile(
    settings: Settings, repo_on_sqlite: Repository, conference_text: str
) -> None:
    """Embedded default: each crawl holds its own copy of the index, brought up to date before each batch."""
    from pipelines.batch import BatchStorer
    from pipelines.normalise import normalise_article
    from pipelines.store import Storer

    crawls = [build_resources(settings, enqueue=False) for _ in range(2)]  # both open before either stores
    storers = []
    for resources in crawls:
        deduplicator = Deduplicator(resources.repo, resources.detector)
        storer = Storer(resources.repo, resources.index, None, deduplicator)
        storers.append(BatchStorer(deduplicator, storer, resources.refresh_index, resources.deciding))
    edited = conference_text.replace("Таразе", "г. Тараз", 1) + " Фото пресс-службы акимата."

    (first,) = storers[0].store(
        [Deduplicator.prepare(normalise_article(article("https://a.kz/1", conference_text)))]
    )
    (copy,) = storers[1].store([Deduplicator.prepare(normalise_article(article("https://b.kz/7", edited)))])

    assert first.result is not None and copy.result is not None
    assert copy.reason == "near_duplicate" and copy.result.story_id == first.result.story_id
    for resources in crawls:
        resources.close()


@pytest.mark.redis
def test_an_emptied_redis_is_filled_again_from_the_database_and_copies_still_join_their_story(
    tmp_path: Path, sqlite_url: str, repo_on_sqlite: Repository, redis_url: str, conference_text: str,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Redis kept nothing (a restart without persistence): a copy of a story stored before still joins it."""
    import redis

    from pipelines.batch import BatchStorer
    from pipelines.normalise import normalise_article
    from pipelines.store import Storer

    settings = Settings(data_dir=tmp_path / "data", database_url=sqlite_url, redis_url=redis_url)

    def storer(resources: PipelineResources) -> BatchStorer:
        deduplicator = Deduplicator(resources.repo, resources.detector)
        return BatchStorer(deduplicator, Storer(resources.repo, resources.index, None, deduplicator),
                           resources.refresh_index)  # fmt: skip

    before = build_resources(settings, enqueue=False)
    (original,) = storer(before).store(
        [Deduplicator.prepare(normalise_article(article("https://a.kz/1", conference_text)))]
    )
    running = build_resources(settings, enqueue=False)  # a crawl already running when Redis is emptied
    redis.Redis.from_url(redis_url).flushdb()

    edited = conference_text.replace("Таразе", "г. Тараз", 1) + " Фото пресс-службы акимата."
    with caplog.at_level(logging.WARNING, logger="pipelines.resources"):
        (copy,) = storer(running).store(
            [Deduplicator.prepare(normalise_article(article("https://b.kz/7", edited)))]
        )

    assert original.result is not None and copy.result is not None
    assert copy.reason == "near_duplicate" and copy.result.story_id == original.result.story_id
    assert any("indexed again from the database" in r.getMessage() for r in caplog.records)
    for resources in (before, running):
        resources.close()


@pytest.mark.parametrize("shared", ["embedded", "redis"])
def test_two_crawls_deciding_at_the_same_moment_make_one_story(
    request: pytest.FixtureRequest, shared: str, tmp_path: Path, sqlite_url: str, repo_on_sqlite: Repository,
    conference_text: str,
) -> None:  # fmt: skip
    """The second crawl decides while the first is still writing its article: it waits, then joins it."""
    import threading
    import time

    from pipelines.batch import BatchStorer
    from pipelines.normalise import normalise_article
    from pipelines.store import Storer

    redis_url = request.getfixturevalue("redis_url") if shared == "redis" else ""
    settings = Settings(data_dir=tmp_path / "data", database_url=sqlite_url, redis_url=redis_url)
    crawls = [build_resources(settings, enqueue=False) for _ in range(2)]
    writing = threading.Event()
    slow_repo = crawls[0].repo
    store_articles = slow_repo.store_articles

    def slow_store(*args: object, **kwargs: object) -> object:
        writing.set()  # the first crawl has decided "new" and is writing it
        time.sleep(0.5)
        return store_articles(*args, **kwargs)

    slow_repo.store_articles = slow_store  # type: ignore[method-assign]
    storers = []
    for resources in crawls:
        deduplicator = Deduplicator(resources.repo, resources.detector)
        storer = Storer(resources.repo, resources.index, None, deduplicator)
        storers.append(BatchStorer(deduplicator, storer, resources.refresh_index, resources.deciding))
    edited = conference_text.replace("Таразе", "г. Тараз", 1) + " Фото пресс-службы акимата."
    results = {}

    def first() -> None:
        item = Deduplicator.prepare(normalise_article(article("https://a.kz/1", conference_text)))
        (results["first"],) = storers[0].store([item])

    thread = threading.Thread(target=first)
    thread.start()
    assert writing.wait(10)
    item = Deduplicator.prepare(normalise_article(article("https://b.kz/7", edited)))
    (copy,) = storers[1].store([item])
    thread.join()

    original = results["first"]
    assert original.result is not None and copy.result is not None
    assert copy.reason == "near_duplicate" and copy.result.story_id == original.result.story_id
    for resources in crawls:
        resources.close()
