"""Which links on a portal page are articles, feeds and next pages."""

from __future__ import annotations

import pytest
from parsel import Selector

from crawlers.spiders.links import (
    ArticleLinkRule,
    feed_links,
    listing_candidates,
    looks_like_article,
    next_page_link,
    page_number,
)
from newsmon.models import Source


@pytest.mark.parametrize(
    "url",
    [
        "https://www.zakon.kz/6456123-akim-zhambylskoy-oblasti-vstretilsya-s-fermerami.html",
        "https://tengrinews.kz/kazakhstan_news/v-taraze-otkryili-novuyu-shkolu-512345/",
        "https://aqjolgazet.kz/2025/03/10/zhambyl-oblysynda-koktemgi-dala-zhumystary-bastaldy/",
        "https://www.inform.kz/ru/v-zhambylskoy-oblasti-proshla-konferenciya_a4101234",
        "https://jambyltv.kz/kz/news/akim-fermerlermen-kezdesti",
        "https://aqjolgazet.kz/?p=12345",
        "https://www.gov.kz/memleket/entities/zhambyl/press/news/details/512345?lang=ru",
    ],
)
def test_article_urls_are_recognised(url):
    assert looks_like_article(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://aqjolgazet.kz/",
        "https://jambyltv.kz/ru/",
        "https://aqjolgazet.kz/category/zhanalyqtar/",
        "https://aqjolgazet.kz/tag/zhambyl/",
        "https://aqjolgazet.kz/page/2/",
        "https://ztgzt.kz/contacts/",
        "https://ztgzt.kz/news/",
        "https://aqjolgazet.kz/wp-content/uploads/2025/03/foto-12345.jpg",
        "https://ztgzt.kz/files/otchet-2024-12345.pdf",
        "https://ztgzt.kz/author/redaktor-gazety-12/",
        "https://aqjolgazet.kz/2025/",
        "https://aqjolgazet.kz/news/2025/03/",
        "https://aqjolgazet.kz/news/2025/03/14/",
    ],
)
def test_sections_tags_files_and_pagination_are_not_articles(url):
    assert not looks_like_article(url)


def test_source_patterns_replace_the_guesses_and_exclusions_win():
    source = Source(
        name="gov", home="https://www.gov.kz/memleket/entities/zhambyl?lang=ru",
        article_patterns=(r"/press/news/details/\d+",), exclude_patterns=(r"lang=en",),
    )  # fmt: skip
    rule = ArticleLinkRule.for_source(source)

    assert rule.matches("https://www.gov.kz/memleket/entities/zhambyl/press/news/details/1001?lang=kk")
    assert not rule.matches("https://www.gov.kz/memleket/entities/zhambyl/press/news/details/1001?lang=en")
    assert not rule.matches("https://www.gov.kz/memleket/entities/zhambyl/press/article-about-something-long")
    assert not rule.matches("https://other.kz/memleket/entities/zhambyl/press/news/details/1001")


def test_page_links_are_resolved_deduplicated_and_same_site():
    html = """<a href="/ru/news/akim-vstretilsya-10021">A</a> <a href="/ru/news/akim-vstretilsya-10021#comments">A</a>
    <a href="https://other.kz/ru/news/chuzhaya-novost-10022">B</a> <a href="mailto:x@ztgzt.kz">mail</a>"""
    rule = ArticleLinkRule(home="https://ztgzt.kz/")

    assert rule.links(Selector(text=html), "https://www.ztgzt.kz/") == [
        "https://www.ztgzt.kz/ru/news/akim-vstretilsya-10021"
    ]


def test_feeds_announced_in_the_head():
    html = """<head><link rel="alternate" type="application/rss+xml" href="/rss/ru.xml">
    <link rel="alternate" type="application/atom+xml; charset=utf-8" href="https://cdn.kz/atom.xml">
    <link rel="alternate" hreflang="kk" href="/kz/"><link rel="stylesheet" href="/s.css"></head>"""

    assert feed_links(Selector(text=html), "https://ztgzt.kz/") == [
        "https://ztgzt.kz/rss/ru.xml",
        "https://cdn.kz/atom.xml",
    ]


def test_next_page_from_rel_next_or_page_number():
    with_rel = '<link rel="next" href="/page/3/"><a href="/page/9/">9</a>'
    numbered = '<a href="?page=1">1</a><a href="/news?page=3">3</a><a href="/news?page=2">2</a>'

    assert (
        next_page_link(Selector(text=with_rel), "https://aqjolgazet.kz/page/2/")
        == "https://aqjolgazet.kz/page/3/"
    )
    assert next_page_link(Selector(text=numbered), "https://kt.kz/news") == "https://kt.kz/news?page=2"
    assert next_page_link(Selector(text="<p>no pages</p>"), "https://kt.kz/news") is None
    assert page_number("https://kt.kz/news?page=7") == 7


def test_listing_candidates_are_sections_not_contacts_or_pages():
    html = """<nav><a href="/category/zhanalyqtar/">News</a><a href="/contacts/">Contacts</a>
    <a href="/page/2/">2</a><a href="/2025/03/10/zhambyl-oblysynda-koktemgi-dala-zhumystary/">story</a></nav>"""
    rule = ArticleLinkRule(home="https://aqjolgazet.kz/")

    assert listing_candidates(Selector(text=html), "https://aqjolgazet.kz/", rule) == [
        "https://aqjolgazet.kz/category/zhanalyqtar/"
    ]
