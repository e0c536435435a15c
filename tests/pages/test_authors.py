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
    for credit in ("Фотограф: Ерлан Омаров", "Суретті түсірген: Ерлан Омаров"):
        assert authors(page(byline=f'<div class="author">{credit}</div>')) == []
    assert authors(page('<meta name="author" content="Снимка: Getty Images/Guliver">')) == []


def test_a_signature_closing_the_body_names_the_writer():
    signed = TEXT + '<p style="text-align: right;"><strong>Айгүл Сейтқали</strong></p>'
    html = page().replace(TEXT, signed)

    assert authors(html) == ["Айгүл Сейтқали"]


def test_a_person_signing_the_article_comes_before_the_site_named_as_author():
    signed = TEXT + "<p><b>Асель НҰРЖАНОВА</b></p>"
    organisation = jsonld_author({"@type": "Organization", "name": "Inform.kz"})

    assert authors(page(organisation).replace(TEXT, signed)) == ["Асель НҰРЖАНОВА"]
    assert authors(page(organisation)) == ["Inform.kz"]


def test_a_last_line_that_is_not_set_apart_or_not_a_name_is_no_signature():
    plain = TEXT + "<p>Айгүл Сейтқали</p>"
    place = TEXT + "<p><strong>Тараз қаласы</strong></p>"

    assert authors(page().replace(TEXT, plain)) == []
    assert authors(page().replace(TEXT, place)) == []


def test_an_editors_line_names_the_editors_when_nothing_else_does():
    zh = (
        '<html lang="zh"><head><meta charset="utf-8"><title>航天合作</title></head><body><article>'
        "<h1>航天合作</h1><p>" + "中拉航天合作论坛在福州开幕，各方代表出席会议并发言。" * 6 + "</p>"
        '<div class="edit cf">(责编：牛镛、岳弘彬)</div></article></body></html>'
    )

    assert authors(zh, "http://world.people.com.cn/n1/2024/0424/c1002-1.html") == ["牛镛", "岳弘彬"]
    assert authors(zh.replace("(责编：牛镛、岳弘彬)", "【责任编辑：王頔】")) == ["王頔"]
    assert authors(zh.replace("(责编：牛镛、岳弘彬)", "编辑部电话：010-65363000")) == []
