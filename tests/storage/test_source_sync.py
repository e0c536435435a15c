"""Syncing definition files into the sources table: a source whose definition is gone is neither listed,
shown nor scheduled (its history stays), comes back with its file, and one broken file harms no other."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawlers.sources import load_sources
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from newsmon.storage.ops import SourceSync

LATER = datetime.now(UTC) + timedelta(days=1)  # every source is due by then
HOLD = timedelta(hours=1)
PAPER_A = "name: paper-a\nhome: https://paper-a.example/\n"
PAPER_B = "name: paper-b\nhome: https://paper-b.example/\n"


@pytest.fixture
def repo(database_url: str) -> Iterator[Repository]:
    repository = Repository.from_url(database_url)
    upgrade(repository.engine)
    yield repository
    repository.dispose()


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    """The user's sources directory, holding paper-a and paper-b in a file each."""
    directory = tmp_path / "sources"
    directory.mkdir()
    (directory / "a.yaml").write_text(PAPER_A)
    (directory / "b.yaml").write_text(PAPER_B)
    return directory


def sync(repo: Repository, directory: Path) -> SourceSync:
    """What every command that reads the sources does: load the files, then sync what loaded."""
    loaded = load_sources(directory, log_errors=False)
    return repo.sync_sources(loaded, unread={error.file for error in loaded.errors})


def listed(repo: Repository) -> set[str]:
    """Names `newsmon sources list` shows."""
    return {source.name for source in repo.list_sources()}


def scheduled(repo: Repository) -> set[str]:
    """Names `newsmon schedule` shows."""
    return {item.name for item in repo.source_schedules()}


def claimed(repo: Repository) -> set[str]:
    """Names the scheduler would enqueue crawls of now (a claim holds them: one call per test)."""
    return set(repo.claim_due_sources(LATER, HOLD))


def test_a_deleted_file_is_no_longer_listed_shown_or_scheduled_and_its_history_stays(
    repo: Repository, mine: Path
) -> None:
    sync(repo, mine)
    run_id = repo.start_run("paper-a")

    (mine / "a.yaml").unlink()
    result = sync(repo, mine)

    assert result.removed == ("paper-a",)
    assert "paper-a" not in listed(repo) and "paper-b" in listed(repo)
    assert repo.get_source("paper-a") is None
    assert "paper-a" not in scheduled(repo) and repo.source_schedule("paper-a") is None
    assert "paper-a" not in claimed(repo)
    assert repo.make_due(["paper-a"], LATER) == 0  # `newsmon schedule now paper-a` finds nothing
    assert [run.id for run in repo.recent_runs("paper-a")] == [run_id]


def test_a_file_that_comes_back_is_listed_and_scheduled_again(repo: Repository, mine: Path) -> None:
    sync(repo, mine)
    (mine / "a.yaml").unlink()
    sync(repo, mine)

    (mine / "a.yaml").write_text("name: paper-a\nhome: https://paper-a.example/new/\n")
    result = sync(repo, mine)

    assert result.restored == ("paper-a",) and result.removed == ()
    assert {"paper-a", "paper-b"} <= listed(repo)
    source = repo.get_source("paper-a")
    assert source is not None and source.home == "https://paper-a.example/new/"
    assert "paper-a" in scheduled(repo) and "paper-a" in claimed(repo)


def test_an_entry_deleted_from_a_file_is_removed_and_the_file_s_others_stay(
    repo: Repository, mine: Path
) -> None:
    (mine / "a.yaml").write_text(
        "sources:\n  - {name: paper-a, home: 'https://paper-a.example/'}\n  - https://c.example/\n"
    )
    sync(repo, mine)
    assert {"paper-a", "c.example"} <= listed(repo)

    (mine / "a.yaml").write_text("https://c.example/\n")
    result = sync(repo, mine)

    assert result.removed == ("paper-a",)
    assert "paper-a" not in listed(repo) and "c.example" in listed(repo)


