"""Watches (editor), alerts and sources (admin) through the API."""

from __future__ import annotations

from newsmon.models import Channel, Source
from newsmon.storage import NewAlert
from tests.api.conftest import ApiFixture


def _editor_json(api: ApiFixture, method: str, path: str, body: dict | None = None):
    return api.client.request(method, path, headers=api.headers("editor"), json=body)


def test_watch_create_read_replace_delete(api: ApiFixture) -> None:
    api.repo.upsert_channel(Channel(0, "desk", "webhook", "http://127.0.0.1:9/hook"))
    created = _editor_json(
        api, "POST", "/api/watches", {"name": "akim", "query": "аким NEAR/5 Тараз", "channels": ["desk"]}
    )
    assert created.status_code == 201
    watch = created.json()
    assert watch["channels"] == ["desk"] and watch["mode"] == "instant"
    assert _editor_json(api, "GET", f"/api/watches/{watch['id']}").json()["query"] == "аким NEAR/5 Тараз"
    clash = _editor_json(api, "POST", "/api/watches", {"name": "akim", "query": "Тараз"})
    assert clash.status_code == 409 and clash.json()["error"]["field"] == "name"
    replaced = _editor_json(
        api,
        "PUT",
        f"/api/watches/{watch['id']}",
        {"name": "akim", "query": "әкім | аким", "mode": "daily", "digest_at": "09:00"},
    )
    assert replaced.status_code == 200 and replaced.json()["mode"] == "daily"
    assert api.repo.get_watch(watch["id"]).query == "әкім | аким"
    assert _editor_json(api, "DELETE", f"/api/watches/{watch['id']}").status_code == 204
    assert api.repo.get_watch(watch["id"]).enabled is False
    assert _editor_json(api, "PUT", "/api/watches/4242", {"name": "x", "query": "y"}).status_code == 404


def test_a_deleted_watch_is_gone_for_the_api_but_kept_for_its_alerts(api: ApiFixture) -> None:
    watch = _editor_json(api, "POST", "/api/watches", {"name": "bad9", "query": "Тараз"}).json()
    path = f"/api/watches/{watch['id']}"
    assert _editor_json(api, "DELETE", path).status_code == 204
    gone = {
        "message": f"watch {watch['id']} ('bad9') was deleted",
        "field": "watch_id",
    }
    again = _editor_json(api, "DELETE", path)
    assert again.status_code == 404 and again.json()["error"] == gone
    revived = _editor_json(api, "PUT", path, {"name": "bad9", "query": "Тараз", "enabled": True})
    assert revived.status_code == 404 and revived.json()["error"] == gone
    read = _editor_json(api, "GET", path)
    assert read.status_code == 404 and read.json()["error"] == gone
    assert _editor_json(api, "GET", "/api/watches").json()["watches"] == []
    kept = api.repo.get_watch(watch["id"])
    assert kept.name == f"bad9 (deleted {watch['id']})" and kept.enabled is False
    reused = _editor_json(api, "POST", "/api/watches", {"name": "bad9", "query": "Тараз"})
    assert reused.status_code == 201 and reused.json()["id"] != watch["id"]


def test_a_disabled_watch_is_listed_and_can_be_turned_on(api: ApiFixture) -> None:
    watch = _editor_json(api, "POST", "/api/watches", {"name": "paused", "query": "Тараз", "enabled": False})
    listed = _editor_json(api, "GET", "/api/watches").json()["watches"]
    assert [(w["name"], w["enabled"]) for w in listed] == [("paused", False)]
    path = f"/api/watches/{watch.json()['id']}"
    turned_on = _editor_json(api, "PUT", path, {"name": "paused", "query": "Тараз", "enabled": True})
    assert turned_on.status_code == 200 and turned_on.json()["enabled"] is True


