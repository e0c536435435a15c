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
