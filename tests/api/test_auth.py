"""Tokens and roles: who may call what, the login cookie, revocation and the per-token rate limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsmon.api import create_app
from newsmon.api.auth import CACHE_SECONDS, TOUCH_SECONDS, TokenChecker
from newsmon.storage.records import utcnow
from newsmon.storage.tokens import ApiTokenRow
from tests.api.conftest import ApiFixture, make_settings, migrated_repository, start_api


def test_healthz_needs_no_token_and_everything_else_does(sqlite_api: ApiFixture) -> None:
    assert sqlite_api.client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    for path in ("/api/articles?query=x", "/api/watches", "/api/alerts", "/api/sources", "/openapi.json"):
        response = sqlite_api.client.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["field"] == "authorization"


def test_an_unknown_token_is_refused(sqlite_api: ApiFixture) -> None:
    response = sqlite_api.client.get("/api/watches", headers={"Authorization": "Bearer nm_guessed"})
    assert response.status_code == 401
    assert "not known" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "lowest"),
    [
        ("/api/articles?query=Тараз", "reader"),
        ("/api/trends?query=Тараз", "reader"),
        ("/openapi.json", "reader"),
        ("/api/watches", "editor"),
        ("/api/alerts", "admin"),
        ("/api/sources", "admin"),
        ("/api/tokens", "admin"),
    ],
)
def test_roles_are_ordered(sqlite_api: ApiFixture, path: str, lowest: str) -> None:
    roles = ["reader", "editor", "admin"]
    for role in roles:
        response = sqlite_api.get(path, role=role)
        allowed = roles.index(role) >= roles.index(lowest)
        assert response.status_code == (200 if allowed else 403), (path, role, response.text)


def test_a_revoked_token_stops_working_once_the_short_cache_expires(sqlite_url: str) -> None:
    repo = migrated_repository(sqlite_url)
    _, secret = repo.create_token("leaving", "reader")
    now = [1000.0]
    checker = TokenChecker(repo, clock=lambda: now[0])
    assert checker.check(secret) is not None
    repo.revoke_token("leaving")
    assert checker.check(secret) is not None  # still cached for a few seconds
    now[0] += 6
    assert checker.check(secret) is None
    repo.dispose()


def test_remembered_answers_from_memory_only_while_check_would_not_read_or_write(sqlite_url: str) -> None:
    repo = migrated_repository(sqlite_url)
    _, secret = repo.create_token("busy", "reader")
    now = [0.0]
    checker = TokenChecker(repo, clock=lambda: now[0])
    assert checker.remembered(secret) == (False, None)  # never checked: the database must answer
    token = checker.check(secret)
    assert token is not None and checker.remembered(secret) == (True, token)
    assert checker.check("nm_unknown") is None and checker.remembered("nm_unknown") == (True, None)
    now[0] = CACHE_SECONDS + 0.1
    assert checker.remembered(secret) == (False, None)  # the answer is too old to trust
    now[0] = TOUCH_SECONDS - 1
    reread = checker.check(secret)
    assert reread is not None and reread.id == token.id
    now[0] = TOUCH_SECONDS + 1
    assert checker.remembered(secret) == (False, None)  # fresh, but its last use is due to be recorded
    assert checker.check(secret) == reread
    assert checker.remembered(secret) == (True, reread)
    repo.dispose()


def test_a_revoked_token_is_refused_over_http_once_the_short_cache_expires(sqlite_api: ApiFixture) -> None:
    now = [1000.0]
    app = sqlite_api.client.app
    app.state.tokens = TokenChecker(sqlite_api.repo, clock=lambda: now[0])  # type: ignore[attr-defined]
    assert sqlite_api.get("/api/articles?query=x").status_code == 200  # read from the database
    assert sqlite_api.get("/api/articles?query=x").status_code == 200  # answered from memory
    sqlite_api.repo.revoke_token("reader-token")
    now[0] += CACHE_SECONDS - 0.5
    assert sqlite_api.get("/api/articles?query=x").status_code == 200  # still remembered
    now[0] += 1
    refused = sqlite_api.get("/api/articles?query=x")
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]


def test_admins_make_and_revoke_tokens_over_http(sqlite_api: ApiFixture) -> None:
    made = sqlite_api.post("/api/tokens", "admin", json={"name": "dashboard", "role": "reader"})
    assert made.status_code == 201
    secret = made.json()["token"]
    assert (
        sqlite_api.client.get(
            "/api/articles?query=x", headers={"Authorization": f"Bearer {secret}"}
        ).status_code
        == 200
    )
    listed = sqlite_api.get("/api/tokens", "admin").json()["tokens"]
    assert all("token" not in row for row in listed)
    assert sqlite_api.post("/api/tokens", "admin", json={"name": "dashboard"}).status_code == 409
    assert (
        sqlite_api.client.delete("/api/tokens/dashboard", headers=sqlite_api.headers("admin")).status_code
        == 204
    )


def test_a_revoked_tokens_name_can_be_given_to_a_new_token(api: ApiFixture) -> None:
    first = api.post("/api/tokens", "admin", json={"name": "dashboard"}).json()
    assert api.client.delete("/api/tokens/dashboard", headers=api.headers("admin")).status_code == 204
    again = api.post("/api/tokens", "admin", json={"name": "dashboard", "role": "editor"})
    assert again.status_code == 201 and again.json()["token"] != first["token"]
    listed = {row["name"]: row for row in api.get("/api/tokens", "admin").json()["tokens"]}
    assert listed["dashboard"]["active"] and listed["dashboard"]["role"] == "editor"
    (old,) = [row for name, row in listed.items() if name.startswith("dashboard (revoked ")]
    assert not old["active"] and old["created_at"] == first["created_at"]
    taken = api.post("/api/tokens", "admin", json={"name": "dashboard"})
    assert taken.status_code == 409
    assert taken.json()["error"] == {
        "message": "an active token named 'dashboard' exists; revoke it or choose another name",
        "field": "name",
    }


@pytest.mark.parametrize("name", ["a b/c", "", "..", "-dash", "x" * 65, "отчёт", "50%"])
def test_token_names_that_a_url_or_a_shell_would_mangle_are_refused(
    sqlite_api: ApiFixture, name: str
) -> None:
    response = sqlite_api.post("/api/tokens", "admin", json={"name": name})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "name"
    assert error["message"].startswith("a token name has 1 to 64 letters, digits, '.', '_' or '-'")


def test_a_token_named_before_names_were_checked_can_be_revoked_over_http(sqlite_api: ApiFixture) -> None:
    with sqlite_api.repo.session() as session:
        session.add(ApiTokenRow(name="a b/c", role="reader", token_hash="0" * 64, created_at=utcnow()))
    response = sqlite_api.client.delete("/api/tokens/a%20b%2Fc", headers=sqlite_api.headers("admin"))
    assert response.status_code == 204
    (revoked,) = [t for t in sqlite_api.repo.list_tokens() if t.name == "a b/c"]
    assert not revoked.active


@pytest.fixture
def limited_api(tmp_path: Path, sqlite_url: str) -> Iterator[ApiFixture]:
    yield from start_api(tmp_path, sqlite_url, api_rate_limit=3)


def test_rate_limit_answers_429_with_retry_after_per_token(limited_api: ApiFixture) -> None:
    statuses = [limited_api.get("/api/watches", "editor").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = limited_api.get("/api/watches", "editor")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "rate limit" in refused.json()["error"]["message"]
    assert limited_api.get("/api/watches", "admin").status_code == 200  # another token has its own bucket
    assert limited_api.client.get("/healthz").status_code == 200


@pytest.mark.redis
def test_rate_limit_is_shared_through_redis(tmp_path: Path, sqlite_url: str, redis_url: str) -> None:
    repo = migrated_repository(sqlite_url)
    _, secret = repo.create_token("shared", "reader")
    headers = {"Authorization": f"Bearer {secret}"}
    settings = make_settings(tmp_path, sqlite_url, api_rate_limit=4)
    settings = settings.model_copy(update={"redis_url": redis_url})
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        statuses = [
            c.get("/api/articles?query=x", headers=headers).status_code for c in (one, two, one, two, one)
        ]
    assert statuses == [200, 200, 200, 200, 429]
    repo.dispose()


def test_pages_send_browsers_to_login_and_the_cookie_lets_them_in(sqlite_api: ApiFixture) -> None:
    client = sqlite_api.client
    redirect = client.get("/watches?x=1", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == "/login?next=/watches%3Fx%3D1"
    refused = client.post("/login", data={"token": "nm_wrong", "next": "/watches"})
    assert refused.status_code == 401 and "not known" in refused.text
    login = client.post(
        "/login", data={"token": sqlite_api.secrets["editor"], "next": "/watches"}, follow_redirects=False
    )
    assert login.status_code == 303 and login.headers["location"] == "/watches"
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/watches").status_code == 200
    assert client.get("/alerts").status_code == 403  # an editor is no admin
    client.post("/logout")
    assert client.get("/watches", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_login_only_redirects_within_the_site(sqlite_api: ApiFixture, target: str) -> None:
    login = sqlite_api.client.post(
        "/login", data={"token": sqlite_api.secrets["reader"], "next": target}, follow_redirects=False
    )
    assert login.headers["location"] == "/search"


def test_cross_site_form_posts_are_refused(sqlite_api: ApiFixture) -> None:
    sqlite_api.client.cookies.set("newsmon_token", sqlite_api.secrets["editor"])
    response = sqlite_api.client.post(
        "/watches", data={"name": "x", "query": "Тараз"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert sqlite_api.repo.list_watches() == []
