"""Section indexes, tag pages, contacts, search results, empty and binary payloads are not articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.pages import extract_article, page_kind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
PAGES = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))["pages"]


@pytest.mark.parametrize("page", PAGES, ids=[page["file"] for page in PAGES])
def test_fixture_page_kind(page: dict) -> None:
    assert page_kind((FIXTURES / page["file"]).read_bytes(), page["url"]) == page["kind"]


@pytest.mark.parametrize("page", [p for p in PAGES if p["kind"] != "article"], ids=lambda p: p["file"])
def test_extract_article_warns_not_article(page: dict) -> None:
    article = extract_article((FIXTURES / page["file"]).read_bytes(), page["url"])
    assert "not_article" in article.warnings


def test_search_results_page() -> None:
    html = (
        "<html><body><h1>Результаты поиска</h1>" + "<p><a href='/n/1'>Новость о Таразе и области</a></p>" * 5
    )
    assert (
        page_kind(html + "</body></html>", "https://zakon.kz/search/?q=%D0%A2%D0%B0%D1%80%D0%B0%D0%B7")
        == "search"
    )


@pytest.mark.parametrize(
    "data,kind",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", "binary"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "binary"),
        (b"", "empty"),
        (b"   \n  ", "empty"),
        (b"<html><head></head><body></body></html>", "empty"),
    ],
)
def test_payloads_that_are_no_page(data: bytes, kind: str) -> None:
    assert page_kind(data, "https://example.kz/file") == kind


def test_short_news_item_beside_a_long_sidebar_is_an_article() -> None:
    sidebar = "".join(
        f"<h3><a href='/news/{i}'>Другая новость региона номер {i} о событиях</a></h3>" for i in range(15)
    )
    html = (
        "<html><body><h1>В Таразе открыли новый сквер</h1><div class='text'><p>В микрорайоне Жайлау открыли "
        "новый сквер площадью два гектара: здесь высадили 300 деревьев, установили скамейки, освещение и "
        "детскую площадку. Работы выполнены за счёт средств местного бюджета.</p></div>"
        f"<aside>{sidebar}</aside></body></html>"
    )
    assert page_kind(html, "https://jambyltv.kz/ru/news/16000") == "article"
