"""Quiet hours: instant alerts matched at night wait, in the owner's time zone, until the quiet hours end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsmon.models import Watch
from tasks.delivery import deliver_alert
from tasks.matching import in_quiet_hours, match_articles
from tests.tasks.alerting import add_watch, alerts_env, delivered, jsonl_channel, store

ALMATY_NIGHT = Watch(id=1, name="w", query="x", quiet_hours="22:00-07:00", timezone="Asia/Almaty")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        ("2026-11-25T23:30+05:00", "2026-11-26T07:00+05:00"),  # before midnight: until tomorrow morning
        ("2026-11-26T03:10+05:00", "2026-11-26T07:00+05:00"),  # after midnight: until this morning
        ("2026-11-25T22:00+05:00", "2026-11-26T07:00+05:00"),  # the first minute is quiet
    ],
)
def test_quiet_hours_across_midnight_end_next_morning(now: str, until: str) -> None:
    assert in_quiet_hours(ALMATY_NIGHT, at(now)) == at(until)


@pytest.mark.parametrize(
    "now", ["2026-11-25T07:00+05:00", "2026-11-25T12:00+05:00", "2026-11-25T21:59+05:00"]
)
def test_daytime_is_not_quiet(now: str) -> None:
    assert in_quiet_hours(ALMATY_NIGHT, at(now)) is None


def test_quiet_hours_are_read_in_the_owners_zone() -> None:
    # 18:00 UTC is 23:00 in Almaty (quiet) and 19:00 in Berlin (not quiet)
    now = at("2026-11-25T18:00+00:00")
    berlin = Watch(id=2, name="b", query="x", quiet_hours="22:00-07:00", timezone="Europe/Berlin")
    assert in_quiet_hours(ALMATY_NIGHT, now) == at("2026-11-26T07:00+05:00")
    assert in_quiet_hours(berlin, now) is None
    assert in_quiet_hours(berlin, at("2026-11-25T21:30+00:00")) == at("2026-11-26T07:00+01:00")


def test_quiet_hours_within_one_day() -> None:
    lunch = Watch(id=3, name="l", query="x", quiet_hours="12:00-14:00", timezone="Asia/Almaty")
    assert in_quiet_hours(lunch, at("2026-11-25T13:00+05:00")) == at("2026-11-25T14:00+05:00")
    assert in_quiet_hours(lunch, at("2026-11-25T14:00+05:00")) is None


def test_quiet_alert_waits_for_the_morning_and_the_sweeper_does_not_send_it_early(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> None:
    out = tmp_path / "alerts.jsonl"
    with alerts_env(monkeypatch, tmp_path, database_url) as repo:
        jsonl_channel(repo, "file", out)
        zone = "Asia/Almaty"
        # the quiet hours are the ones around this very moment, so the real clock of the database is inside
        now = datetime.now(UTC)
        local = now.astimezone(ZoneInfo(zone))
        start, end = (local - timedelta(hours=1)), (local + timedelta(hours=2))
        quiet = f"{start:%H:%M}-{end:%H:%M}"
        add_watch(repo, "night", "Бейбітшілік", channels=("file",), quiet_hours=quiet, timezone=zone)

        [alert_id] = match_articles([store(repo, "https://a.kz/1")], enqueue=False, now=now)

        alert = repo.get_alert(alert_id)
        assert alert.status == "pending"
        assert alert.next_attempt_at > now + timedelta(hours=1, minutes=58)
        assert repo.due_alert_ids(now=now) == []  # the sweeper finds nothing to send
        assert deliver_alert(alert_id) == "skipped"  # a message arriving early sends nothing
        assert delivered(out) == []

        morning = alert.next_attempt_at + timedelta(seconds=1)
        assert repo.due_alert_ids(now=morning) == [alert_id]
        assert repo.claim_alert(alert_id, now=morning) is not None
