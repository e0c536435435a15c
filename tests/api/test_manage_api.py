"""Watches (editor), alerts and sources (admin) through the API."""

from __future__ import annotations

from newsmon.models import Channel, Source
from newsmon.storage import NewAlert
from tests.api.conftest import ApiFixture
from tests.api.stored import ops_alerts


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


def _every_page(api: ApiFixture, **params: object) -> list[dict]:
    """Each page's answer, following `next` from the newest until it is null."""
    pages = [api.get("/api/alerts", "admin", params=params).json()]
    while pages[-1]["next"] is not None:
        assert len(pages) < 20, "next never became null"
        pages.append(api.get("/api/alerts", "admin", params={**params, "before": pages[-1]["next"]}).json())
    return pages


def test_alerts_page_by_page_with_next_until_null(api: ApiFixture) -> None:
    ids = ops_alerts(api.repo, 7, dead_every=3)
    pages = _every_page(api, limit=3)
    shown = [[a["id"] for a in page["alerts"]] for page in pages]
    assert shown == [ids[6:3:-1], ids[3:0:-1], ids[:1]]  # newest first, no page repeats or skips one
    assert [page["next"] for page in pages] == [ids[4], ids[1], None]
    assert pages[1]["alerts"][0]["payload"]["title"] == "alert 3"
    exact = _every_page(api, limit=7)  # a last page that is full says so: no empty page after it
    assert len(exact) == 1 and exact[0]["next"] is None and len(exact[0]["alerts"]) == 7


def test_alert_pages_keep_the_status_filter_and_new_alerts_do_not_shift_them(api: ApiFixture) -> None:
    ids = ops_alerts(api.repo, 7, dead_every=3)  # dead: ids[0], ids[3], ids[6]
    first = api.get("/api/alerts", "admin", params={"status": "dead", "limit": 2}).json()
    assert [a["id"] for a in first["alerts"]] == [ids[6], ids[3]] and first["next"] == ids[3]
    desk = api.repo.get_channel("desk")
    newer = api.repo.add_alert(NewAlert(desk.id, "ops:page:late", {"title": "late"}), kind="ops")
    api.repo.mark_alert_failed(newer, "HTTP 500", retry_at=None)  # a dead alert arrives meanwhile
    params = {"status": "dead", "limit": 2, "before": first["next"]}
    second = api.get("/api/alerts", "admin", params=params).json()
    assert [a["id"] for a in second["alerts"]] == [ids[0]] and second["next"] is None
    past_the_end = api.get("/api/alerts", "admin", params={"before": ids[0]}).json()
    assert past_the_end == {"alerts": [], "next": None}


def test_a_bad_before_is_refused_naming_it(api: ApiFixture) -> None:
    for value in ("0", "-5", "seven", "1.5", str(2**31), "99999999999999999999"):
        refused = api.get("/api/alerts", "admin", params={"before": value})
        assert refused.status_code == 422, (value, refused.text)
        assert refused.json()["error"]["field"] == "before", value


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
    assert gazeta["verdict"] == "failing" and gazeta["bad_run_share"] == gazeta["error_rate"] == 1.0
    assert "connection refused" in gazeta["problems"][0]["detail"]
    api.client.cookies.set("newsmon_token", api.secrets["admin"])
    page = api.client.get("/sources")
    assert "connection refused" in page.text and "verdict-failing" in page.text
    assert "bad runs" in page.text and "100%" in page.text


def test_metrics_are_served_to_any_token(api: ApiFixture, stored: dict) -> None:
    assert api.client.get("/metrics").status_code == 401
    response = api.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert "newsmon_" in response.text
