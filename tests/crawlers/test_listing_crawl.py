"""Crawling a WordPress-style Kazakh newspaper through its listing pages, broken pages included."""

from __future__ import annotations

import pytest

from tests.crawlers.conftest import CrawlResult, write_definition
from tests.crawlers.portal_server import PortalServer

FIRST = "/2025/03/10/zhambyl-oblysynda-koktemgi-dala-zhumystary-bastaldy/"
PAGE_1 = {FIRST, "/2025/03/10/taraz-qalasynda-zhana-saiabaq-ashyldy/",
          "/2025/03/09/oblys-akimi-merke-audanyna-sapar-shekti/", "/2025/03/09/shu-audanynda-su-qubyry-zhondeldi/"}  # fmt: skip
PAGE_2 = {"/2025/03/08/baizaq-audanynda-mektep-salynady/", "/2025/03/08/talas-audanynda-zhol-zhondeu-bastaldy/",
          "/2025/03/08/sarysu-audanynda-zhastar-forumy-otti/"}  # fmt: skip
PAGE_3 = {"/2025/03/07/moiynqum-audanynda-mal-sharuashylygy-damidy/",
          "/2025/03/07/qordai-audanynda-zhylyzhai-keshen-iske-qosyldy/"}  # fmt: skip
PAGE_4 = "/2025/03/06/tort-betten-keiingi-maqala-alynbaidy/"
CP1251 = "/2025/03/07/staraya-stranica-v-windows-1251/"
KOI8 = "/2025/03/07/stranica-koi8-r-s-nevernoj-kodirovkoj/"
MALFORMED = "/2025/03/08/buzylgan-html-belgileri-bar-maqala/"
OLD = "/2025/03/09/otken-aidagy-maqala-uaqyt-terezesinen-tys/"  # published 40 days ago


@pytest.fixture(scope="module")
def newspaper(portals) -> PortalServer:
    return portals("newspaper")


@pytest.fixture(scope="module")
def result(newspaper, module_crawl) -> CrawlResult:
    text = f"name: aqjolgazet\nhome: {newspaper.url}/\nlanguages: [kk, ru]\nmax_pages: 3\n"
    definition = write_definition(module_crawl.workdir / "aqjol.yaml", text)
    return module_crawl(
        "source", sources_file=definition, since="30d", settings={"DOWNLOAD_MAXSIZE": "100000"}
    )


def test_articles_of_three_listing_pages_are_collected(newspaper, result):
    assert result.returncode == 0, result.log
    collected = set(result.by_path(newspaper.url))
    assert collected >= PAGE_1 | PAGE_2 | PAGE_3
    assert {"/page/2/", "/page/3/"} <= set(newspaper.paths())
    # max_pages is 3: the fourth page and its article are left alone.
    assert "/page/4/" not in newspaper.paths()
    assert PAGE_4 not in newspaper.paths()
    assert result.stat("newsmon/listing/pages") == 3


def test_sections_tags_and_robots_disallowed_pages_are_not_fetched(newspaper, result):
    fetched = newspaper.paths()
    assert not [p for p in fetched if p.startswith("/private/")]
    assert not [p for p in fetched if p.startswith(("/tag/", "/category/", "/author/", "/wp-content/"))]
    assert "/contacts/" not in fetched


def test_article_in_feed_and_listing_is_fetched_once(newspaper, result):
    assert newspaper.paths().count(FIRST) == 1
    assert result.stat("newsmon/discovery/duplicate") >= 1
    assert [item["url"] for item in result.items].count(newspaper.url + FIRST) == 1


def test_broken_pages_are_counted_and_the_crawl_goes_on(result):
    assert result.finish_reason == "finished"
    assert result.stat("newsmon/fetch/http_500") == 1
    assert result.stat("newsmon/fetch/timeout") == 1
    assert result.stat("newsmon/fetch/too_large") == 1
    assert result.stat("newsmon/fetch/redirect_loop") == 1
    assert result.stat("newsmon/fetch/dns_error") == 1
    assert result.stat("newsmon/fetch/not_html") == 1  # an image behind an article-like URL
    assert result.stat("newsmon/extract/empty_text") == 1


def test_a_listed_article_older_than_the_since_window_is_not_kept(newspaper, result):
    # A listing gives no dates: the page is fetched, and its own date puts it outside the 30 days asked for.
    assert OLD in newspaper.paths()
    assert OLD not in result.by_path(newspaper.url)
    assert result.stat("newsmon/extract/too_old") == 1
    assert "Older than the since-window" in result.log


def test_malformed_html_is_still_read(newspaper, result):
    article = result.by_path(newspaper.url)[MALFORMED]
    assert article["title"] == "Бұзылған HTML белгілері бар мақала"
    assert "жаңа саябақтың ашылуына қуанышты" in article["text"]


def test_legacy_encodings_with_missing_or_wrong_charset_are_decoded(newspaper, result):
    articles = result.by_path(newspaper.url)
    assert articles[CP1251]["title"] == "Завершён ремонт районной больницы"
    assert "ремонт районной больницы" in articles[CP1251]["text"]
    assert articles[KOI8]["title"] == "Фермеры Жамбылской области начали сев"
    assert "приступили к весеннему севу" in articles[KOI8]["text"]
