"""The web pages rendered by the app (no browser): escaping, highlights, forms, security headers."""

from __future__ import annotations

import json
import re

import pytest

from newsmon.models import Channel
from newsmon.storage import NewAlert
from tests.api.conftest import ApiFixture
from tests.api.stored import store_hostile_article


@pytest.fixture
def browser_like(sqlite_api: ApiFixture, sqlite_stored: dict) -> ApiFixture:
    sqlite_api.client.cookies.set("newsmon_token", sqlite_api.secrets["admin"])
    sqlite_api.client.headers["accept"] = "text/html"
    return sqlite_api


def test_every_page_carries_a_strict_content_security_policy(browser_like: ApiFixture) -> None:
    for path in (
        "/login",
        "/search?query=Тараз",
        "/articles/1",
        "/stories/1",
        "/trends?query=Тараз",
        "/watches",
        "/alerts",
        "/sources",
    ):
        response = browser_like.client.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"


def test_search_page_marks_matches_and_escapes_scraped_markup(browser_like: ApiFixture) -> None:
    store_hostile_article(browser_like.repo)
    html = browser_like.client.get("/search", params={"query": "Тараз"}).text
    assert "<mark>Таразе</mark>" in html
    assert "<script>window" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__pwned" in html
    assert 'href="javascript:' not in html


def test_article_page_shows_escaped_text_and_links_only_to_web_urls(browser_like: ApiFixture) -> None:
    hostile = store_hostile_article(browser_like.repo)
    html = browser_like.client.get(f"/articles/{hostile.article_id}").text
    assert "&lt;svg onload=" in html and "<svg" not in html
    assert 'href="https://example.kz/news/hostile"' in html
    assert 'href="javascript:' not in html


def test_story_page_lists_every_portal_and_versions(browser_like: ApiFixture, sqlite_stored: dict) -> None:
    html = browser_like.client.get(f"/stories/{sqlite_stored['heating_akimat'].story_id}").text
    assert "3 copies on 3 portals: agency, akimat, gazeta" in html
    school = browser_like.client.get(f"/stories/{sqlite_stored['school_akimat'].story_id}").text
    assert "version 2" in school and "вручил ключи" in school


def test_trend_page_embeds_the_series_as_inert_json(browser_like: ApiFixture) -> None:
    html = browser_like.client.get(
        "/trends", params={"query": "Тараз", "since": "2025-09-01", "until": "2025-09-04"}
    ).text
    raw = re.search(r'<script type="application/json" id="trend-data">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["periods"][0] == "2025-09-01" and {s["source"] for s in data["series"]} >= {
        "akimat",
        "inform",
    }
    assert '<script src="/static/chart.js" defer></script>' in html


def test_a_bad_query_on_the_search_page_says_what_is_wrong(browser_like: ApiFixture) -> None:
    response = browser_like.client.get("/search", params={"query": "Тараз AND ("})
    assert response.status_code == 400
    assert "field: query" in response.text and 'value="Тараз AND ("' in response.text


def test_missing_pages_render_an_error_page(browser_like: ApiFixture) -> None:
    response = browser_like.client.get("/articles/424242")
    assert response.status_code == 404 and "<h1>Error 404</h1>" in response.text


def test_create_and_test_a_watch_through_the_form(browser_like: ApiFixture) -> None:
    client = browser_like.client
    tried = client.post(
        "/watches/test",
        data={
            "name": "heating",
            "query": "отопительный сезон",
            "texts": "Готовятся к отопительному сезону.\n\nФутбол.",
        },
    )
    assert "1 of 2 texts match" in tried.text
    assert "<mark>отопительному</mark> <mark>сезону</mark>" in tried.text
    bad = client.post("/watches", data={"name": "heating", "query": "отопительный AND ("})
    assert bad.status_code == 400 and "field: query" in bad.text
    saved = client.post(
        "/watches", data={"name": "heating", "query": "отопительный сезон", "languages": "ru, kk"}
    )
    assert saved.status_code == 200 and "watch 1 saved" in saved.text
    assert browser_like.repo.get_watch("heating").languages == ("ru", "kk")
    client.post(
        "/watches/1",
        data={"name": "heating", "query": "отопительный сезон", "mode": "daily", "digest_at": "09:00"},
    )
    assert browser_like.repo.get_watch(1).mode == "daily"
    client.post("/watches/1/delete", data={"confirm": "yes"})
    assert browser_like.repo.get_watch(1).enabled is False
    assert client.get("/watches/1").status_code == 404
    assert client.post("/watches/1", data={"name": "heating", "query": "сезон"}).status_code == 404
    assert client.post("/watches/1/delete", data={"confirm": "yes"}).status_code == 404
    assert browser_like.repo.get_watch(1).name == "heating (deleted 1)"
    assert "heating" not in client.get("/watches").text


def test_retry_a_dead_alert_from_the_alerts_page(browser_like: ApiFixture) -> None:
    repo = browser_like.repo
    channel = repo.upsert_channel(Channel(0, "desk", "webhook", "http://127.0.0.1:9/hook"))
    alert_id = repo.add_alert(NewAlert(channel.id, "k1", {"title": "<b>Аким</b> Тараза"}), kind="ops")
    repo.mark_alert_failed(alert_id, "HTTP 500", retry_at=None)
    page = browser_like.client.get("/alerts", params={"status": "dead"}).text
    assert "&lt;b&gt;Аким&lt;/b&gt; Тараза" in page and f'action="/alerts/{alert_id}/retry"' in page
    after = browser_like.client.post(f"/alerts/{alert_id}/retry")
    assert "queued again" in after.text and repo.get_alert(alert_id).status == "pending"
