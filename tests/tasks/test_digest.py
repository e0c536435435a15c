"""Digests: one message per owner, channel and period, grouped by watch, each story once; never twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tasks.delivery import deliver_alert
from tasks.digest import Schedule, period_boundary, run_digests
from tasks.matching import match_articles
from tests.tasks.alerting import add_watch, alerts_env, delivered, jsonl_channel, store

BOTH = "Аким Жамбылской области Ербол Карашукеев открыл школу в Таразе."
REGION = "В Жамбылской области завершили ремонт дорог."
AKIM = "Ербол Карашукеев провёл приём граждан."


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("mode", "zone", "now", "boundary"),
    [
        ("hourly", "Asia/Almaty", "2026-11-25T10:37+05:00", "2026-11-25T10:00+05:00"),
        ("hourly", "Asia/Kolkata", "2026-11-25T10:37+05:30", "2026-11-25T10:00+05:30"),  # the local hour
        ("daily", "Asia/Almaty", "2026-11-25T09:00+05:00", "2026-11-25T09:00+05:00"),
        ("daily", "Asia/Almaty", "2026-11-25T08:59+05:00", "2026-11-24T09:00+05:00"),
        ("daily", "Asia/Almaty", "2026-11-26T01:00+05:00", "2026-11-25T09:00+05:00"),
        ("weekly", "Asia/Almaty", "2026-11-25T12:00+05:00", "2026-11-23T09:00+05:00"),  # Wed -> Mon
        ("weekly", "Asia/Almaty", "2026-11-23T08:00+05:00", "2026-11-16T09:00+05:00"),  # Mon before 9
        ("daily", "Europe/Berlin", "2026-03-29T10:00+02:00", "2026-03-29T09:00+02:00"),  # after DST starts
    ],
)
def test_period_boundary_in_the_owners_zone(mode: str, zone: str, now: str, boundary: str) -> None:
    schedule = Schedule("aigerim", mode, "09:00", zone)
    assert period_boundary(schedule, at(now)) == at(boundary)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str):
    with alerts_env(monkeypatch, tmp_path, database_url) as repo:
        jsonl_channel(repo, "mail", tmp_path / "mail.jsonl")
        jsonl_channel(repo, "chat", tmp_path / "chat.jsonl")
        yield repo, tmp_path


def daily(repo, name: str, query: str, owner: str = "aigerim", channels=("mail",), **fields):
    return add_watch(
        repo, name, query, owner=owner, channels=channels, mode="daily", digest_at="09:00", **fields
    )


def test_one_digest_per_owner_and_period_grouped_by_watch_with_each_story_once(env) -> None:
    repo, tmp = env
    daily(repo, "region", '"Жамбылская область"')
    daily(repo, "akim", "Карашукеев")
    both = store(repo, "https://a.kz/1", BOTH)
    copy = store(repo, "https://b.kz/9", BOTH + " ", story_id=repo.get_article(both).story_id)
    ids = [both, copy, store(repo, "https://a.kz/2", REGION), store(repo, "https://a.kz/3", AKIM)]
    match_articles(ids, enqueue=False)
    assert repo.count_alerts("held") == 4  # story 1 for both watches, story 2, story 3

    assert run_digests(repo, datetime.now(UTC)) == []  # matched after today's boundary: next period
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    [digest_id] = run_digests(repo, tomorrow)

    assert repo.count_alerts("held") == 0 and repo.count_alerts("digested") == 4
    assert deliver_alert(digest_id) == "sent"
    [record] = delivered(tmp / "mail.jsonl")
    data = record["data"]
    assert data["kind"] == "digest" and data["owner"] == "aigerim" and data["story_count"] == 3
    groups = {g["watch_name"]: g["items"] for g in data["watches"]}
    assert sorted(groups) == ["akim", "region"]
    urls = [item["url"] for items in groups.values() for item in items]
    assert sorted(urls) == ["https://a.kz/1", "https://a.kz/2", "https://a.kz/3"]  # the copy is not a story
    shared = next(i for items in groups.values() for i in items if i["url"] == "https://a.kz/1")
    assert shared["also_matched"] in (["akim"], ["region"])
    assert "Also matched" in record["text"]


def test_the_same_period_is_never_digested_twice(env) -> None:
    repo, _ = env
    daily(repo, "region", '"Жамбылская область"')
    match_articles([store(repo, "https://a.kz/1", REGION)], enqueue=False)
    tomorrow = datetime.now(UTC) + timedelta(days=1)

    first = run_digests(repo, tomorrow)
    match_articles([store(repo, "https://a.kz/2", BOTH)], enqueue=False)  # late, but before the boundary
    second = run_digests(repo, tomorrow + timedelta(minutes=1))

    assert len(first) == 1 and second == []
    assert repo.count_alerts("held") == 1  # waits for the next period instead of a second digest
    assert len(run_digests(repo, tomorrow + timedelta(days=1))) == 1


def test_owners_and_channels_get_digests_of_their_own(env) -> None:
    repo, tmp = env
    daily(repo, "region", '"Жамбылская область"', channels=("mail", "chat"))
    daily(repo, "akim-b", "Карашукеев", owner="bolat")
    match_articles([store(repo, "https://a.kz/1", BOTH)], enqueue=False)

    created = run_digests(repo, datetime.now(UTC) + timedelta(days=1))
    for digest_id in created:
        assert deliver_alert(digest_id) == "sent"

    owners = sorted(r["data"]["owner"] for r in delivered(tmp / "mail.jsonl"))
    assert owners == ["aigerim", "bolat"]
    assert [r["data"]["owner"] for r in delivered(tmp / "chat.jsonl")] == ["aigerim"]


def test_hourly_digest_goes_out_on_the_next_hour(env) -> None:
    repo, _ = env
    add_watch(repo, "region", '"Жамбылская область"', owner="a", channels=("mail",), mode="hourly")
    match_articles([store(repo, "https://a.kz/1", REGION)], enqueue=False)
    now = datetime.now(UTC)
    next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)

    assert run_digests(repo, now) == []
    [digest_id] = run_digests(repo, next_hour)
    assert repo.get_alert(digest_id).kind == "digest"
    assert repo.get_alert(digest_id).payload["period"] == "hourly"


def test_digest_respects_the_owners_quiet_hours(env) -> None:
    repo, _ = env
    daily(repo, "region", '"Жамбылская область"', quiet_hours="00:00-23:59")
    match_articles([store(repo, "https://a.kz/1", REGION)], enqueue=False)
    tomorrow = datetime.now(UTC) + timedelta(days=1)

    [digest_id] = run_digests(repo, tomorrow)

    assert repo.get_alert(digest_id).next_attempt_at > tomorrow
    assert deliver_alert(digest_id) == "skipped"


def test_watch_switched_back_to_instant_sends_what_it_held(env) -> None:
    repo, _ = env
    watch = daily(repo, "region", '"Жамбылская область"')
    [held] = match_articles([store(repo, "https://a.kz/1", REGION)], enqueue=False)
    repo.update_watch(replace(watch, mode="instant"))

    assert run_digests(repo, datetime.now(UTC)) == [held]
    assert deliver_alert(held) == "sent"


def test_a_digest_names_the_portals_that_carried_the_story_by_the_time_it_is_sent(env) -> None:
    repo, tmp = env
    daily(repo, "region", '"Жамбылская область"')
    first = store(repo, "https://a.kz/1", REGION)
    match_articles([first], enqueue=False)  # held for the digest, no other portal yet
    store(repo, "https://b.kz/7", REGION + " ", story_id=repo.get_article(first).story_id, source="b")

    [digest_id] = run_digests(repo, datetime.now(UTC) + timedelta(days=1))
    assert deliver_alert(digest_id) == "sent"

    [record] = delivered(tmp / "mail.jsonl")
    [item] = record["data"]["watches"][0]["items"]
    assert [copy["url"] for copy in item["also_on"]] == ["https://b.kz/7"]
    assert "https://b.kz/7" in record["text"]
