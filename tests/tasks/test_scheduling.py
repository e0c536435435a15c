"""Scheduling: schedule forms, adaptive polling, and the tick that claims due sources exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsmon.config import Settings
from newsmon.models import Source
from newsmon.schedules import Schedule, ScheduleError, parse_schedule
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from tasks.scheduling import adapt_interval, cron_next, plan_next_run
from tests.newsmon_env import newsmon_settings

NOW = datetime(2025, 2, 10, 5, 7, tzinfo=UTC)  # 10:07 in Asia/Almaty


def settings(**values: object) -> Settings:
    base = {"schedule_interval": 900, "schedule_min_interval": 120, "schedule_max_interval": 21600}
    return Settings(**{**base, "schedule_jitter": 0.0, **values})  # type: ignore[arg-type]


def test_schedule_forms() -> None:
    assert parse_schedule(None) == Schedule("adaptive")
    assert parse_schedule("adaptive").kind == "adaptive"
    assert parse_schedule("15m") == Schedule("interval", seconds=900)
    assert parse_schedule("3600").seconds == 3600
    cron = parse_schedule("*/30 * * * *", "Asia/Almaty")
    assert (cron.kind, cron.cron, cron.timezone) == ("cron", "*/30 * * * *", "Asia/Almaty")


@pytest.mark.parametrize("text", ["often", "5s", "61 * * * *", "* * * *"])
def test_bad_schedule_is_named(text: str) -> None:
    with pytest.raises(ScheduleError, match=r"schedule|cron"):
        parse_schedule(text)


@pytest.mark.parametrize("text", ["²", "1²", "١٠", "١٠m", "１５m", "٣ * * * *"])
def test_digits_of_other_scripts_are_no_schedule(text: str) -> None:
    # int() and \d read '١٠' as 10 and fail on '²': a schedule is read in ASCII digits only
    with pytest.raises(ScheduleError) as refused:
        parse_schedule(text)
    assert str(refused.value) == (
        f"schedule {text!r} is not 'adaptive', an interval (15m, 2h, 1d) or a cron expression (*/30 * * * *)"
    )


def test_a_definition_with_such_a_schedule_is_refused_with_the_definition_error(tmp_path: Path) -> None:
    from crawlers.sources import load_source_file

    definition = tmp_path / "weekly.yaml"
    definition.write_text("name: weekly-paper\nhome: https://weekly.kz/\nschedule: '²'\n", encoding="utf-8")

    sources, errors = load_source_file(definition)

    assert sources == []
    assert [str(error) for error in errors] == [
        f"{definition}: source weekly-paper: field schedule: '²' is not 'adaptive', an interval (15m, 2h, 1d) "
        "or a cron expression (*/30 * * * *)"
    ]


def test_cron_is_read_in_the_sources_time_zone() -> None:
    # Weekdays at 09:00 in Almaty: Monday 10:07 local has passed it, so Tuesday 09:00 local (04:00 UTC).
    assert cron_next("0 9 * * mon-fri", NOW, "Asia/Almaty") == datetime(2025, 2, 11, 4, 0, tzinfo=UTC)
    assert cron_next("*/30 * * * *", NOW, "Asia/Almaty") == datetime(2025, 2, 10, 5, 30, tzinfo=UTC)


def test_adaptive_interval_moves_within_bounds() -> None:
    config = settings()
    interval = 900
    for _ in range(20):
        interval = adapt_interval(interval, 0, config)
    assert interval == 21600  # nothing new every time: down to the slowest polling
    for _ in range(20):
        interval = adapt_interval(interval, 3, config)
    assert interval == 120  # new articles every time: up to the fastest polling


def test_next_run_by_outcome() -> None:
    config = settings()
    adaptive = Schedule("adaptive")
    found = plan_next_run(adaptive, 900, ("ok", 4), NOW, config)
    assert found.interval_seconds < 900 and found.at == NOW + timedelta(seconds=found.interval_seconds)
    assert plan_next_run(adaptive, 900, ("ok", 0), NOW, config).interval_seconds > 900
    assert plan_next_run(adaptive, 900, ("failed", 0), NOW, config).interval_seconds == 900
    interrupted = plan_next_run(adaptive, 900, ("interrupted", 0), NOW, config)
    assert interrupted.at == NOW  # due again at the next tick, going on from what was stored
    fixed = plan_next_run(Schedule("interval", seconds=600), 600, ("ok", 0), NOW, config)
    assert fixed.interval_seconds == 600
    cron = plan_next_run(Schedule("cron", cron="*/30 * * * *"), None, ("ok", 0), NOW, config)
    assert cron.at == datetime(2025, 2, 10, 5, 30, tzinfo=UTC) and cron.interval_seconds == 1800


def test_jitter_spreads_next_runs_within_its_fraction() -> None:
    config = settings(schedule_jitter=0.2)
    times = {
        plan_next_run(Schedule("interval", seconds=1000), None, ("ok", 1), NOW, config).at for _ in range(50)
    }
    assert len(times) > 1
    assert all(NOW + timedelta(seconds=800) <= t <= NOW + timedelta(seconds=1200) for t in times)


def _repo_with_sources(url: str, count: int) -> Repository:
    repo = Repository.from_url(url)
    upgrade(repo.engine)
    for i in range(count):
        repo.upsert_source(Source(name=f"s{i:02d}", home=f"http://127.0.0.1/{i}/"))
    return repo


def test_two_schedulers_never_claim_one_source(database_url: str) -> None:
    first = _repo_with_sources(database_url, 30)
    second = Repository.from_url(database_url)
    claims: list[list[str]] = []
    start = threading.Barrier(4)

    def claimer(repo: Repository) -> None:
        start.wait()
        for _ in range(5):
            claims.append(repo.claim_due_sources(datetime.now(UTC), timedelta(hours=1)))

    threads = [threading.Thread(target=claimer, args=(r,)) for r in (first, second, first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [name for batch in claims for name in batch]
    assert sorted(claimed) == [f"s{i:02d}" for i in range(30)]  # every source once, none twice
    assert first.claim_due_sources(datetime.now(UTC) + timedelta(minutes=59), timedelta(hours=1)) == []
    first.dispose()
    second.dispose()


def test_disabled_sources_are_not_claimed_and_a_new_schedule_is_due_at_once(database_url: str) -> None:
    repo = _repo_with_sources(database_url, 2)
    repo.upsert_source(Source(name="s01", home="http://127.0.0.1/1/", enabled=False))
    assert repo.claim_due_sources(NOW, timedelta(hours=1)) == ["s00"]
    repo.reschedule_source("s00", 900, NOW + timedelta(hours=2), ran_at=NOW)
    assert repo.claim_due_sources(NOW + timedelta(hours=1), timedelta(hours=1)) == []
    repo.upsert_source(Source(name="s00", home="http://127.0.0.1/0/", schedule="5m"))
    (changed,) = [item for item in repo.source_schedules() if item.name == "s00"]
    assert changed.interval_seconds == 300  # shown as the new interval before its first crawl
    assert repo.claim_due_sources(NOW + timedelta(hours=1), timedelta(hours=1)) == ["s00"]
    repo.dispose()


def test_tick_enqueues_due_crawls_once_and_closes_lost_runs(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tasks import context
    from tasks.scheduling import schedule_crawls

    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=database_url, crawl_time_limit="60"):
        repo = context.repository()
        upgrade(repo.engine)
        for i in range(3):
            repo.upsert_source(Source(name=f"s{i}", home=f"http://127.0.0.1/{i}/"))
        lost = repo.start_run("s0")
        enqueued: list[str] = []
        later = datetime.now(UTC) + timedelta(hours=1)  # the lost run started long before this tick
        first = schedule_crawls(later, lambda names, expires: enqueued.extend(names))
        second = schedule_crawls(later, lambda names, expires: enqueued.extend(names))
        assert sorted(enqueued) == ["s0", "s1", "s2"]
        assert first == {"enqueued": 3, "lost_runs": 1} and second == {"enqueued": 0, "lost_runs": 0}
        run = repo.recent_runs("s0")[0]
        assert (run.id, run.status, run.finish_reason) == (lost, "interrupted", "worker lost")


@pytest.mark.redis
@pytest.mark.parametrize("reset", ["emptied", "restarted"])
def test_crawls_lost_with_a_redis_that_was_emptied_or_restarted_are_sent_again_at_the_next_tick(
    reset: str, database_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Redis broker restarted without persistence loses the queued crawl messages; one restarted with its
    data still loses the message a worker had taken but not started (the worker's hand-back fails while
    Redis is down). Either way the sources whose crawl never started are crawled at the next tick, not after
    the claim's hold of the crawl time limit."""
    import redis

    from tasks import context
    from tasks.scheduling import BROKER_MARK, schedule_crawls

    values = {"database_url": database_url, "broker_url": redis_url, "crawl_time_limit": "1200"}
    with newsmon_settings(monkeypatch, tmp_path / "data", **values):
        repo = context.repository()
        upgrade(repo.engine)
        for i in range(3):
            repo.upsert_source(Source(name=f"s{i}", home=f"http://127.0.0.1/{i}/"))
        enqueued: list[list[str]] = []

        def tick() -> None:
            schedule_crawls(datetime.now(UTC), lambda names, expires: enqueued.append(sorted(names)))

        tick()
        repo.acquire_lock("crawl:s0", "worker", timedelta(minutes=20))  # a worker took s0's message
        repo.start_run("s0")
        tick()  # the same run of Redis, holding the mark: the claims hold
        client = redis.Redis.from_url(redis_url)
        if reset == "emptied":
            client.flushdb()
        else:  # the mark a tick left before the server restarted
            client.set(BROKER_MARK, "a run of the server before its restart")
        tick()
        tick()  # Redis kept what the last tick marked: nothing more is sent
        assert enqueued == [["s0", "s1", "s2"], ["s1", "s2"]]


