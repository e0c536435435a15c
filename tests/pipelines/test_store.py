"""Storing: one transaction per article or batch, a bad article costs only itself, the outbox and the FTS index."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text

from newsmon.storage import ArticleToStore, Repository, StoreResult
from newsmon.text import analyse
from pipelines.batch import BatchStorer
from pipelines.dedupe import Deduplicator, content_hash, search_terms
from tests.pipelines.conftest import PUBLISHED, Stages, article


def item(url: str, body: str | None = None) -> ArticleToStore:
    body = body if body is not None else f"Аким провёл совещание ({url}) с руководителями районов."
    return ArticleToStore(article(url, body), url, content_hash(body), "", None)


def broken(url: str) -> ArticleToStore:
    """An article whose text violates the NOT NULL constraint of articles.text."""
    return ArticleToStore(article(url, None), url, f"hash-{url}", "", None)  # type: ignore[arg-type]


def test_a_batch_with_a_bad_article_stores_the_others(repo: Repository) -> None:
    batch = [item("https://a.kz/1"), broken("https://a.kz/2"), item("https://a.kz/3")]

    results = repo.store_articles(batch)

    assert [type(r) for r in results] == [StoreResult, type(results[1]), StoreResult]
    assert isinstance(results[1], Exception)
    assert repo.known_urls(["https://a.kz/1", "https://a.kz/2", "https://a.kz/3"]) == {
        "https://a.kz/1",
        "https://a.kz/3",
    }
    assert repo.count_stories() == 2  # the bad article left no story behind


def test_a_batch_joins_stories_of_earlier_batch_items(repo: Repository) -> None:
    results = repo.store_articles(
        [item("https://a.kz/1"), item("https://b.kz/1"), item("https://c.kz/1")], [None, 0, 0]
    )

    stories = {r.story_id for r in results if isinstance(r, StoreResult)}
    assert len(stories) == 1
    assert [r.outcome for r in results if isinstance(r, StoreResult)] == ["new", "copy", "copy"]
    assert len(repo.story_articles(stories.pop())) == 3


def test_a_big_batch_gives_each_article_its_own_id_story_and_count(repo: Repository) -> None:
    """More rows than one INSERT takes: ids, stories and story counts still line up with the items."""
    earlier = repo.store_article(item("https://old.kz/1"))
    day = timedelta(days=1)
    items, joins = [], []
    for n in range(450):
        published = PUBLISHED - day * (n % 3)  # the story's first article is the last of its three
        items.append(
            replace(
                item(f"https://a.kz/{n}"),
                article=article(f"https://a.kz/{n}", f"Текст {n}.", published=published),
            )
        )
        joins.append(None if n % 3 == 0 else n - n % 3)
    items.append(replace(item("https://b.kz/copy"), story_id=earlier.story_id))
    joins.append(None)

    results = repo.store_articles(items, joins)

    assert all(isinstance(r, StoreResult) for r in results)
    by_id = {a.id: a for a in repo.get_articles([r.article_id for r in results])}
    assert [by_id[r.article_id].url for r in results] == [i.article.url for i in items]
    assert [r.outcome for r in results[:3]] == ["new", "copy", "copy"]
    for first in range(0, 450, 3):
        assert results[first].story_id == results[first + 1].story_id == results[first + 2].story_id
        story = repo.get_story(results[first].story_id)
        assert story is not None and len(story.article_ids) == 3
        assert story.first_published == PUBLISHED - 2 * day
    assert len({results[first].story_id for first in range(0, 450, 3)}) == 150
    assert results[-1].story_id == earlier.story_id and results[-1].outcome == "copy"
    assert len(repo.story_articles(earlier.story_id)) == 2
    with repo.session() as s:
        counts = dict(s.execute(text("SELECT id, article_count FROM stories")).all())
    assert {counts[results[first].story_id] for first in range(0, 450, 3)} == {3}
    assert counts[earlier.story_id] == 2


def test_a_conflict_mid_batch_falls_back_to_one_transaction_each(repo: Repository) -> None:
    repo.store_article(item("https://a.kz/2"))

    results = repo.store_articles(
        [item("https://a.kz/1"), item("https://a.kz/2", "Новый текст."), item("https://a.kz/3")]
    )

    assert [r.outcome for r in results if isinstance(r, StoreResult)] == ["new", "version", "new"]
    assert repo.count_articles() == 3


def test_a_failed_article_is_not_half_written(repo: Repository, stages: Stages) -> None:
    with pytest.raises(Exception):  # noqa: B017 - the database's own error type differs per backend
        repo.store_article(broken("https://a.kz/1"))

    assert repo.count_articles() == 0
    assert repo.count_stories() == 0


def test_batch_storer_reports_the_bad_article_and_stores_the_rest(
    stages: Stages, conference_text: str
) -> None:
    batch_storer = BatchStorer(stages.deduplicator, stages.storer)
    good = [Deduplicator.prepare(article(f"https://a.kz/{n}", f"{n}. {conference_text}")) for n in range(3)]
    bad_item, bad_fp = Deduplicator.prepare(article("https://a.kz/bad", "Текст."))
    bad = (
        ArticleToStore(bad_item.article.with_changes(text=None), bad_item.canonical_url, "x", "", None),
        bad_fp,
    )

    stored = batch_storer.store([good[0], bad, good[1], good[2]])

    assert [s.error is None for s in stored] == [True, False, True, True]
    assert "https://a.kz/bad" not in stages.index  # nothing points to an article that is not there
    assert stages.repo.count_articles() == 3
    assert len({s.result.story_id for s in stored if s.result}) == 1  # the three copies are one story


def test_stored_articles_wait_in_the_outbox_until_matched(stages: Stages, conference_text: str) -> None:
    _, stored = stages.store(article("https://ztgzt.kz/news/conference", conference_text))

    assert stored.article_id in stages.repo.unmatched_article_ids()


def query_terms(words: str) -> list[frozenset[str]]:
    return [token.terms or frozenset({token.norm}) for token in analyse(words, "ru")]


def test_full_text_index_finds_inflected_forms(repo: Repository, stages: Stages) -> None:
    body = "Зарубежные эксперты предлагают распространить опыт Жамбылской области по реализации проекта."
    other = "В Туркестанской области открыли школу на 600 мест."
    _, wanted = stages.store(article("https://ztgzt.kz/news/1", body))
    stages.store(article("https://ztgzt.kz/news/2", other))
    assert "жамбылский" in search_terms(article("https://x.kz", body)).split()
    terms = query_terms("Жамбылская область")

    if repo.engine.dialect.name == "sqlite":
        match = " AND ".join("(" + " OR ".join(f'"{t}"' for t in sorted(word)) + ")" for word in terms)
        sql, params = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q", {"q": match}
    else:
        query = " & ".join("(" + " | ".join(sorted(word)) + ")" for word in terms)
        sql = "SELECT id FROM articles WHERE search_vector @@ to_tsquery('simple', :q)"
        params = {"q": query}
    with repo.engine.connect() as connection:
        found = [row[0] for row in connection.execute(text(sql), params)]

    assert found == [wanted.article_id]
