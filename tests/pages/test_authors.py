"""Bylines as portals write them: what is a name, what is a label, a credit, an id or the site itself."""

from __future__ import annotations

import json

from crawlers.pages import extract_article

TEXT = "<p>" + "Жамбыл облысында көктемгі егіс жұмыстары басталды. " * 8 + "</p>"


def page(head: str = "", byline: str = "") -> str:
    return (
        f'<html lang="ru"><head><meta charset="utf-8"><title>Егіс басталды</title>{head}</head>'
        f"<body><article><h1>Егіс басталды</h1>{byline}{TEXT}</article></body></html>"
    )


def jsonld_author(author: object) -> str:
    data = {"@type": "NewsArticle", "headline": "Егіс басталды", "author": author}
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def authors(html: str, url: str = "https://www.inform.kz/ru/a/1") -> list[str]:
    return list(extract_article(html, url).authors)


def test_affiliation_and_site_after_the_name_are_not_authors():
    byline = "Асель Нуржанова, корреспондент МИА «Казинформ» по Жамбылской области, Inform.kz"

    assert authors(page(jsonld_author({"@type": "Person", "name": byline}))) == ["Асель Нуржанова"]


def test_the_site_as_the_whole_byline_is_its_author():
    organisation = jsonld_author({"@type": "Organization", "name": "Kazinform"})

    assert authors(page(organisation), "https://kazinform.kz/news/1") == ["Kazinform"]


def test_an_id_in_the_author_tag_gives_way_to_the_byline_on_the_page():
    html = page('<meta name="author" content="105092">', '<div class="author">Марат Есенов</div>')

    assert authors(html) == ["Марат Есенов"]


def test_a_photo_credit_and_a_bare_label_are_not_authors():
    byline = (
        '<div class="author">Автор</div><div class="author-photo">Фото: Ерлан Омаров</div>'
        '<span class="author">Жазған: Айжан Төлеуова</span>'
    )

    assert authors(page(byline=byline)) == ["Айжан Төлеуова"]
    assert authors(page('<meta name="author" content="Снимка: Getty Images/Guliver">')) == []
