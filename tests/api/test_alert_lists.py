"""Every alert in `GET /api/alerts` and on the `/alerts` page names the watch that fired and the source, title
and URL of the article it fired on, so an analyst can tell what each alert is about and where to read it."""

from __future__ import annotations

import html
import re

from newsmon.models import Channel
from newsmon.storage import NewAlert, Repository
from tests.api.conftest import ApiFixture
from tests.api.stored import matched_alert, news

HEATING = news(
    "gazeta",
    "https://ztgzt.kz/news/2025/09/01/soveshchanie-otopitelnyy-sezon",
    "В Жамбылской области готовятся к отопительному сезону",
)
AKIM = news(
    "akimat",
    "https://www.gov.kz/memleket/entities/zhambyl/press/news/details/811201?lang=ru",
    "Аким Жамбылской области провёл совещание",
)
ROADS = news(
    "agency", "https://kaz.inform.kz/ru/remont-dorog-v-taraze-a4251001", "В Таразе ремонтируют дороги"
)


def _three_match_alerts(repo: Repository) -> dict[int, tuple[str, str, str, str]]:
    """Alerts of two watches on three articles: alert id -> (watch, source, title, url)."""
    fired = {"отопление": [HEATING, AKIM], "дороги": [ROADS]}
    return {
        matched_alert(repo, watch, article): (watch, article.source, article.title, article.url)
        for watch, articles in fired.items()
        for article in articles
    }


def _named(alert: dict) -> tuple[str, str, str, str]:
    return alert["watch"], alert["source"], alert["title"], alert["url"]


def test_the_api_names_the_watch_source_title_and_url_of_each_alert_page_by_page(api: ApiFixture) -> None:
    # given three alerts of two watches, on articles of three sources
    expected = _three_match_alerts(api.repo)

    # when an admin reads them two at a time, following `next`
    first = api.get("/api/alerts", "admin", params={"limit": 2}).json()
    rest = api.get("/api/alerts", "admin", params={"limit": 2, "before": first["next"]}).json()

    # then each alert names its watch and article, newest first, and the stored fields are still there
    listed = first["alerts"] + rest["alerts"]
    assert [a["id"] for a in listed] == sorted(expected, reverse=True) and rest["next"] is None
    assert {a["id"]: _named(a) for a in listed} == expected
    assert {"watch_id", "article_id", "story_id", "kind", "status", "payload", "attempts"} <= set(listed[0])
    assert listed[0]["payload"] == {"snippet": ROADS.text[:80]}  # the names come from the rows, not from it


def test_one_alert_from_the_api_names_them_too(sqlite_api: ApiFixture) -> None:
    expected = _three_match_alerts(sqlite_api.repo)
    for alert_id, names in expected.items():
        assert _named(sqlite_api.get(f"/api/alerts/{alert_id}", "admin").json()) == names


def test_ops_and_digest_alerts_have_what_their_payload_names(sqlite_api: ApiFixture) -> None:
    # given an ops alert about a stale source, and a digest of held alerts (neither has a watch or article)
    repo = sqlite_api.repo
    desk = repo.upsert_channel(Channel(0, "desk", "webhook", "http://127.0.0.1:9/hook"))
    ops = {
        "watch_name": "ops",
        "title": "akimat: stale",
        "url": "https://akimat.example/",
        "source": "akimat",
    }
    ops_id = repo.add_alert(NewAlert(desk.id, "ops:akimat:stale", ops), kind="ops")
    held = [repo.add_alert(NewAlert(desk.id, f"held:{n}", {}, status="held"), kind="match") for n in range(2)]
    digest = {"owner": "default", "period": "daily", "items": [{}, {}]}
    digest_id = repo.digest_held_alerts(held, lambda _: NewAlert(desk.id, "digest:default:1", digest))

    # when an admin lists the alerts
    listed = {a["id"]: a for a in sqlite_api.get("/api/alerts", "admin").json()["alerts"]}

    # then the ops alert names the source and its home page, and the digest says what it holds
    assert _named(listed[ops_id]) == ("ops", "akimat", "akimat: stale", "https://akimat.example/")
    assert _named(listed[digest_id]) == (None, None, "daily digest for default: 2 alerts", None)


def test_the_alerts_page_links_each_title_to_its_article(sqlite_api: ApiFixture) -> None:
    # given three alerts of two watches, and an ops alert whose URL is not a web address
    repo = sqlite_api.repo
    expected = _three_match_alerts(repo)
    bad = {"watch_name": "ops", "title": "odd: stale", "url": "javascript:alert(1)", "source": "odd"}
    repo.add_alert(NewAlert(repo.get_channel("desk").id, "ops:odd", bad), kind="ops")

    # when an admin opens the alerts page
    sqlite_api.client.cookies.set("newsmon_token", sqlite_api.secrets["admin"])
    page = sqlite_api.client.get("/alerts", headers={"accept": "text/html"})

    # then each row shows the watch and source, and the title is a link to the article's URL
    assert page.status_code == 200, page.text
    assert "<th>watch</th><th>source</th><th>article</th>" in page.text
    for alert_id, (watch, source, title, url) in expected.items():
        row = re.search(rf'<tr class="status-pending">\s*<td>{alert_id}</td>.*?</tr>', page.text, re.DOTALL)
        assert row is not None, alert_id
        assert f'<td class="alert-watch">{watch}</td>' in row.group()
        assert f'<td class="alert-source">{source}</td>' in row.group()
        link = f'<a href="{html.escape(url)}" rel="noopener noreferrer nofollow">{title}</a>'
        assert link in row.group()
    assert "odd: stale" in page.text and 'href="javascript:' not in page.text
