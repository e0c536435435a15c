"""Spike alerts: a watch whose stories today far exceed its usual day tells its owner, once that day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsmon.models import Watch
from tasks.delivery import deliver_alert
from tasks.matching import match_articles
from tasks.spike import check_spikes, daily_counts
from tests.tasks.alerting import add_watch, alerts_env, delivered, jsonl_channel, store

WATCH = Watch(id=1, name="akim", query="Карашукеев", spike_factor=3.0, timezone="Asia/Almaty")
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)  # 17:00 in Almaty


def history(per_day: dict[int, int]) -> list[tuple[datetime, int]]:
    """Matches `days_ago -> count`, each at 10:00 UTC (15:00 Almaty) of that day."""
    out, article = [], 0
    for days_ago, count in per_day.items():
        for _ in range(count):
            article += 1
            out.append((NOW - timedelta(days=days_ago, hours=2), article))
    return out


def test_today_against_the_trailing_week() -> None:
    counts = daily_counts(WATCH, history({0: 13, 1: 2, 2: 3, 3: 2, 5: 5, 8: 40}), NOW)
    assert counts.today == 13
    assert counts.usual == pytest.approx(12 / 7)  # eight days ago is outside the trailing week
    assert counts.is_spike(3.0)
    assert not counts.is_spike(8.0)


def test_local_midnight_of_the_owner_splits_the_days() -> None:
    # 19:30 UTC is already tomorrow (00:30) in Almaty
    late = [(datetime(2026, 11, 24, 19, 30, tzinfo=UTC), 1), (datetime(2026, 11, 24, 18, 30, tzinfo=UTC), 2)]
    counts = daily_counts(WATCH, late, datetime(2026, 11, 24, 20, tzinfo=UTC))
    assert counts.today == 1 and counts.article_ids == (1,)


def test_a_quiet_watch_counts_as_one_story_a_day() -> None:
    assert not daily_counts(WATCH, history({0: 3}), NOW).is_spike(3.0)
    assert daily_counts(WATCH, history({0: 4}), NOW).is_spike(3.0)


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str):
    with alerts_env(monkeypatch, tmp_path, database_url) as repo:
        jsonl_channel(repo, "file", tmp_path / "alerts.jsonl")
        yield repo


def stories(repo, count: int) -> list[int]:
    return [store(repo, f"https://a.kz/{i}", f"Ербол Карашукеев, новость номер {i}.") for i in range(count)]


def test_spike_alerts_once_per_watch_and_day(repo, tmp_path: Path) -> None:
    add_watch(repo, "akim", "Карашукеев", channels=("file",), mode="daily", spike_factor=3.0)
    add_watch(repo, "calm", "Карашукеев", channels=("file",), mode="daily", spike_factor=10.0)
    match_articles(stories(repo, 5), enqueue=False)
    now = datetime.now(UTC)

    [spike_id] = check_spikes(repo, now)
    assert check_spikes(repo, now + timedelta(minutes=5)) == []  # the same day: no second alert

    alert = repo.get_alert(spike_id)
    assert alert.kind == "spike" and alert.payload["watch_name"] == "akim" and alert.payload["today"] == 5
    assert deliver_alert(spike_id) == "sent"
    [record] = delivered(tmp_path / "alerts.jsonl")
    assert record["data"]["kind"] == "spike" and record["data"]["today"] == 5
    assert record["subject"] == "[newsmon] spike: akim"
    assert "https://a.kz/4" in record["text"]  # links today's newest story


def test_no_spike_below_the_factor(repo) -> None:
    add_watch(repo, "akim", "Карашукеев", channels=("file",), spike_factor=3.0)
    match_articles(stories(repo, 3), enqueue=False)
    assert check_spikes(repo, datetime.now(UTC)) == []
