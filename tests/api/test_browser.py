"""The web pages in headless Chromium: scraped markup never runs, and an analyst's day works end to end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsmon.api import create_app
from tests.api.browser import chromium, serve_in_thread
from tests.api.conftest import make_settings, migrated_repository
from tests.api.stored import HOSTILE_TEXT, HOSTILE_TITLE, store_articles, store_hostile_article

pytestmark = pytest.mark.browser


@pytest.fixture
def site(tmp_path: Path, sqlite_url: str) -> Iterator[dict[str, Any]]:
    repo = migrated_repository(sqlite_url)
    stored = store_articles(repo)
    hostile = store_hostile_article(repo)
    _, secret = repo.create_token("analyst", "editor")
    with serve_in_thread(create_app(make_settings(tmp_path, sqlite_url))) as base, chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        problems: list[str] = []
        page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        yield {
            "base": base,
            "page": page,
            "secret": secret,
            "stored": stored,
            "hostile": hostile,
            "problems": problems,
        }
        context.close()
    repo.dispose()


def _log_in(site: dict[str, Any], next_path: str = "/search") -> Any:
    page = site["page"]
    page.goto(f"{site['base']}{next_path}")
    assert "/login" in page.url
    page.fill("#token", site["secret"])
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    return page


def _nothing_ran(page: Any) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.title() != "pwned"
    injected = page.evaluate(
        "Array.from(document.querySelectorAll('script, img, iframe, svg')).filter("
        "e => !(e.tagName === 'SCRIPT' && (e.type === 'application/json' || e.src.endsWith('/static/chart.js')))"
        ").length"
    )
    assert injected == 0


def test_scraped_scripts_handlers_and_javascript_links_never_run(site: dict[str, Any]) -> None:
    page = _log_in(site, "/search?query=" + "Тараз")
    result = page.locator("ol.results li", has_text="Аким Тараза сообщил")
    assert result.count() == 1
    assert "<script>" in result.locator("h2").inner_text()  # the title is shown as text
    assert result.locator("mark").first.inner_text() == "Тараза"
    _nothing_ran(page)
    result.locator("h2 a").click()
    page.wait_for_load_state()
    assert page.locator("#article-title").inner_text() == HOSTILE_TITLE
    assert page.locator("#article-text").inner_text() == HOSTILE_TEXT
    assert page.locator("#article-text a").count() == 0  # the javascript: link is text, not a link
    _nothing_ran(page)
    assert site["problems"] == []


def test_search_open_a_story_create_a_watch_and_see_the_trend(site: dict[str, Any]) -> None:
    page = _log_in(site)
    # search
    page.fill("#query", "«Жамбыл облысы»")
    page.click("#filters button[type=submit]")
    page.wait_for_load_state()
    first = page.locator("ol.results li").first
    assert first.locator("mark").count() >= 1
    # open the story of the heating meeting: every portal that carried it
    story_id = site["stored"]["heating_akimat"].story_id
    page.locator(f"a[href='/stories/{story_id}']").first.click()
    page.wait_for_load_state()
    portals = page.locator("#copies tbody td:first-child").all_inner_texts()
    assert sorted(portals) == ["agency", "akimat", "gazeta"]
    # create a watch, test it first
    page.goto(f"{site['base']}/watches")
    page.click("#new-watch")
    page.fill("input[name=name]", "Отопительный сезон")
    page.fill("textarea[name=query]", "отопительный сезон | жылу маусымы")
    page.fill("textarea[name=texts]", "Город готовится к отопительному сезону.\n\nФутбольный матч.")
    page.click("button[value=test]")
    page.wait_for_load_state()
    assert page.locator("#test-results h2").inner_text() == "Test: 1 of 2 texts match"
    assert page.locator("#test-results li.match mark").all_inner_texts() == ["отопительному", "сезону"]
    page.click("button[value=save]")
    page.wait_for_load_state()
    assert page.locator("#watches", has_text="Отопительный сезон").count() == 1
    # the trend chart for a query: bars stacked by source
    page.goto(f"{site['base']}/trends?query=Тараз&since=2025-09-01&until=2025-09-05")
    page.wait_for_selector("#trend-chart[data-drawn]")
    bars = int(page.get_attribute("#trend-chart", "data-drawn"))
    assert bars >= 6
    legend = page.locator("#trend-chart .legend span").all_inner_texts()
    assert any(item.startswith("inform") for item in legend) and any(
        item.startswith("akimat") for item in legend
    )
    assert site["problems"] == []


def test_trend_labels_carry_the_year_and_the_table_folds_once_drawn(site: dict[str, Any]) -> None:
    page = _log_in(site, "/trends?query=Тараз&since=2024-12-20&until=2025-01-10")
    page.wait_for_selector("#trend-chart[data-drawn]")
    labels = page.locator("#trend-chart svg text.period").all_text_contents()
    assert labels[:3] == ["2024-12-20", "12-22", "12-24"]
    assert [label for label in labels[1:] if label.startswith("20")] == ["2025-01-01"]
    assert page.locator("#trend-table").is_hidden()
    page.click("#trend-table-box summary")
    assert page.locator("#trend-table").is_visible()
    assert site["problems"] == []


def test_without_javascript_the_trend_shows_its_table_and_says_why_no_chart(site: dict[str, Any]) -> None:
    context = site["page"].context.browser.new_context(java_script_enabled=False)
    context.add_cookies([{"name": "newsmon_token", "value": site["secret"], "url": site["base"]}])
    page = context.new_page()
    page.goto(f"{site['base']}/trends?query=Тараз&since=2025-09-01&until=2025-09-05")
    assert page.locator("#trend-table").is_visible()
    assert page.locator("#trend-table tbody tr").count() == 5
    assert "needs JavaScript" in page.locator("#trend-chart").inner_text()
    context.close()


def test_the_openapi_page_works_with_nothing_loaded_from_elsewhere(site: dict[str, Any]) -> None:
    page = site["page"]
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    _log_in(site, "/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("newsmon")
    assert page.locator(".opblock-summary-path", has_text="/api/articles").count() >= 1
    assert requested and all(url.startswith(site["base"]) for url in requested), requested
