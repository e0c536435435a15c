"""What a reader sees on the pages (no browser): query errors, links that keep the filters, messages worded
for a web form, the trend table without script, the local OpenAPI page, sources, error pages, story titles."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from newsmon.models import Article, Source
from tests.api.conftest import ApiFixture, start_api
from tests.api.stored import to_store


def _logged_in(api: ApiFixture, role: str) -> ApiFixture:
    api.client.cookies.set("newsmon_token", api.secrets[role])
    api.client.headers["accept"] = "text/html"
    return api


@pytest.fixture
def reader(sqlite_api: ApiFixture, sqlite_stored: dict) -> ApiFixture:
    return _logged_in(sqlite_api, "reader")


@pytest.fixture
def admin(sqlite_api: ApiFixture, sqlite_stored: dict) -> ApiFixture:
    return _logged_in(sqlite_api, "admin")


def _error_block(page: str) -> str:
    return re.search(r'<div class="error" role="alert" id="error">(.*?)</div>', page, re.S).group(1)


def _link(page: str, element_id: str) -> str:
    return html.unescape(re.search(rf'<a href="([^"]*)" id="{element_id}"', page).group(1))


def _query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_query_error_shows_the_query_once_with_the_caret_under_the_fault(reader: ApiFixture) -> None:
    response = reader.client.get("/search", params={"query": "(Тараз OR школа"})
    assert response.status_code == 400
    block = _error_block(response.text)
    assert block.count("(Тараз OR школа") == 1
    shown = html.unescape(re.search(r'<pre class="query-error">(.*?)</pre>', block, re.S).group(1))
    assert shown.split("\n") == ["(Тараз OR школа", " " * 15 + "^"]
    assert "expected &#34;)&#34; at 15" in block and "(field: query)" in block
    assert "is not closed; found the end of the query instead" in block


def test_a_filter_error_stays_a_line_of_text(reader: ApiFixture) -> None:
    response = reader.client.get("/search", params={"query": "Тараз", "since": "yesterday"})
    assert response.status_code == 400
    assert '<p class="error" role="alert" id="error">since: &#39;yesterday&#39; is neither' in response.text


def test_trend_of_this_query_keeps_every_filter(reader: ApiFixture) -> None:
    wanted = {
        "query": "Тараз",
        "since": "2025-09-01",
        "until": "2025-09-03",
        "source": "akimat",
        "lang": "ru",
    }
    page = reader.client.get("/search", params={**wanted, "sort": "date", "limit": "5"}).text
    link = _link(page, "trend-link")
    assert _query_of(link) == {key: [value] for key, value in wanted.items()}
    trend = reader.client.get(link).text
    assert "since 2025-09-01" in trend
    assert re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td>", trend) == ["2025-09-01", "2025-09-02", "2025-09-03"]


def test_next_page_keeps_the_limit_and_the_other_parameters(reader: ApiFixture) -> None:
    first = reader.client.get("/search", params={"query": "Тараз", "sort": "date", "limit": "1"}).text
    assert first.count('<li class="result">') == 1
    assert '<input type="hidden" name="limit" value="1">' in first
    link = _link(first, "next-page")
    assert {key: value for key, value in _query_of(link).items() if key != "cursor"} == {
        "query": ["Тараз"],
        "sort": ["date"],
        "limit": ["1"],
    }
    second = reader.client.get(link).text
    assert second.count('<li class="result">') == 1
    assert second != first


def test_the_trend_table_is_open_until_the_chart_script_folds_it(reader: ApiFixture) -> None:
    page = reader.client.get("/trends", params={"query": "Тараз", "since": "2025-09-01"}).text
    assert '<details id="trend-table-box" open>' in page
    assert "<noscript><p" in page and "The chart needs JavaScript" in page


def test_a_trend_range_too_long_is_worded_for_the_form(reader: ApiFixture) -> None:
    response = reader.client.get("/trends", params={"query": "Тараз", "since": "1990-01-01"})
    assert response.status_code == 400
    assert "narrow the since/until range or count by week" in response.text
    assert "--since" not in response.text


def test_until_before_since_echoes_the_dates_as_typed(reader: ApiFixture) -> None:
    searched = reader.client.get(
        "/search", params={"query": "Тараз", "since": "2025-03-01", "until": "2025-01-01"}
    )
    assert searched.status_code == 400
    assert "until (2025-01-01) must be after since (2025-03-01)" in searched.text
    trended = reader.client.get("/trends", params={"query": "Тараз", "until": "2025-01-01"})
    assert re.search(
        r"until \(2025-01-01\) must be after since \(30d: \d{4}-\d\d-\d\d \d\d:\d\d UTC\)", trended.text
    )
    assert "T00:00:00+00:00" not in searched.text + trended.text


def test_the_openapi_page_loads_swagger_ui_from_this_server_only(reader: ApiFixture) -> None:
    page = reader.client.get("/docs")
    assert page.status_code == 200
    assert "https://" not in page.text and "http://" not in page.text
    assets = re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', page.text)
    assert len(assets) == 3
    for asset in assets:
        assert reader.client.get(asset).status_code == 200, asset


def test_the_openapi_page_still_needs_a_login(sqlite_api: ApiFixture) -> None:
    response = sqlite_api.client.get("/docs", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/docs"


def test_sources_show_times_as_every_page_does_and_the_coverage(admin: ApiFixture) -> None:
    repo = admin.repo
    repo.upsert_source(Source(name="portal", home="http://127.0.0.1:9/portal/"))
    coverage = {
        "feed": {"found": 9, "only": 0, "missed": 3, "missed_urls": []},
        "listing": {"found": 12, "only": 3, "missed": 0, "missed_urls": []},
    }
    run_id = repo.start_run("portal")
    repo.finish_run(run_id, "ok", "finished", {"newsmon/coverage": coverage, "downloader/response_count": 12})
    page = admin.client.get("/sources").text
    assert "<th>coverage</th>" in page and "<td>feed missed 3</td>" in page
    last_success = re.search(r"<td>(\d{4}-[^<]*)</td>", page).group(1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", last_success)


def test_a_missing_page_keeps_the_menu_and_log_out(reader: ApiFixture) -> None:
    response = reader.client.get("/nope")
    assert response.status_code == 404 and "<h1>Error 404</h1>" in response.text
    assert '<a href="/trends">Trends</a>' in response.text and "reader-token (reader)" in response.text
    assert ">Log out</button>" in response.text


def test_a_page_refused_for_its_role_keeps_the_menu(reader: ApiFixture) -> None:
    response = reader.client.get("/sources")
    assert response.status_code == 403 and ">Log out</button>" in response.text


def test_an_error_page_without_a_valid_login_has_no_menu(sqlite_api: ApiFixture) -> None:
    sqlite_api.client.cookies.set("newsmon_token", "nm_not-a-token")
    response = sqlite_api.client.get("/nope", headers={"accept": "text/html"})
    assert response.status_code == 404 and "Log out" not in response.text


@pytest.fixture
def limited(tmp_path: Path, sqlite_url: str) -> Iterator[ApiFixture]:
    yield from start_api(tmp_path, sqlite_url, api_rate_limit=2)


def test_the_rate_limit_page_keeps_the_menu(limited: ApiFixture) -> None:
    _logged_in(limited, "editor")
    statuses = [limited.client.get("/trends").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = limited.client.get("/trends")
    assert refused.status_code == 429 and '<a href="/watches">Watches</a>' in refused.text
    assert ">Log out</button>" in refused.text


def test_a_story_shows_its_copys_current_title(reader: ApiFixture) -> None:
    first = Article(
        url="https://example.kz/news/bridge",
        text="В Таразе закрыли мост на ремонт до конца месяца.",
        title="В Таразе закроют мост",
        source="example",
        language="ru",
        published=datetime.fromisoformat("2025-09-06T06:00:00+00:00"),
    )
    stored = reader.repo.store_article(to_store(first))
    changed = first.with_changes(title="Мост в Таразе закрыт до октября", text=first.text + " Объезд открыт.")
    reader.repo.store_article(to_store(changed), material=True)
    page = reader.client.get(f"/stories/{stored.story_id}").text
    assert '<h1 id="story-title">Мост в Таразе закрыт до октября</h1>' in page
    assert "<title>Мост в Таразе закрыт до октября · newsmon</title>" in page


def test_a_story_keeps_the_title_of_the_copy_that_started_it(reader: ApiFixture, sqlite_stored: dict) -> None:
    page = reader.client.get(f"/stories/{sqlite_stored['heating_gazeta'].story_id}").text
    assert '<h1 id="story-title">Аким Жамбылской области провёл совещание по подготовке' in page