def test_watch_languages_are_stored_as_codes_articles_carry(api: ApiFixture) -> None:
    created = _editor_json(
        api, "POST", "/api/watches", {"name": "akim", "query": "аким", "languages": ["KZ", " ru"]}
    )
    assert created.status_code == 201 and created.json()["languages"] == ["kk", "ru"]
    path = f"/api/watches/{created.json()['id']}"
    refused = _editor_json(api, "PUT", path, {"name": "akim", "query": "аким", "languages": ["russian"]})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "languages"
    assert "'russian' is not a language code" in refused.json()["error"]["message"]
    assert api.repo.get_watch(created.json()["id"]).languages == ("kk", "ru")


def test_watch_test_reports_each_text_with_a_highlighted_snippet(api: ApiFixture) -> None:
    texts = [
        "Аким Жамбылской области провёл совещание в Таразе.",
        {"text": "Жамбыл облысының әкімі Таразда кеңес өткізді.", "lang": "kk"},
        "Футбольный клуб сыграл вничью.",
    ]
    response = _editor_json(api, "POST", "/api/watches/test", {"query": "Тараз", "texts": texts})
    body = response.json()
    assert body["matched"] == 2
    first, second, third = body["results"]
    assert [first["matched"], second["matched"], third["matched"]] == [True, True, False]
    start, end = first["spans"][0]
    assert first["snippet"][start:end] == "Таразе"
    start, end = second["spans"][0]
    assert second["snippet"][start:end] == "Таразда"
    assert third["spans"] == [] and third["snippet"] == texts[2]


def _dead_alert(api: ApiFixture, key: str) -> int:
    channel = api.repo.upsert_channel(Channel(0, "desk", "webhook", "http://127.0.0.1:9/hook"))
    alert_id = api.repo.add_alert(
        NewAlert(channel.id, key, {"title": "Аким Тараза провёл приём граждан"}), kind="ops"
    )
    assert alert_id is not None
    api.repo.mark_alert_failed(alert_id, "connection refused", retry_at=None)
    return alert_id


def test_alerts_list_by_status_and_retry_a_dead_one(api: ApiFixture) -> None:
    dead = _dead_alert(api, "ops:test:1")
    listed = api.get("/api/alerts", "admin", params={"status": "dead"}).json()["alerts"]
    assert [a["id"] for a in listed] == [dead] and listed[0]["last_error"] == "connection refused"
    assert api.get("/api/alerts", "admin", params={"status": "sent"}).json()["alerts"] == []
    retried = api.post(f"/api/alerts/{dead}/retry", "admin")
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    assert retried.json()["attempts"] == 0
    again = api.post(f"/api/alerts/{dead}/retry", "admin")
    assert again.status_code == 409 and "not dead" in again.json()["error"]["message"]
    assert api.post("/api/alerts/999/retry", "admin").status_code == 404


def test_sources_show_health_from_crawl_runs(api: ApiFixture) -> None:
    api.repo.upsert_source(Source(name="akimat", home="https://www.gov.kz/memleket/entities/zhambyl"))
    api.repo.upsert_source(Source(name="gazeta", home="https://ztgzt.kz/"))
    for _ in range(3):
        run = api.repo.start_run("gazeta")
        api.repo.finish_run(run, "failed", "connection refused", {})
    rows = {row["source"]: row for row in api.get("/api/sources", "admin").json()["sources"]}
    assert rows["akimat"]["verdict"] == "never crawled" and rows["akimat"]["home"].startswith(
        "https://www.gov.kz"
    )
    gazeta = rows["gazeta"]
    assert gazeta["verdict"] == "failing" and gazeta["error_rate"] == 1.0
    assert "connection refused" in gazeta["problems"][0]["detail"]
    api.client.cookies.set("newsmon_token", api.secrets["admin"])
    page = api.client.get("/sources")
    assert "connection refused" in page.text and "verdict-failing" in page.text


def test_metrics_are_served_to_any_token(api: ApiFixture, stored: dict) -> None:
    assert api.client.get("/metrics").status_code == 401
    response = api.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert "newsmon_" in response.text
