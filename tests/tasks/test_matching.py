"""Matching stored articles against watches: minimum mentions, aliases, filters, one alert per story."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.delivery import deliver_alert
from tasks.matching import match_articles
from tests.tasks.alerting import add_watch, alerts_env, delivered, jsonl_channel, store

ONCE = "Аким Жамбылской области Ербол Карашукеев провёл приём граждан."
THRICE = (
    "Аким Жамбылской области открыл школу. Жамбылская область получила новые автобусы. "
    "В Жамбылской области завершили ремонт дорог."
)


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str):
    with alerts_env(monkeypatch, tmp_path, database_url) as repo:
        jsonl_channel(repo, "file", tmp_path / "alerts.jsonl")
        yield repo


def test_min_mentions_counts_every_place_the_article_names_the_watch(repo) -> None:
    add_watch(repo, "region", '"Жамбылская область"', channels=("file",), min_mentions=3)
    once, thrice = store(repo, "https://a.kz/1", ONCE), store(repo, "https://a.kz/2", THRICE)

    created = match_articles([once, thrice], enqueue=False)

    assert len(created) == 1
    assert repo.get_alert(created[0]).article_id == thrice
    assert repo.get_article(once).matched  # looked at, just not a match


def test_article_below_min_mentions_leaves_the_story_open_for_a_fuller_copy(repo) -> None:
    add_watch(repo, "region", '"Жамбылская область"', channels=("file",), min_mentions=2)
    first = store(repo, "https://a.kz/1", ONCE)
    story = repo.get_article(first).story_id
    fuller = store(repo, "https://b.kz/1", THRICE, story_id=story)

    assert match_articles([first], enqueue=False) == []
    created = match_articles([fuller], enqueue=False)

    assert [repo.get_alert(i).article_id for i in created] == [fuller]


def test_without_min_mentions_one_mention_is_enough(repo) -> None:
    add_watch(repo, "region", '"Жамбылская область"', channels=("file",))
    assert len(match_articles([store(repo, "https://a.kz/1", ONCE)], enqueue=False)) == 1


def test_watch_query_uses_stored_aliases(repo) -> None:
    repo.set_alias("akim", "Карашукеев | Karashukeyev")
    add_watch(repo, "akim", "@akim", channels=("file",))

    created = match_articles([store(repo, "https://a.kz/1", ONCE)], enqueue=False)

    assert len(created) == 1
    assert "Карашукеев" in repo.get_alert(created[0]).payload["snippet"]


def test_changed_alias_is_used_by_the_next_match(repo) -> None:
    repo.set_alias("akim", "Сапарбаев")
    add_watch(repo, "akim", "@akim", channels=("file",))
    assert match_articles([store(repo, "https://a.kz/1", ONCE)], enqueue=False) == []

    repo.set_alias("akim", "Карашукеев")

    assert len(match_articles([store(repo, "https://a.kz/2", ONCE + " ")], enqueue=False)) == 1


def test_copies_of_a_story_alert_once_and_other_watches_still_fire(repo) -> None:
    add_watch(repo, "region", '"Жамбылская область"', channels=("file",))
    add_watch(repo, "akim", "Карашукеев", channels=("file",))
    first = store(repo, "https://a.kz/1", ONCE)
    copy = store(repo, "https://b.kz/1", ONCE + " ", story_id=repo.get_article(first).story_id)

    created = match_articles([first, copy], enqueue=False)

    assert sorted(repo.get_alert(i).payload["watch_name"] for i in created) == ["akim", "region"]


def test_source_filter_keeps_other_portals_out(repo) -> None:
    add_watch(repo, "region", '"Жамбылская область"', channels=("file",), sources=("ztgzt",))
    assert match_articles([store(repo, "https://a.kz/1", ONCE, source="akimat")], enqueue=False) == []
    assert len(match_articles([store(repo, "https://z.kz/1", ONCE, source="ztgzt")], enqueue=False)) == 1


def test_an_alert_names_the_copies_stored_before_it_is_sent(repo, tmp_path: Path) -> None:
    """Matched with no copy yet; a copy from another portal is stored before the alert goes out (a retry,
    quiet hours): the message names it."""
    add_watch(repo, "akim", "Карашукеев", channels=("file",))
    first = store(repo, "https://a.kz/1", ONCE)
    [alert_id] = match_articles([first], enqueue=False)
    assert repo.get_alert(alert_id).payload["also_on"] == []
    store(repo, "https://b.kz/1", ONCE + " ", story_id=repo.get_article(first).story_id, source="b")

    assert deliver_alert(alert_id) == "sent"

    [record] = delivered(tmp_path / "alerts.jsonl")
    assert [copy["url"] for copy in record["data"]["also_on"]] == ["https://b.kz/1"]
