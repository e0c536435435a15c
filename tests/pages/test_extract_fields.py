"""One test per field per fixture page (tests/fixtures/pages/manifest.json)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from crawlers.pages import extract_article
from newsmon.models import Article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
NOW = datetime.fromisoformat(MANIFEST["now"])
ARTICLES = [page for page in MANIFEST["pages"] if page["kind"] == "article"]
IDS = [page["file"] for page in ARTICLES]


def fold(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


@cache
def extracted(file: str) -> Article:
    page = next(page for page in MANIFEST["pages"] if page["file"] == file)
    return extract_article((FIXTURES / file).read_bytes(), page["url"], now=NOW)


@pytest.mark.parametrize("page", ARTICLES, ids=IDS)
def test_title(page: dict) -> None:
    assert extracted(page["file"]).title == page["expected"]["title"]


@pytest.mark.parametrize("page", ARTICLES, ids=IDS)
def test_published(page: dict) -> None:
    article = extracted(page["file"])
    gold = page["expected"]["published"]
    if gold is None:
        assert article.published is None
        assert "no_date" in article.warnings
    else:
        assert article.published == datetime.fromisoformat(gold)
        assert article.published.utcoffset().total_seconds() == 0
        assert "no_date" not in article.warnings


@pytest.mark.parametrize("page", ARTICLES, ids=IDS)
def test_text_keeps_the_body(page: dict) -> None:
    text = fold(extracted(page["file"]).text)
    for snippet in page["expected"]["with"]:
        assert fold(snippet) in text


@pytest.mark.parametrize("page", ARTICLES, ids=IDS)
def test_text_leaves_out_the_chrome(page: dict) -> None:
    text = fold(extracted(page["file"]).text)
    for snippet in page["expected"]["without"]:
        assert fold(snippet) not in text


@pytest.mark.parametrize("page", ARTICLES, ids=IDS)
def test_text_is_the_gold_body(page: dict) -> None:
    gold = (FIXTURES / page["expected"]["text_file"]).read_text(encoding="utf-8")
    assert fold(extracted(page["file"]).text) == fold(gold)


@pytest.mark.parametrize("page", ARTICLES, ids=IDS)
def test_authors(page: dict) -> None:
    assert list(extracted(page["file"]).authors) == page["expected"]["authors"]


@pytest.mark.parametrize("page", ARTICLES, ids=IDS)
def test_language(page: dict) -> None:
    assert extracted(page["file"]).language == page["expected"]["language"]


@pytest.mark.parametrize("page", [p for p in ARTICLES if "tags" in p["expected"]], ids=lambda p: p["file"])
def test_tags(page: dict) -> None:
    assert list(extracted(page["file"]).tags) == page["expected"]["tags"]


@pytest.mark.parametrize(
    "page", [p for p in ARTICLES if "alternates" in p["expected"]], ids=lambda p: p["file"]
)
def test_alternates(page: dict) -> None:
    assert [list(pair) for pair in extracted(page["file"]).alternates] == page["expected"]["alternates"]


@pytest.mark.parametrize("page", ARTICLES, ids=IDS)
def test_is_an_article(page: dict) -> None:
    assert "not_article" not in extracted(page["file"]).warnings


def test_relative_byline_date_comes_from_the_page_text() -> None:
    article = extracted("jambyltv_ru.html")
    assert article.date_source == "text"


def test_metadata_fields_of_a_wordpress_page() -> None:
    article = extracted("aqjolgazet_kk.html")
    assert article.canonical_url == "https://aqjolgazet.kz/2023/11/16/merki-audanynda-zhana-mektep/"
    assert article.section == "Білім"
    assert article.date_source == "meta"
    assert article.updated == datetime.fromisoformat("2023-11-17T09:12:31+06:00")


def test_jsonld_in_a_list_gives_date_description_and_image() -> None:
    article = extracted("zakon_ru.html")
    assert article.date_source == "jsonld"
    assert article.description and article.description.startswith("Проверка выявила")
    assert article.image == "https://static.zakon.kz/uploads/posts/2025-06/lek.jpg"


def test_site_name_is_cut_from_og_title() -> None:
    assert extracted("ztgzt_ru.html").title == "В Таразе открылся новый центр обслуживания населения"
    assert extracted("ztgzt_ru.html").image == "https://ztgzt.kz/uploads/2024/12/con-karasu.jpg"
