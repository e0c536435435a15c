"""Numbers a page reads from a form or a link are ASCII digits only: `²` or `١` pass str.isdigit(), and int()
refuses the first and reads the second as 1, so they are taken as any other word that is no number."""

from __future__ import annotations

import pytest

from newsmon.models import Channel
from newsmon.storage import NewAlert
from tests.api.conftest import ApiFixture

NOT_ASCII_DIGITS = ["²", "١", "１", "1²"]


@pytest.fixture
def pages(sqlite_api: ApiFixture) -> ApiFixture:
    """The app as a logged-in admin's browser asks for it (cookie, Accept: text/html)."""
    sqlite_api.client.cookies.set("newsmon_token", sqlite_api.secrets["admin"])
    sqlite_api.client.headers["accept"] = "text/html"
    return sqlite_api


def _test_form(pages: ApiFixture, watch_id: str):
    return pages.client.post(
        "/watches/test", data={"watch_id": watch_id, "query": "Тараз", "texts": "В Таразе открыли школу."}
    )


@pytest.mark.parametrize("watch_id", NOT_ASCII_DIGITS)
def test_the_query_test_reads_a_watch_id_of_other_digits_as_no_watch(
    pages: ApiFixture, watch_id: str
) -> None:
    created = pages.client.post(
        "/api/watches", headers=pages.headers("editor"), json={"name": "akim", "query": "аким"}
    )
    assert created.status_code == 201 and created.json()["id"] == 1
    tried = _test_form(pages, watch_id)
    assert tried.status_code == 200, tried.text
    assert "<h1>New watch</h1>" in tried.text and "1 of 1 texts match" in tried.text
    assert tried.text == _test_form(pages, "abc").text  # as any other word that is no number
    assert "<h1>Edit watch akim</h1>" in _test_form(pages, "1").text


@pytest.mark.parametrize("before", NOT_ASCII_DIGITS)
def test_the_alerts_page_refuses_a_position_of_other_digits(pages: ApiFixture, before: str) -> None:
    channel = pages.repo.upsert_channel(Channel(0, "desk", "webhook", "http://127.0.0.1:9/hook"))
    alert_id = pages.repo.add_alert(NewAlert(channel.id, "ops:1", {"title": "Аким Тараза"}), kind="ops")
    pages.repo.mark_alert_failed(alert_id, "HTTP 500", retry_at=None)
    refused = pages.client.get("/alerts", params={"before": before})
    assert refused.status_code == 400
    assert "before must be an alert number from 1 to 2147483647" in refused.text
    retried = pages.client.post(
        f"/alerts/{alert_id}/retry", data={"status": "dead", "before": before}, follow_redirects=False
    )
    assert retried.status_code == 303  # back to the newest alerts, not to a page that cannot be
    assert retried.headers["location"] == f"/alerts?status=dead&notice=alert+{alert_id}+queued+again"
