"""Dates a page states in more than one place: offsets, years and JSON-LD wrappers taken from the page itself."""

from __future__ import annotations

from datetime import UTC, datetime

from crawlers.pages import extract_article

NOW = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)
BODY = "<p>" + "Жамбыл облысында жаңа мектеп ашылды, оған үш жүз оқушы барады. " * 6 + "</p>"


def page(head: str, header: str = "") -> str:
    return (
        f"<html><head><title>Мектеп ашылды</title>{head}</head><body><article>"
        f"<h1>Мектеп ашылды</h1>{header}{BODY}</article></body></html>"
    )


def test_time_without_offset_takes_the_offset_the_page_writes_elsewhere() -> None:
    # given a foreign portal whose meta time has no offset while its modified time says +09:00
    html = page(
        '<meta property="article:published_time" content="2025-08-20 10:00:00">'
        '<meta property="article:modified_time" content="2025-08-20T12:00:00+09:00">'
    )
    # when it is read with the default zone (Asia/Almaty)
    article = extract_article(html, "https://example.jp/news/1", now=NOW)
    # then the published time is read at +09:00, not in Almaty
    assert article.published == datetime(2025, 8, 20, 1, 0, tzinfo=UTC)


def test_time_without_offset_keeps_the_source_zone_when_the_page_agrees_with_it() -> None:
    # a Kazakh page: the modified time's +05:00 is Almaty's own offset
    html = page(
        '<meta property="article:published_time" content="2025-08-20 10:00:00">'
        '<meta property="article:modified_time" content="2025-08-20T12:00:00+05:00">'
    )
    article = extract_article(html, "https://example.kz/news/1", now=NOW)
    assert article.published == datetime(2025, 8, 20, 5, 0, tzinfo=UTC)


def test_jsonld_inside_cdata_is_read() -> None:
    html = page(
        '<script type="application/ld+json"><![CDATA[ {"@type": "NewsArticle", '
        '"headline": "Мектеп ашылды", "datePublished": "2018-12-21T12:55:00Z"} ]]></script>'
    )
    article = extract_article(html, "https://example.kz/news/2", now=NOW)
    assert article.published == datetime(2018, 12, 21, 12, 55, tzinfo=UTC)
    assert article.date_source == "jsonld"


def test_byline_without_a_year_takes_the_year_of_the_url() -> None:
    # «24 июня» on a page whose URL is dated 2019: not this year's 24 June
    html = page("", '<div class="date">24 июня, 11:30</div>')
    article = extract_article(html, "https://example.kz/2019/06/24/mektep", now=NOW)
    assert article.published == datetime(2019, 6, 24, 5, 30, tzinfo=UTC)


def test_ellipsis_headline_keeps_the_pages_own_typography() -> None:
    # the h1 shows «…» where the metadata typed "..." and added the site name
    html = (
        '<html><head><meta property="og:title" content="Община спечели проект за корпус на ... - Враца">'
        "</head><body><article><h1>Община спечели проект за корпус на …</h1>"
        f"{BODY}</article></body></html>"
    )
    article = extract_article(html, "https://vratza.example/news/1", now=NOW)
    assert article.title == "Община спечели проект за корпус на …"


def test_a_day_only_machine_date_takes_the_time_the_byline_prints_that_day() -> None:
    html = page(
        '<meta property="article:published_time" content="2025-08-20">',
        '<div class="news-date">20.08.2025, 21:55</div>',
    )
    article = extract_article(html, "https://example.kz/news/1", now=NOW)
    assert article.published == datetime(2025, 8, 20, 16, 55, tzinfo=UTC)  # 21:55 in Almaty (UTC+5)
    assert article.date_source == "meta+text"


def test_a_day_only_machine_date_keeps_its_day_when_the_byline_prints_another() -> None:
    html = page(
        '<meta property="article:published_time" content="2025-08-20">',
        '<div class="news-date">19.08.2025, 21:55</div>',
    )
    article = extract_article(html, "https://example.kz/news/1", now=NOW)
    assert article.published == datetime(2025, 8, 19, 19, 0, tzinfo=UTC)  # Almaty midnight of the 20th
    assert article.date_source == "meta"
