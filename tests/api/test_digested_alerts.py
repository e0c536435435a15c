"""Alerts sent inside a digest (`digested`) are listed by status through the API and on the alerts page, as
`newsmon alerts --status digested` lists them."""

from __future__ import annotations

import re

from newsmon.models import Channel
from newsmon.storage import NewAlert, Repository
from tests.api.conftest import ApiFixture


def _digest_two_of_three(repo: Repository) -> tuple[list[int], int]:
    """Three held alerts of a daily watch's channel; the first two go into one digest.
    The ids of those two, and the digest's."""
    channel = repo.upsert_channel(Channel(0, "desk", "webhook", "http://127.0.0.1:9/hook"))
    held = []
    for n, title in enumerate(("Аким Тараза провёл приём", "Отопительный сезон в Таразе", "Погода в Таразе")):
        alert_id = repo.add_alert(
            NewAlert(channel.id, f"held:{n}", {"title": title}, status="held"), kind="match"
        )
        assert alert_id is not None
        held.append(alert_id)
    digest_id = repo.digest_held_alerts(
        held[:2],
        lambda alerts: NewAlert(channel.id, "digest:desk:1", {"title": f"{len(alerts)} stories today"}),
    )
    assert digest_id is not None
    return held[:2], digest_id


def test_the_api_lists_digested_alerts(api: ApiFixture) -> None:
    digested, digest_id = _digest_two_of_three(api.repo)
    listed = api.get("/api/alerts", "admin", params={"status": "digested"})
    assert listed.status_code == 200, listed.text
    alerts = listed.json()["alerts"]
    assert [a["id"] for a in alerts] == digested[::-1]
    assert {a["status"] for a in alerts} == {"digested"}
    assert [
        a["id"] for a in api.get("/api/alerts", "admin", params={"status": "pending"}).json()["alerts"]
    ] == [digest_id]
    assert len(api.get("/api/alerts", "admin", params={"status": "held"}).json()["alerts"]) == 1


def test_an_unknown_status_still_names_digested_among_those_taken(api: ApiFixture) -> None:
    refused = api.get("/api/alerts", "admin", params={"status": "digest"})
    assert refused.status_code == 422
    assert refused.json()["error"] == {
        "message": "status: one of 'pending', 'sending', 'sent', 'dead', 'held' or 'digested' (got 'digest')",
        "field": "status",
    }


def test_the_alerts_page_offers_and_lists_digested_alerts(sqlite_api: ApiFixture) -> None:
    sqlite_api.client.cookies.set("newsmon_token", sqlite_api.secrets["admin"])
    sqlite_api.client.headers["accept"] = "text/html"
    digested, _ = _digest_two_of_three(sqlite_api.repo)

    menu = sqlite_api.client.get("/alerts").text
    assert '<option value="digested">digested</option>' in menu

    page = sqlite_api.client.get("/alerts", params={"status": "digested"})
    assert page.status_code == 200, page.text
    assert '<option value="digested" selected>digested</option>' in page.text
    rows = re.findall(r'<tr class="status-(\w+)">\s*<td>(\d+)</td>', page.text)
    assert rows == [("digested", str(alert_id)) for alert_id in digested[::-1]]
    assert "Аким Тараза провёл приём" in page.text and "Погода в Таразе" not in page.text

    refused = sqlite_api.client.get("/alerts", params={"status": "digest"})
    assert refused.status_code == 400
    assert "status must be one of pending, sending, sent, dead, held, digested" in refused.text
