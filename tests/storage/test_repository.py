"""The repository on SQLite and PostgreSQL: articles, stories, versions, matches, alerts, leases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsmon.models import Article, Channel, Watch
from newsmon.storage import ArticleToStore, NewAlert, Repository, WatchHit
from newsmon.storage.migrate import current_revision, head_revision, upgrade


@pytest.fixture
def repo(database_url: str) -> Repository:
    repository = Repository.from_url(database_url)
    upgrade(repository.engine)
    yield repository
    repository.dispose()


def _item(url: str, text: str = "Аким Жамбылской области провёл совещание.", **kw) -> ArticleToStore:
    article = Article(
        url=url,
        text=text,
        title=kw.pop("title", "Совещание"),
        source=kw.pop("source", "akimat"),
        published=datetime(2025, 3, 1, 8, 0, tzinfo=UTC),
    )
    return ArticleToStore(
        article=article, canonical_url=url, content_hash=kw.pop("content_hash", str(hash(text))), **kw
    )


def test_upgrade_is_repeatable(repo: Repository) -> None:
    upgrade(repo.engine)
    assert current_revision(repo.engine) == head_revision()


def test_the_last_migration_goes_down_and_up_again_with_data(repo: Repository) -> None:
    """An upgrade after a downgrade meets what the downgrade left (on SQLite, a foreign key it named), and
    kept trend counts survive the round trip."""
    from alembic import command

    from newsmon.search.fts import TermGroup, render
    from newsmon.storage.migrate import alembic_config

    repo.store_article(_item("https://akimat.kz/1", search_terms="аким жамбылский область совещание"))
    key = repo.keep_trend_counts(("аким",), render(TermGroup(("аким",)), repo.full_text_dialect) or "")
    kept = repo.kept_counts(key, None, None)
    config = alembic_config(repo.engine)
    with repo.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    upgrade(repo.engine)
    assert current_revision(repo.engine) == head_revision()
    assert kept and repo.kept_counts(key, None, None) == kept


def test_new_article_starts_a_story_and_a_copy_joins_it(repo: Repository) -> None:
    first = repo.store_article(_item("http://a.kz/1", search_terms="аким жамбылский область"))
    copy = repo.store_article(_item("http://b.kz/9", story_id=first.story_id, source="gazeta"))
    assert first.outcome == "new"
    assert copy.outcome == "copy" and copy.story_id == first.story_id
    story = repo.get_story(first.story_id)
    assert story is not None and story.article_ids == (first.article_id, copy.article_id)
    assert repo.known_urls(["http://a.kz/1", "http://c.kz/2"]) == {"http://a.kz/1"}
    stored = repo.get_article(first.article_id)
    assert stored is not None and stored.published == datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def test_same_url_with_changed_text_is_a_new_version(repo: Repository) -> None:
    first = repo.store_article(_item("http://a.kz/1", text="Первая редакция.", content_hash="h1"))
    same = repo.store_article(_item("http://a.kz/1", text="Первая редакция.", content_hash="h1"))
    changed = repo.store_article(
        _item("http://a.kz/1", text="Вторая редакция.", content_hash="h2"), material=True
    )
    assert same.outcome == "unchanged"
    assert changed.outcome == "version" and changed.version == 2 and changed.article_id == first.article_id
    versions = repo.article_versions(first.article_id)
    assert [v["version"] for v in versions] == [1, 2]
    assert repo.count_articles() == 1


def test_a_story_is_named_by_the_current_title_of_the_copy_that_started_it(repo: Repository) -> None:
    first = repo.store_article(_item("http://a.kz/1", title="Мост закрыт"))
    repo.store_article(_item("http://b.kz/2", title="Перекрыт мост", story_id=first.story_id))
    repo.store_article(_item("http://b.kz/2", "Другой текст.", title="Мост откроют в мае", content_hash="b2"))
    assert repo.get_story(first.story_id).title == "Мост закрыт"  # another copy's title does not rename it
    repo.store_article(
        _item("http://a.kz/1", "Новый текст.", title="Мост закрыт до октября", content_hash="a2")
    )
    assert repo.get_story(first.story_id).title == "Мост закрыт до октября"


def test_one_match_per_watch_and_story_and_one_alert_per_key(repo: Repository) -> None:
    channel = repo.upsert_channel(
        Channel(id=0, name="ops-mail", kind="email", target="smtp://127.0.0.1:25/?to=a@b.kz")
    )
    watch = repo.add_watch(Watch(id=0, name="akim", query="Сапарбаев", channels=("ops-mail",)))
    first = repo.store_article(_item("http://a.kz/1"))
    copy = repo.store_article(_item("http://b.kz/2", story_id=first.story_id))

    def hit(article_id: int) -> WatchHit:
        key = f"match:{watch.id}:{first.story_id}:{channel.id}"
        return WatchHit(watch.id, ("сапарбаев",), (NewAlert(channel.id, key, {"title": "x"}),))

    created = repo.record_matching(first.article_id, [hit(first.article_id)])
    again = repo.record_matching(copy.article_id, [hit(copy.article_id)])
    assert len(created) == 1 and again == []
    assert repo.count_matches() == 1
    assert repo.unmatched_article_ids() == []
    assert repo.record_matching(first.article_id, [hit(first.article_id)]) == []


def test_alert_lifecycle_retry_and_dead(repo: Repository) -> None:
    channel = repo.upsert_channel(Channel(id=0, name="hook", kind="webhook", target="http://127.0.0.1:9/"))
    alert_id = repo.add_alert(NewAlert(channel.id, "ops:1", {"title": "stale"}), kind="ops")
    assert alert_id is not None
    assert repo.add_alert(NewAlert(channel.id, "ops:1", {}), kind="ops") is None
    claimed = repo.claim_alert(alert_id)
    assert claimed is not None and claimed.attempts == 1
    assert repo.claim_alert(alert_id) is None  # leased by the first claim
    repo.mark_alert_failed(alert_id, "HTTP 500", retry_at=datetime.now(UTC) - timedelta(seconds=1))
    assert alert_id in repo.due_alert_ids()
    repo.mark_alert_failed(alert_id, "HTTP 500", retry_at=None)
    assert [a.id for a in repo.list_alerts("dead")] == [alert_id]
    assert repo.retry_alert(alert_id)
    claimed = repo.claim_alert(alert_id)
    assert claimed is not None and claimed.idempotency_key == "ops:1"
    repo.mark_alert_sent(alert_id)
    assert repo.get_alert(alert_id).status == "sent"


def test_leases_exclude_other_owners_until_expiry(repo: Repository) -> None:
    assert repo.acquire_lock("crawl:akimat", "w1", timedelta(minutes=5))
    assert not repo.acquire_lock("crawl:akimat", "w2", timedelta(minutes=5))
    repo.release_lock("crawl:akimat", "w1")
    assert repo.acquire_lock("crawl:akimat", "w2", timedelta(seconds=-1))
    assert repo.acquire_lock("crawl:akimat", "w1", timedelta(minutes=5))  # expired lease is taken over


def test_naive_datetimes_are_refused(repo: Repository) -> None:
    item = _item("http://a.kz/naive")
    bad = ArticleToStore(
        article=item.article.with_changes(published=datetime(2025, 1, 1)),
        canonical_url=item.canonical_url,
        content_hash="n",
    )
    with pytest.raises(Exception, match="naive datetime"):
        repo.store_article(bad)
    assert repo.count_articles() == 0


def test_migrations_form_one_chain_and_downgrade_cleanly(repo: Repository) -> None:
    from alembic import command

    from newsmon.storage.migrate import alembic_config

    assert head_revision()  # raises when two revisions claim the same parent
    config = alembic_config(repo.engine)
    with repo.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert current_revision(repo.engine) is None
    upgrade(repo.engine)
    assert current_revision(repo.engine) == head_revision()
