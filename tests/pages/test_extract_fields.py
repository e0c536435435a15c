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


SPLIT_PARAGRAPHS = [
    "Два дня в Таразе проходила международная конференция «Межэтническое согласие на современном этапе: опыт и "
    "задачи на будущее». После пленарного заседания конференция продолжилась в рамках отдельных секций.",
    "За два дня на конференции выступили около 40 отечественных и зарубежных спикеров. По итогам обсуждений "
    "участники приняли резолюцию с рекомендациями для местных исполнительных органов.",
    "Участники конференции предлагают распространить опыт Жамбылской области по реализации проекта "
    "«Бейбітшілік пен келісім», который получил высокую оценку иностранных экспертов.",
    "— Все ваши предложения, озвученные в ходе конференции, будут непременно учтены. По итогам конференции "
    "будет выпущен сборник докладов, — отметил аким Жамбылской области Бердибек Сапарбаев.",
    "Зарубежные эксперты были единодушны во мнении, что политика Казахстана в сфере межэтнического согласия "
    "обеспечивает стабильность и консолидацию общества на основе конструктивного диалога.",
]


def split_body_page(after_article: str = "") -> str:
    """A portal page whose body is cut by an advertising slot into two blocks of one class, with a teaser
    list inside the second block and, optionally, something after the <article>."""
    first = "".join(f"<p>{p}</p>" for p in SPLIT_PARAGRAPHS[:3])
    second = "".join(f"<p>{p}</p>" for p in SPLIT_PARAGRAPHS[3:])
    teasers = (
        '<p><a href="/news/2">Аким области встретился с ветеранами труда и вручил им награды</a></p>'
        '<p><a href="/news/3">В Таразе завершился ремонт улицы Абая после двух лет работ</a></p>'
    )
    return (
        "<html><head><title>Конференция в Таразе</title></head><body>"
        "<nav><a href='/'>Главная</a> <a href='/news'>Новости</a></nav><main><article>"
        "<h1>Зарубежные эксперты предлагают распространить опыт Жамбылской области</h1>"
        f'<div class="article-text -first">{first}</div>'
        '<div class="ad-slot"><div class="advert">Реклама</div></div>'
        f'<div class="article-text">{second}{teasers}</div>'
        f"</article>{after_article}</main><footer>© 2025 Портал</footer></body></html>"
    )


def test_a_body_cut_by_an_advertising_slot_is_read_whole_in_page_order() -> None:
    article = extract_article(split_body_page(), "https://portal.kz/news/1")
    lines = article.text.split("\n")
    assert [line for line in lines if line in SPLIT_PARAGRAPHS] == SPLIT_PARAGRAPHS
    assert "ветеранами" not in article.text  # the teasers inside the second block stay out


def test_a_block_of_the_same_class_outside_the_article_is_not_added() -> None:
    other = (
        '<div class="article-text"><p>Следующая статья: в Шу открылась новая школа на 600 мест, строительство '
        "которой велось за счёт средств областного бюджета в течение двух лет.</p></div>"
    )
    article = extract_article(split_body_page(after_article=other), "https://portal.kz/news/1")
    assert SPLIT_PARAGRAPHS[-1] in article.text
    assert "в Шу открылась" not in article.text


def test_teaser_cards_of_a_listing_are_not_read_as_one_cut_body() -> None:
    from lxml import html

    from crawlers.pages.content import continued_body

    cards = "".join(
        f'<div class="news-card"><h3><a href="/news/{i}">Новость {i}</a></h3><p>{p}</p></div>'
        for i, p in enumerate(SPLIT_PARAGRAPHS)
    )
    tree = html.fromstring(f"<html><body><main>{cards}</main></body></html>")
    text = "\n".join(SPLIT_PARAGRAPHS[:2])
    assert continued_body(tree, text) == text


def test_counters_times_and_a_kicker_above_the_headline_are_not_body_text() -> None:
    # The layout of a regional portal: time and date above a kicker and the headline, no <article>.
    body = "<br/>".join(SPLIT_PARAGRAPHS)
    page = (
        "<html><head><title>Конференция в Таразе</title></head><body><div id='content'>"
        "<div class='news_info'><div class='zeit'>Вт, 10:19</div><div class='views'>78</div></div>"
        "<div class='dachzeile'>Международная конференция</div><br/>"
        "<h1>Зарубежные эксперты предлагают распространить опыт Жамбылской области</h1>"
        f"<div class='news_text'>{body}</div></div></body></html>"
    )
    article = extract_article(page, "https://portal.kz/news/1")
    assert article.title == "Зарубежные эксперты предлагают распространить опыт Жамбылской области"
    assert article.text.split("\n")[0] == SPLIT_PARAGRAPHS[0]


def test_extraction_leaves_trafilatura_as_it_found_it() -> None:
    """Extraction turns trafilatura's own recall escalation and the searches a page gives nothing to find
    off for its calls only: a caller of trafilatura in the same process gets trafilatura's defaults before
    and after."""
    import trafilatura.core

    names = ("ESCALATION_MAX_LENGTH", "RAW_TREE_PRUNE_XPATH", "REMOVE_COMMENTS_AND_LISTS_XPATH")
    before = {name: getattr(trafilatura.core, name) for name in names}
    page = ARTICLES[0]
    extract_article((FIXTURES / page["file"]).read_bytes(), page["url"], now=NOW)
    assert {name: getattr(trafilatura.core, name) for name in names} == before
    assert before["ESCALATION_MAX_LENGTH"] > 0 and before["RAW_TREE_PRUNE_XPATH"]


def test_every_public_name_of_the_package_resolves() -> None:
    import crawlers.pages

    for name in crawlers.pages.__all__:
        assert getattr(crawlers.pages, name) is not None, name
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = crawlers.pages.no_such_name  # type: ignore[attr-defined]