def test_schedule_command_lists_and_makes_due(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from click.testing import CliRunner

    from newsmon.cli.main import cli

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "local.yaml").write_text("name: local\nhome: http://127.0.0.1:9/\nschedule: 2h\n")
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url, sources_dir=str(sources)):
        runner = CliRunner()
        listed = runner.invoke(cli, ["schedule", "--json"])
        assert listed.exit_code == 0, listed.output
        local = next(r for r in json.loads(listed.output) if r["source"] == "local")
        assert local["schedule"] == "every 7200s" and local["next_run_at"] is None
        table = runner.invoke(cli, ["schedule"])
        assert "local" in table.output and "due now" in table.output
        made = runner.invoke(cli, ["schedule", "now", "local"])
        assert made.exit_code == 0 and "1 source(s)" in made.output
        unknown = runner.invoke(cli, ["schedule", "now", "nowhere"])
        assert unknown.exit_code != 0 and "nowhere" in unknown.output


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("10 s", 10), ("1w", 604800), ("15 m", 900)])
def test_seconds_and_weeks_are_intervals(text: str, seconds: int) -> None:
    assert parse_schedule(text) == Schedule("interval", seconds=seconds)


@pytest.mark.parametrize(
    ("text", "says"), [("5s", "shorter than 10 seconds"), ("9999999999", "longer than a year")]
)
def test_intervals_out_of_range_are_named(text: str, says: str) -> None:
    with pytest.raises(ScheduleError, match=says):
        parse_schedule(text)
