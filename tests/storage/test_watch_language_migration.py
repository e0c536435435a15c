"""Migration 0010: watches saved before language codes were normalised read as articles carry the codes,
and whatever cannot be read is logged with its watch, never dropped silently or widened to every language."""

from __future__ import annotations

import importlib.util
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, text

from newsmon.search.options import language_codes
from newsmon.storage import Repository
from newsmon.storage.migrate import MIGRATIONS, current_revision, upgrade
from newsmon.storage.tables import UTCDateTime

BEFORE = "0009_source_removed_at"
REVISION = "0010_watch_language_codes"
EARLIER = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
STORED = {
    "upper": ["RU", " kk"],
    "aliases": ["kz", "KZ", "ru"],
    "one entry with commas": ["ru,KZ"],
    "a word among codes": ["ru", "russian"],
    "no code at all": ["russian", "казахский"],
    "clean": ["ru", "kk"],
    "every language": [],
    "a bare string": "RU",
}


@pytest.fixture
def repo(database_url: str) -> Iterator[Repository]:
    """A database at the revision before 0010."""
    from alembic import command

    from newsmon.storage.migrate import alembic_config

    repository = Repository.from_url(database_url)
    upgrade(repository.engine, BEFORE)
    if current_revision(repository.engine) != BEFORE:  # PostgreSQL test databases start at the newest schema
        config = alembic_config(repository.engine)
        with repository.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, BEFORE)
    yield repository
    repository.dispose()


def _insert_watch(repo: Repository, name: str, languages: object) -> None:
    """A watch row as an earlier version could have saved it, written with plain SQL."""
    cast = "CAST(:languages AS JSON)" if repo.engine.dialect.name == "postgresql" else ":languages"
    insert = text(
        "INSERT INTO watches (name, query, owner, channels, mode, timezone, sources, regions, languages, "
        "min_mentions, enabled, updated_at) VALUES (:name, 'Тараз', 'default', '[]', 'instant', "
        f"'Asia/Almaty', '[]', '[]', {cast}, 1, :enabled, :updated_at)"
    ).bindparams(bindparam("updated_at", type_=UTCDateTime()))
    values = {"name": name, "languages": json.dumps(languages, ensure_ascii=False), "enabled": True}
    with repo.engine.begin() as connection:
        connection.execute(insert, {**values, "updated_at": EARLIER})


def _updated_at(repo: Repository, name: str) -> datetime:
    select = text("SELECT updated_at FROM watches WHERE name = :name").columns(updated_at=UTCDateTime())
    with repo.engine.connect() as connection:
        return connection.execute(select, {"name": name}).scalar_one()


def test_upgrade_rewrites_stored_codes_and_logs_what_it_could_not_read(
    repo: Repository, caplog: pytest.LogCaptureFixture
) -> None:
    for name, languages in STORED.items():
        _insert_watch(repo, name, languages)
    caplog.set_level(logging.INFO, logger="newsmon.storage.migrations")

    upgrade(repo.engine)

    assert current_revision(repo.engine) != BEFORE
    read = {name: repo.get_watch(name).languages for name in STORED}
    assert read == {
        "upper": ("ru", "kk"),
        "aliases": ("kk", "ru"),
        "one entry with commas": ("ru", "kk"),
        "a word among codes": ("ru",),
        "no code at all": ("russian", "казахский"),  # kept: empty would mean every language
        "clean": ("ru", "kk"),
        "every language": (),
        "a bare string": ("ru",),
    }
    lines = {record.getMessage() for record in caplog.records if record.name.endswith(REVISION)}
    ids = {name: repo.get_watch(name).id for name in STORED}
    dropped = next(line for line in lines if line.startswith(f"watch {ids['a word among codes']} "))
    assert "'a word among codes'" in dropped and "dropped 'russian'" in dropped
    kept = next(line for line in lines if line.startswith(f"watch {ids['no code at all']} "))
    assert "'no code at all'" in kept and "'russian'" in kept and "kept as it was" in kept
    warned = {r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING}
    assert warned == {dropped, kept}
    assert len(lines) == 6  # one line per rewritten or refused watch, none for the clean ones
    assert not any(
        line.startswith((f"watch {ids['clean']} ", f"watch {ids['every language']} ")) for line in lines
    )


def test_rewritten_watches_get_a_new_updated_at_so_workers_rebuild_their_matcher(repo: Repository) -> None:
    _insert_watch(repo, "upper", ["RU"])
    _insert_watch(repo, "clean", ["ru"])
    _insert_watch(repo, "no code at all", ["russian"])
    version = repo.watches_version()

    upgrade(repo.engine)

    assert _updated_at(repo, "upper") > EARLIER
    assert _updated_at(repo, "clean") == EARLIER and _updated_at(repo, "no code at all") == EARLIER
    assert repo.watches_version() != version


def test_the_migration_reads_codes_as_the_api_reads_them() -> None:
    """The migration keeps its own copy of the rules; it must agree with `language_codes` as it was when
    it was written. (A later change of the rules that leaves stored codes unreadable needs a new revision.)"""
    path = next((MIGRATIONS / "versions").glob(f"{REVISION}.py"))
    spec = importlib.util.spec_from_file_location("watch_language_codes", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for values in (["RU"], [" ru "], ["kz", "QAZ", "kaz"], ["rus", "ru"], ["en", "de", "kk"], ["uzb"]):
        assert migration.read_codes(values) == (list(language_codes(values)), []), values
    for bad in ("russian", "r", "ру", "ru-RU", ""):
        with pytest.raises(ValueError):
            language_codes([bad])
        assert migration.read_codes(["ru", bad]) == (["ru"], [bad]), bad


def test_downgrade_keeps_the_rewritten_codes(repo: Repository) -> None:
    from alembic import command

    from newsmon.storage.migrate import alembic_config

    _insert_watch(repo, "upper", ["RU"])
    upgrade(repo.engine, REVISION)
    config = alembic_config(repo.engine)
    with repo.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
    assert current_revision(repo.engine) == BEFORE
    assert repo.get_watch("upper").languages == ("ru",)
