"""Searches of the tree for attributes a page never names are skipped; what the page does name is found."""

from __future__ import annotations

from crawlers.pages import extract_article
from crawlers.pages.metadata import PageMetadata

BODY = "<p>" + "В Таразе прошла встреча акима области с журналистами региональных изданий. " * 4 + "</p>"


def test_mentions_reads_the_html_and_assumes_everything_without_it() -> None:
    meta = PageMetadata(markup='<div ITEMPROP="articleBody"><span class="author-name">')
    assert meta.mentions("itemprop", any_case=True)
    assert not meta.mentions("itemprop")  # attribute values are compared as written
    assert meta.mentions("articleBody") and meta.mentions("author")
    assert not meta.mentions("datetime", any_case=True)
    assert PageMetadata().mentions("anything at all")


def test_upper_case_attribute_names_are_still_read() -> None:
    page = (
        "<html><head><title>Встреча с журналистами</title></head><body>"
        '<H1 ITEMPROP="headline">Встреча с журналистами</H1>'
        '<TIME DATETIME="2025-03-14T10:30:00+05:00">14 марта</TIME>'
        f'<DIV ITEMPROP="articleBody">{BODY}</DIV>'
        '<SPAN CLASS="author">Айгүл Сейтқали</SPAN></body></html>'
    )
    article = extract_article(page.encode("utf-8"), "https://zhambyl.kz/news/1")
    assert article.title == "Встреча с журналистами"
    assert article.published is not None and article.published.isoformat() == "2025-03-14T05:30:00+00:00"
    assert article.authors == ("Айгүл Сейтқали",)
    assert "встреча акима области" in article.text


COMMENTS = "<p>" + "Отличная новость, спасибо редакции за этот материал о нашем городе. " * 3 + "</p>"
NEXT_ARTICLE = "<p>" + "В Шу отремонтировали дорогу к вокзалу, работы шли два месяца подряд. " * 4 + "</p>"


def test_trafilatura_still_drops_what_its_skippable_searches_find_on_pages_that_name_it() -> None:
    """trafilatura's searches for comment sections and infinite-scroll containers are skipped only on
    pages that name no such section: in each of these pages only that search drops the block."""
    for block, foreign in (
        (f'<div id="disqus_thread">{COMMENTS}</div>', "Отличная новость"),
        (f'<div class="infinite-scroll">{NEXT_ARTICLE}</div>', "отремонтировали"),
        (f'<div id="mvp-post-add-box">{NEXT_ARTICLE}</div>', "отремонтировали"),
    ):
        page = (
            "<html><head><title>Встреча с журналистами</title></head><body>"
            f"<h1>Встреча с журналистами</h1><article>{BODY}{block}</article></body></html>"
        )
        text = extract_article(page.encode("utf-8"), "https://zhambyl.kz/news/2").text
        assert "встреча акима области" in text
        assert foreign not in text, block


def test_the_skipped_trafilatura_searches_are_the_ones_their_words_were_read_from() -> None:
    """The words that let a page skip a search of trafilatura's were read off its expressions: a release
    whose expressions differ is searched in full (and this test names the expressions to read again)."""
    from crawlers.pages.content import _KNOWN_SEARCHES, SKIPPABLE_SEARCHES, _checked_searches, searches_digest

    assert {name: searches_digest(name) for name in SKIPPABLE_SEARCHES} == _KNOWN_SEARCHES
    assert _checked_searches() == SKIPPABLE_SEARCHES
