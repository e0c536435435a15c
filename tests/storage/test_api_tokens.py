"""API tokens on SQLite and PostgreSQL: made once, stored hashed, checked, revoked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from newsmon.storage.tokens import TokenError, hash_token


@pytest.fixture
def repo(database_url: str) -> Iterator[Repository]:
    repository = Repository.from_url(database_url)
    upgrade(repository.engine)
    yield repository
    repository.dispose()


def test_a_created_token_authenticates_and_only_its_hash_is_stored(repo: Repository) -> None:
    token, secret = repo.create_token("analyst", "reader")
    assert repo.token_for_secret(secret) == token
    with repo.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM api_tokens")).scalar_one()
    assert stored == hash_token(secret) and secret not in stored
    assert token.allows("reader") and not token.allows("editor")


def test_wrong_or_revoked_secrets_do_not_authenticate(repo: Repository) -> None:
    _, secret = repo.create_token("ops", "admin")
    assert repo.token_for_secret(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert repo.token_for_secret("not a token") is None
    assert repo.revoke_token("ops") is True
    assert repo.revoke_token("ops") is False
    assert repo.token_for_secret(secret) is None
    (listed,) = repo.list_tokens()
    assert listed.name == "ops" and not listed.active


def test_names_are_unique_and_roles_are_checked(repo: Repository) -> None:
    repo.create_token("editor-1", "editor")
    with pytest.raises(TokenError, match="exists"):
        repo.create_token("editor-1", "reader")
    with pytest.raises(TokenError, match="role must be one of"):
        repo.create_token("someone", "owner")


def test_touch_records_last_use(repo: Repository) -> None:
    token, _ = repo.create_token("bot", "reader")
    repo.touch_token(token.id)
    (listed,) = repo.list_tokens()
    assert listed.last_used_at is not None
