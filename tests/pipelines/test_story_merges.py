"""Merging stories in storage: articles and matches move, one match per watch survives, the merge is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.models import Watch
from newsmon.storage import ArticleToStore, Repository, WatchHit
from tests.newsmon_env import newsmon_settings
from tests.pipelines.conftest import article


def store(repo: Repository, url: str, story_id: int | None = None) -> tuple[int, int]:
    item = ArticleToStore(article(url, f"Текст статьи {url}."), url, url, "", story_id)
    result = repo.store_article(item)
    return result.article_id, result.story_id


def test_merge_moves_articles_and_keeps_one_match_per_watch(repo: Repository) -> None:
    both = repo.add_watch(Watch(id=0, name="akim", query="аким"))
    only_other = repo.add_watch(Watch(id=0, name="taraz", query="Тараз"))
    first, keep = store(repo, "https://a.kz/1")
    second, other = store(repo, "https://b.kz/1")
    third, _ = store(repo, "https://b.kz/2", other)
    repo.record_matching(first, [WatchHit(both.id)])
    repo.record_matching(second, [WatchHit(both.id), WatchHit(only_other.id)])

    moved = repo.merge_stories(keep, [other])

    assert moved == 2
    assert {a.id for a in repo.story_articles(keep)} == {first, second, third}
    assert repo.story_matched_by(keep) == {both.id, only_other.id}
    assert repo.story_matched_by(other) == set()
    assert repo.count_matches(both.id) == 1
    assert repo.story_merged_into(other) == keep
    assert repo.story_merged_into(keep) is None
    assert len(repo.get_story(keep).article_ids) == 3  # type: ignore[union-attr]


def test_merges_are_followed_to_the_end(repo: Repository) -> None:
    _, a = store(repo, "https://a.kz/1")
    _, b = store(repo, "https://b.kz/1")
    _, c = store(repo, "https://c.kz/1")

    repo.merge_stories(b, [c])
    repo.merge_stories(a, [b])

    assert repo.story_merged_into(c) == a
    assert repo.merge_stories(c, [a]) == 0  # both are already one story
    assert len(repo.story_articles(a)) == 3


def test_merging_into_a_missing_story_is_an_error(repo: Repository) -> None:
    _, a = store(repo, "https://a.kz/1")

    with pytest.raises(ValueError, match="no story 999"):
        repo.merge_stories(999, [a])


def test_stories_command_says_where_a_merged_story_went(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsmon.cli.main import cli

    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url):
        repo = Repository.from_url(sqlite_url)
        from newsmon.storage.migrate import upgrade

        upgrade(repo.engine)
        _, keep = store(repo, "https://a.kz/1")
        _, other = store(repo, "https://b.kz/1")
        repo.merge_stories(keep, [other])

        result = CliRunner().invoke(cli, ["stories", str(other)])

    assert result.exit_code == 0, result.output
    assert f"story {other} was merged into story {keep}" in result.output
    assert "https://a.kz/1" in result.output and "https://b.kz/1" in result.output
