"""Broken input never raises: it yields an Article whose warnings say what was wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.pages import extract_article
from newsmon.models import Article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
URL = "https://example.kz/news/1"

BROKEN = {
    "empty bytes": b"",
    "empty string": "",
    "whitespace": "  \n\t ",
    "pdf": b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n5 0 obj\n<</Length 6 0 R/Filter /FlateDecode>>\nstream\nx\x9c\x03\x00",
    "png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "gzip": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(200),
    "random bytes": bytes((i * 37) % 256 for i in range(5000)),
    "nul bytes in html": b"<html><body><h1>T\x00itle</h1><p>" + b"\x00" * 50 + b"</p></body></html>",
    "malformed html": "<html><head><title>Заголовок</title><body><div><p>Текст <b>без <i>закрытых тегов <table><tr><td>ячейка",
    "only a comment": "<!-- nothing here -->",
    "xml declaration": '<?xml version="1.0" encoding="windows-1251"?><html><body><p>Текст</p></body></html>',
    "broken json-ld": '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    "</head><body><h1>Заголовок новости</h1><p>Текст новости.</p></body></html>",
    "huge attribute": "<html><body><div class='" + "x" * 200000 + "'><p>Текст</p></div></body></html>",
    "deep nesting": "<html><body>" + "<div>" * 3000 + "<p>Глубоко</p>" + "</div>" * 3000 + "</body></html>",
    "bad dates": '<html><head><meta property="article:published_time" content="2024-13-45T99:99:99"></head>'
    "<body><h1>Заголовок</h1><time datetime='вчера'>никогда</time><p>Текст.</p></body></html>",
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_never_raises(data: str | bytes) -> None:
    article = extract_article(data, URL)
    assert isinstance(article, Article)
    assert article.url == URL
    assert article.warnings


@pytest.mark.parametrize("name", ["pdf", "png", "gzip", "empty bytes"])
def test_non_html_is_not_an_article(name: str) -> None:
    article = extract_article(BROKEN[name], URL)
    assert article.text == ""
    assert "not_article" in article.warnings
    assert "no_date" in article.warnings


def test_truncated_page_keeps_what_arrived() -> None:
    data = (FIXTURES / "ztgzt_ru.html").read_bytes()
    cut = data[: data.index("Ранее в городе".encode())]
    article = extract_article(cut, "https://ztgzt.kz/news/x")
    assert article.title == "В Таразе открылся новый центр обслуживания населения"
    assert "Новое здание построено за счёт средств местного бюджета" in article.text


def test_unknown_date_is_never_the_fetch_time() -> None:
    html = (
        "<html><body><h1>Новость без даты</h1><p>"
        + "Текст новости без даты публикации. " * 20
        + "</p></body></html>"
    )
    article = extract_article(html, URL)
    assert article.published is None
    assert "no_date" in article.warnings