def test_a_file_that_cannot_be_read_keeps_its_sources_and_harms_no_other_file(
    repo: Repository, mine: Path
) -> None:
    sync(repo, mine)

    (mine / "a.yaml").write_text("name: paper-a\nhome: [unclosed\n")  # a YAML syntax error
    (mine / "b.yaml").write_text("name: paper-b\nhome: https://paper-b.example/v2/\n")
    result = sync(repo, mine)

    assert result.removed == () and result.kept == ("paper-a",)
    assert {"paper-a", "paper-b"} <= listed(repo)
    b = repo.get_source("paper-b")
    assert b is not None and b.home == "https://paper-b.example/v2/"  # the good file was synced
    a = repo.get_source("paper-a")
    assert a is not None and a.home == "https://paper-a.example/"  # the last good definition, still crawled
    assert {"paper-a", "paper-b"} <= claimed(repo)

    (mine / "a.yaml").unlink()  # the broken file deleted: now its source is gone
    assert sync(repo, mine).removed == ("paper-a",)
    assert "paper-a" not in listed(repo) and "paper-b" in listed(repo)


def test_an_invalid_entry_keeps_its_last_good_definition_until_it_is_fixed(
    repo: Repository, mine: Path
) -> None:
    sync(repo, mine)

    (mine / "a.yaml").write_text(PAPER_A + "schedule: every tuesday\n")
    result = sync(repo, mine)

    assert result.kept == ("paper-a",) and result.removed == ()
    a = repo.get_source("paper-a")
    assert a is not None and a.schedule is None and "paper-a" in claimed(repo)

    (mine / "a.yaml").write_text(PAPER_A + "schedule: 2h\n")
    sync(repo, mine)
    a = repo.get_source("paper-a")
    assert a is not None and a.schedule == "2h"


def test_a_missing_sources_directory_keeps_its_sources(repo: Repository, mine: Path) -> None:
    """An unmounted directory is reported by the loader; it must not stop every portal it defines."""
    sync(repo, mine)

    mine.rename(mine.with_name("elsewhere"))
    result = sync(repo, mine)

    assert set(result.kept) == {"paper-a", "paper-b"} and result.removed == ()
    assert {"paper-a", "paper-b", "zakon.kz"} <= listed(repo)


def test_a_broken_replacement_of_a_shipped_source_keeps_the_users_definition(
    repo: Repository, mine: Path
) -> None:
    (mine / "zakon.yaml").write_text("name: zakon.kz\nhome: https://mirror.example/\n")
    sync(repo, mine)

    (mine / "zakon.yaml").write_text("name: zakon.kz\nhome: https://mirror.example/\nlanguagez: [ru]\n")
    result = sync(repo, mine)

    assert "zakon.kz" in result.kept
    zakon = repo.get_source("zakon.kz")
    assert zakon is not None and zakon.home == "https://mirror.example/"


def test_a_source_added_by_hand_again_is_active_again(repo: Repository, mine: Path) -> None:
    """`newsmon sources add` writes the file and upserts the row at once, before any sync."""
    sync(repo, mine)
    (mine / "a.yaml").unlink()
    sync(repo, mine)

    (mine / "a.yaml").write_text(PAPER_A)
    (source,) = [s for s in load_sources(mine, log_errors=False) if s.name == "paper-a"]
    repo.upsert_source(source)

    assert "paper-a" in listed(repo) and "paper-a" in claimed(repo)


def test_source_rows_survive_the_migration_going_down_and_up(repo: Repository, mine: Path) -> None:
    from alembic import command

    from newsmon.storage.migrate import alembic_config

    sync(repo, mine)
    config = alembic_config(repo.engine)
    with repo.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008_trend_day")
    upgrade(repo.engine)

    assert {"paper-a", "paper-b"} <= listed(repo)
    (mine / "a.yaml").unlink()
    assert sync(repo, mine).removed == ("paper-a",)
