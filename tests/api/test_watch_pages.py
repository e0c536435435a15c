"""The watch, alert and login pages as a user meets them: what a save keeps, what a test says, errors."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from newsmon.api import create_app
from newsmon.models import Channel, Watch
from newsmon.storage import NewAlert
from tests.api.browser import chromium, serve_in_thread
from tests.api.conftest import ApiFixture, make_settings, migrated_repository
from tests.api.stored import ops_alerts

WATCHED_BY_ALICE = {
    "name": "akim",
    "query": "аким NEAR/5 Тараз",
    "owner": "alice",
    "timezone": "Europe/Moscow",
    "regions": ["zhambyl"],
    "languages": ["ru"],
    "min_mentions": 3,
    "spike_factor": 2.5,
    "enabled": False,
}


class FormReader(HTMLParser):
    """What a browser would send for the form with a given id, pressing its first submit button."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = found.get("id") == self.form_id
            self.action = found.get("action", "") if self.inside else self.action
        elif not self.inside or "name" not in found:
            return
        elif tag == "input" and (found.get("type") != "checkbox" or "checked" in found):
            self.fields.append((found["name"], found.get("value", "")))
        elif tag == "textarea":
            self._textarea = found["name"]
            self.fields.append((found["name"], ""))
        elif tag == "select":
            self._select = found["name"]
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[-1] = (self._textarea, self.fields[-1][1] + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _form(html: str, form_id: str = "watch-form") -> FormReader:
    reader = FormReader(form_id)
    reader.feed(html)
    return reader


@pytest.fixture
def pages(sqlite_api: ApiFixture) -> ApiFixture:
    """The app as a logged-in admin's browser asks for it (cookie, Accept: text/html)."""
    sqlite_api.client.cookies.set("newsmon_token", sqlite_api.secrets["admin"])
    sqlite_api.client.headers["accept"] = "text/html"
    return sqlite_api


def _create_by_api(api: ApiFixture, body: dict[str, Any]) -> dict[str, Any]:
    created = api.client.post("/api/watches", headers=api.headers("editor"), json=body)
    assert created.status_code == 201, created.text
    return created.json()


def _read_by_api(api: ApiFixture, watch_id: int) -> dict[str, Any]:
    return api.client.get(f"/api/watches/{watch_id}", headers=api.headers("editor")).json()


def test_saving_the_form_unchanged_keeps_what_the_form_does_not_show(pages: ApiFixture) -> None:
    watch = _create_by_api(pages, WATCHED_BY_ALICE)
    page = pages.client.get(f"/watches/{watch['id']}")
    assert "owner alice, time zone Europe/Moscow, regions zhambyl" in page.text
    assert "at least 3 mention(s), spike factor 2.5" in page.text
    form = _form(page.text)
    assert ("enabled", "yes") not in form.fields  # the box shows the watch is paused
    saved = pages.client.post(
        form.action,
        content=urlencode(form.fields),
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert (
        saved.status_code == 303 and saved.headers["location"] == f"/watches?notice=watch+{watch['id']}+saved"
    )
    assert _read_by_api(pages, watch["id"]) == watch


def test_the_enabled_box_pauses_and_resumes_a_watch(pages: ApiFixture) -> None:
    watch = _create_by_api(pages, {"name": "heating", "query": "отопительный сезон"})
    path = f"/watches/{watch['id']}"
    base = {"name": "heating", "query": "отопительный сезон"}
    pages.client.post(path, data={**base, "enabled": "no"})
    assert _read_by_api(pages, watch["id"])["enabled"] is False
    assert "disabled" in pages.client.get("/watches").text
    pages.client.post(path, data={**base, "enabled": ["no", "yes"]})
    assert _read_by_api(pages, watch["id"])["enabled"] is True
    pages.client.post(path, data=base)  # a post without the box leaves it as it was
    assert _read_by_api(pages, watch["id"])["enabled"] is True


def test_form_language_codes_are_read_as_search_reads_them(pages: ApiFixture) -> None:
    saved = pages.client.post("/watches", data={"name": "akim", "query": "аким", "languages": "kz, RU, kk"})
    assert saved.status_code == 200 and "saved" in saved.text
    assert pages.repo.get_watch("akim").languages == ("kk", "ru")
    refused = pages.client.post("/watches", data={"name": "akim2", "query": "аким", "languages": "russian"})
    assert refused.status_code == 400
    assert "&#39;russian&#39; is not a language code" in refused.text and "field: languages" in refused.text
    assert pages.repo.get_watch("akim2") is None


def test_a_query_can_be_tested_before_the_watch_is_named(pages: ApiFixture) -> None:
    page = pages.client.get("/watches/new").text
    assert 'formaction="/watches/test" formnovalidate' in page
    tried = pages.client.post(
        "/watches/test", data={"name": "", "query": "Тараз", "texts": "В Таразе открыли школу."}
    )
    assert tried.status_code == 200 and "1 of 1 texts match" in tried.text
    assert "<mark>Таразе</mark>" in tried.text


def test_the_test_applies_the_form_languages_and_says_what_it_cannot_check(
    pages: ApiFixture, sqlite_stored: dict
) -> None:
    tried = pages.client.post(
        "/watches/test",
        data={
            "query": "Тараз",
            "languages": "RU",
            "sources": "zakon",
            "texts": "Аким Тараза провёл совещание в Таразе.\n\nТараз қаласының әкімі жиналыс өткізді.",
        },
    )
    assert "Test: 1 of 2 texts match" in tried.text
    assert "(language kk; the watch takes only ru)" in tried.text
    assert "pasted texts have no source, so Only sources (zakon) is not tested" in tried.text
    assert "no article in the archive comes from &#39;zakon&#39;" in tried.text


def test_more_than_100_texts_are_cut_with_a_notice(pages: ApiFixture) -> None:
    texts = "\n\n".join(f"Тараз, новость {n}" for n in range(105))
    tried = pages.client.post("/watches/test", data={"query": "Тараз", "texts": texts})
    assert "Test: 100 of 100 texts match" in tried.text
    assert "only the first 100 of 105 texts were tested" in tried.text


def test_form_errors_say_what_a_field_takes_in_words(pages: ApiFixture) -> None:
    digest = pages.client.post("/watches", data={"name": "a", "query": "Тараз", "digest_at": "9am"})
    assert digest.status_code == 400 and "digest_at: a time like 09:00" in digest.text
    assert "pattern" not in digest.text
    hours = pages.client.post("/watches", data={"name": "a", "query": "Тараз", "quiet_hours": "night"})
    assert "quiet_hours: hours like 22:00-07:00" in hours.text
    long_query = "Тараз " * 700
    for path in ("/watches", "/watches/test"):
        refused = pages.client.post(path, data={"name": "a", "query": long_query, "texts": "Тараз"})
        assert refused.status_code == 400, path
        assert "query: at most 4000 characters" in refused.text and "field: query" in refused.text


def test_deleting_a_watch_asks_for_a_ticked_box_first(pages: ApiFixture) -> None:
    watch = _create_by_api(pages, {"name": "heating", "query": "отопительный сезон"})
    page = pages.client.get(f"/watches/{watch['id']}").text
    assert 'name="confirm" value="yes" required' in page
    unconfirmed = pages.client.post(f"/watches/{watch['id']}/delete")
    assert unconfirmed.status_code == 400 and "tick &#39;yes, delete this watch&#39;" in unconfirmed.text
    assert not pages.repo.get_watch(watch["id"]).deleted
    assert _form(page, "delete-watch").fields == []  # the box starts unticked
    deleted = pages.client.post(f"/watches/{watch['id']}/delete", data={"confirm": "yes"})
    assert f"watch {watch['id']} removed" in deleted.text and pages.repo.get_watch(watch["id"]).deleted


def test_watch_and_alert_error_pages_link_back_to_their_list(pages: ApiFixture) -> None:
    missing = pages.client.get("/watches/4242")
    assert missing.status_code == 404 and '<a href="/watches">Back to watches</a>' in missing.text
    bad_status = pages.client.get("/alerts", params={"status": "lost"})
    assert bad_status.status_code == 400 and '<a href="/alerts">Back to alerts</a>' in bad_status.text
    no_alert = pages.client.post("/alerts/999/retry", data={"status": "dead"})
    assert no_alert.status_code == 404 and '<a href="/alerts">Back to alerts</a>' in no_alert.text


def _dead_alert(api: ApiFixture, key: str) -> int:
    channel = api.repo.upsert_channel(Channel(0, "desk", "webhook", "http://127.0.0.1:9/hook"))
    alert_id = api.repo.add_alert(NewAlert(channel.id, key, {"title": "Аким Тараза"}), kind="ops")
    assert alert_id is not None
    api.repo.mark_alert_failed(alert_id, "HTTP 500", retry_at=None)
    return alert_id


def test_retry_keeps_the_status_filter_and_a_second_retry_is_a_notice(pages: ApiFixture) -> None:
    alert_id = _dead_alert(pages, "ops:retry:1")
    listed = pages.client.get("/alerts", params={"status": "dead"}).text
    assert '<input type="hidden" name="status" value="dead">' in listed
    first = pages.client.post(f"/alerts/{alert_id}/retry", data={"status": "dead"}, follow_redirects=False)
    assert first.headers["location"] == f"/alerts?status=dead&notice=alert+{alert_id}+queued+again"
    again = pages.client.post(f"/alerts/{alert_id}/retry", data={"status": "dead"})
    assert again.status_code == 200 and f"alert {alert_id} is not dead; nothing to retry" in again.text
    assert again.url.params["status"] == "dead"
    assert '<option value="dead" selected>' in again.text


def test_the_alert_list_says_when_it_shows_only_the_newest(pages: ApiFixture) -> None:
    channel = pages.repo.upsert_channel(Channel(0, "desk", "webhook", "http://127.0.0.1:9/hook"))
    for n in range(201):
        pages.repo.add_alert(NewAlert(channel.id, f"ops:many:{n}", {"title": f"alert {n}"}), kind="ops")
    page = pages.client.get("/alerts").text
    assert "showing the newest 200 of 201 alerts; choose a status to narrow the list" in page
    assert "showing the newest" not in pages.client.get("/alerts", params={"status": "dead"}).text


def _listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="status-\w+">\s*<td>(\d+)</td>', page)]


def _link(page: str, link_id: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" id="{link_id}">', page)
    return html.unescape(found.group(1)) if found else None


def test_older_alerts_page_on_from_the_oldest_shown_until_none_are_left(pages: ApiFixture) -> None:
    ids = ops_alerts(pages.repo, 450, dead_every=2)
    first = pages.client.get("/alerts").text
    assert "showing the newest 200 of 450 alerts; choose a status to narrow the list" in first
    assert _listed(first) == ids[:-201:-1] and _link(first, "newest-alerts") is None
    older = _link(first, "older-alerts")
    assert older == f"/alerts?before={ids[250]}"
    second = pages.client.get(older).text
    assert "alerts 201-400 of 450, newest first" in second
    assert _listed(second) == ids[249:49:-1]  # the next 200: none of the first page's, none skipped
    assert _link(second, "newest-alerts") == "/alerts"
    third = pages.client.get(_link(second, "older-alerts")).text
    assert "alerts 401-450 of 450, newest first" in third and _listed(third) == ids[49::-1]
    assert _link(third, "older-alerts") is None and _link(third, "newest-alerts") == "/alerts"
    beyond = pages.client.get("/alerts", params={"before": ids[0]}).text
    assert f"no alerts older than #{ids[0]}; 450 in all" in beyond and _listed(beyond) == []
    assert "No alerts." not in beyond and _link(beyond, "newest-alerts") == "/alerts"


def test_older_alerts_keep_the_status_filter_and_retry_returns_to_the_same_page(pages: ApiFixture) -> None:
    ids = ops_alerts(pages.repo, 450, dead_every=2)  # 225 dead
    first = pages.client.get("/alerts", params={"status": "dead"}).text
    assert "showing the newest 200 of 225 alerts" in first and "choose a status" not in first
    older = _link(first, "older-alerts")
    assert older == f"/alerts?status=dead&before={ids[50]}"
    second = pages.client.get(older).text
    assert "alerts 201-225 of 225, newest first" in second and _listed(second) == ids[48::-2]
    assert _link(second, "newest-alerts") == "/alerts?status=dead" and _link(second, "older-alerts") is None
    assert f'<input type="hidden" name="before" value="{ids[50]}">' in second
    sent = {"status": "dead", "before": str(ids[50])}
    moved = pages.client.post(f"/alerts/{ids[20]}/retry", data=sent, follow_redirects=False)
    assert moved.headers["location"] == (
        f"/alerts?status=dead&before={ids[50]}&notice=alert+{ids[20]}+queued+again"
    )
    back = pages.client.get(moved.headers["location"]).text
    assert f"alert {ids[20]} queued again" in back and "alerts 201-224 of 224, newest first" in back
    assert ids[20] not in _listed(back) and _listed(back) == [n for n in ids[48::-2] if n != ids[20]]
    stray = pages.client.post(f"/alerts/{ids[0]}/retry", data={"status": "dead", "before": "x"})
    assert stray.url.params.get("before") is None and stray.url.params["status"] == "dead"


def test_a_bad_before_on_the_alerts_page_is_a_400_naming_it(pages: ApiFixture) -> None:
    for value in ("abc", "0", "-3", "²", "１", str(2**31)):
        refused = pages.client.get("/alerts", params={"before": value})
        assert refused.status_code == 400, value
        assert "before must be an alert number" in refused.text and "field: before" in refused.text
        assert '<a href="/alerts">Back to alerts</a>' in refused.text


def test_a_revoked_token_cookie_is_cleared_with_a_message(sqlite_api: ApiFixture) -> None:
    _, secret = sqlite_api.repo.create_token("leaving", "editor")
    sqlite_api.repo.revoke_token("leaving")
    client = sqlite_api.client
    client.cookies.set("newsmon_token", secret)
    sent_away = client.get("/watches", headers={"accept": "text/html"}, follow_redirects=False)
    assert sent_away.status_code == 303
    assert sent_away.headers["location"] == "/login?next=/watches&expired=1"
    assert (
        'newsmon_token=""' in sent_away.headers["set-cookie"]
        and "Max-Age=0" in sent_away.headers["set-cookie"]
    )
    login = client.get(sent_away.headers["location"])
    assert "your token was revoked or expired; log in again" in login.text
    client.cookies.clear()
    first_visit = client.get("/watches", headers={"accept": "text/html"}, follow_redirects=False)
    assert (
        first_visit.headers["location"] == "/login?next=/watches" and "set-cookie" not in first_visit.headers
    )


@pytest.fixture
def browser_site(tmp_path: Path, sqlite_url: str) -> Iterator[dict[str, Any]]:
    repo = migrated_repository(sqlite_url)
    _, secret = repo.create_token("analyst", "editor")
    with serve_in_thread(create_app(make_settings(tmp_path, sqlite_url))) as base, chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{base}/login?next=/watches")
        page.fill("#token", secret)
        page.click("form.stack button[type=submit]")
        page.wait_for_load_state()
        yield {"base": base, "page": page, "repo": repo}
        context.close()
    repo.dispose()


@pytest.mark.browser
def test_in_a_browser_test_unnamed_save_unchanged_and_delete_only_when_ticked(
    browser_site: dict[str, Any],
) -> None:
    page, base, repo = browser_site["page"], browser_site["base"], browser_site["repo"]
    page.goto(f"{base}/watches/new")
    page.fill("textarea[name=query]", "Тараз")
    page.fill("textarea[name=texts]", "В Таразе открыли школу.\n\nФутбол.")
    page.click("button[value=test]")
    page.wait_for_load_state()
    assert page.locator("#test-results h2").inner_text() == "Test: 1 of 2 texts match"
    # a watch made through the API with fields the form does not show, saved from the form unchanged
    watch = repo.add_watch(
        Watch(
            id=0,
            name="akim",
            query="аким",
            owner="alice",
            timezone="Europe/Moscow",
            regions=("zhambyl",),
            min_mentions=3,
            spike_factor=2.5,
            enabled=False,
        )
    )
    before = repo.get_watch(watch.id)
    page.goto(f"{base}/watches/{watch.id}")
    assert not page.is_checked("#enabled")
    page.click("button[value=save]")
    page.wait_for_load_state()
    assert f"watch {watch.id} saved" in page.locator("p.notice").inner_text()
    assert repo.get_watch(watch.id) == before
    # Delete does nothing until its box is ticked (the browser holds the form back, no script needed)
    page.goto(f"{base}/watches/{watch.id}")
    page.click("#delete-watch button")
    assert page.url.endswith(f"/watches/{watch.id}") and not repo.get_watch(watch.id).deleted
    page.check("#delete-watch input[name=confirm]")
    page.click("#delete-watch button")
    page.wait_for_load_state()
    assert repo.get_watch(watch.id).deleted
