"""Per-source selectors take precedence over the generic evidence."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawlers.pages import SelectorError, extract_article
from crawlers.pages.extract import parse_page
from crawlers.pages.selectors import select_fields
from newsmon.models import Source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
URL = "https://ztgzt.kz/news/obshhestvo/v-taraze-otkrylsya-novyj-czentr-obsluzhivaniya-naseleniya"


def source(**selectors: str) -> Source:
    return Source(
        name="ztgzt", home="https://ztgzt.kz/", selectors=tuple(selectors.items()), timezone="Asia/Almaty"
    )


def test_css_selectors_for_text_date_and_author() -> None:
    article = extract_article(
        (FIXTURES / "ztgzt_ru.html").read_bytes(),
        URL,
        source=source(
            text="div.post-lead, div.post-content > p", published=".post-date", authors=".post-author"
        ),
    )
    assert article.text.startswith("В микрорайоне Карасу начал работу")
    assert "Читайте также" not in article.text
    assert article.published == datetime(2024, 12, 10, 8, 2, tzinfo=UTC)
    assert article.date_source == "selector"
    assert article.authors == ("Светлана Ковалёва",)
    assert article.source == "ztgzt"


def test_xpath_selector_for_title() -> None:
    article = extract_article(
        (FIXTURES / "ztgzt_ru.html").read_bytes(), URL, source=source(title="//div[@class='post-category']/a")
    )
    assert article.title == "Общество"


def test_selector_that_matches_nothing_falls_back() -> None:
    article = extract_article(
        (FIXTURES / "ztgzt_ru.html").read_bytes(), URL, source=source(published=".nope")
    )
    assert article.published == datetime(2024, 12, 10, 8, 2, tzinfo=UTC)


def test_remove_selector_drops_a_widget() -> None:
    article = extract_article(
        (FIXTURES / "tengrinews_ru.html").read_bytes(),
        "https://tengrinews.kz/kazakhstan_news/x/",
        source=source(remove=".content_main_text p:last-of-type"),
    )
    assert "Графики движения водовозов" not in article.text


def test_broken_selector_is_reported_and_the_generic_value_used() -> None:
    article = extract_article((FIXTURES / "ztgzt_ru.html").read_bytes(), URL, source=source(title="div[[["))
    assert "bad_selector" in article.warnings
    assert article.title == "В Таразе открылся новый центр обслуживания населения"


def test_broken_selector_error_names_the_field() -> None:
    tree = parse_page(b"<html><body><h1>x</h1></body></html>").tree
    with pytest.raises(SelectorError, match="'title'"):
        select_fields(tree, {"title": "div[[["})
