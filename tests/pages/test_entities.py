"""Entities the page leaves in its metadata: JSON-LD strings are not HTML, and CMSs escape meta content twice."""

from __future__ import annotations

import json

from crawlers.pages import extract_article

TEXT = "<p>" + "Жамбыл облысында «Бейбітшілік пен келісім» жобасы талқыланды. " * 8 + "</p>"


def test_double_escaped_meta_and_json_ld_entities_come_out_as_characters():
    jsonld = {
        "@type": "NewsArticle",
        "headline": "&laquo;Бейбітшілік пен келісім&raquo; жобасы талқыланды",
        "author": {"@type": "Person", "name": "Асель Нуржанова &amp; Марат Есенов"},
    }
    html = (
        '<html><head><meta charset="utf-8">'
        '<meta name="description" content="&amp;laquo;Бейбітшілік пен келісім&amp;raquo; жобасы &amp;#8212; Тараз">'
        f'<script type="application/ld+json">{json.dumps(jsonld, ensure_ascii=False)}</script>'
        f"</head><body><article>{TEXT}</article></body></html>"
    )

    article = extract_article(html, "https://taraz.example/kz/news/1")

    assert article.title == "«Бейбітшілік пен келісім» жобасы талқыланды"
    assert article.description == "«Бейбітшілік пен келісім» жобасы — Тараз"
    assert article.authors == ("Асель Нуржанова", "Марат Есенов")


def test_a_url_in_the_metadata_keeps_its_parameters():
    image = "https://taraz.example/img.jpg?w=800&amp;para=2&amp;laquo;x"  # as the HTML escapes it once
    html = (
        f'<html><head><meta property="og:image" content="{image}"></head>'
        f"<body><article>{TEXT}</article></body></html>"
    )

    article = extract_article(html, "https://taraz.example/kz/news/2")

    assert article.image == "https://taraz.example/img.jpg?w=800&para=2&laquo;x"
