"""A government portal whose news list is built by JavaScript: crawled through Chromium (scrapy-playwright)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.config import get_settings
from tests.crawlers.conftest import write_definition

pytestmark = pytest.mark.browser
LISTING = "/memleket/entities/zhambyl/press/news?lang=ru"
DETAILS = "/memleket/entities/zhambyl/press/news/details/{}?lang=ru"


@pytest.fixture
def gov(portals):
    if not Path(get_settings().chromium_path).exists():
        pytest.skip(f"no Chromium at {get_settings().chromium_path}")
    return portals("rendered")


def _definition(directory, server, render):
    text = (
        f"name: gov-zhambyl\nhome: {server.url}{LISTING}\nlanguages: [ru]\nrender: {str(render).lower()}\n"
        f"listings: ['{server.url}{LISTING}']\n"
        "article_patterns: ['/memleket/entities/zhambyl/press/news/details/\\d+']\n"
    )
    return write_definition(directory / f"gov-{render}.yaml", text)


def test_javascript_built_list_is_crawled_through_the_browser(gov, crawl, tmp_path):
    result = crawl("listing", sources_file=_definition(tmp_path, gov, render=True), since="7d", timeout=120)

    assert result.returncode == 0, result.log
    articles = result.by_path(gov.url)
    assert set(articles) == {DETAILS.format(501), DETAILS.format(502)}
    assert articles[DETAILS.format(501)]["title"] == "Аким области провёл приём граждан"
    assert all(item["discovered_by"] == "rendered" for item in result.items)
    assert "/api/news?lang=ru" in gov.paths()  # the page's script ran
    assert result.stat("playwright/browser_count") == 1


def test_without_rendering_the_list_is_empty_and_no_browser_starts(gov, crawl, tmp_path):
    result = crawl("listing", sources_file=_definition(tmp_path, gov, render=False), since="7d")

    assert result.returncode == 0, result.log
    assert result.items == []
    assert result.stat("newsmon/listing/nothing_new") == 1
    assert "playwright" not in result.log.lower()
