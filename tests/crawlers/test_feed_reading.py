"""Reading real feeds (RSS 2.0, Atom, windows-1251) into article URLs with title and date hints."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from crawlers.spiders.feed import feed_entries
from tests.conftest import DATASETS

FEEDS = DATASETS / "feeds"
MANIFEST = json.loads((FEEDS / "manifest.json").read_text()) if FEEDS.exists() else {"feeds": []}
# JSON Feed is not read (feedparser does not support it); such a feed counts as "not a feed".
XML_FEEDS = [f for f in MANIFEST["feeds"] if not f["format"].startswith("JSON")]
# Dates outside RFC 822 ("Thu,28 Jul 2022 4:35:5 GMT+9") fall back to the extractor's date parser.
LOOSE_DATES = {"en_koreatimes.co.kr_2022-07-28.rss"}


@pytest.mark.parametrize("feed", XML_FEEDS, ids=lambda f: f["file"])
def test_real_feed_gives_every_item_with_its_first_link_title_and_date(feed):
    items, problem = feed_entries((FEEDS / feed["file"]).read_bytes(), feed["feed_url"])

    assert problem == ""
    assert len(items) == feed["n_items"]
    first = feed["expected_first_items"][0]
    assert items[0]["url"] == first["link"]
    assert " ".join(items[0]["title"].split()) == first["title"]
    if first.get("published") and feed["file"] in LOOSE_DATES:
        assert items[0]["published"] is not None
    elif first.get("published"):
        assert items[0]["published"] == datetime.fromisoformat(first["published"])


def test_html_page_is_not_a_feed():
    html = b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>News</p></body></html>"
    items, problem = feed_entries(html, "https://ztgzt.kz/feed/", "text/html; charset=utf-8")

    assert items == []
    assert problem.startswith("not a feed")


def test_truncated_feed_keeps_the_complete_items():
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>A</title><link>https://kt.kz/ru/news/a-1001</link></item>"
        b"<item><title>B</title><link>https://kt.kz/ru/ne"
    )
    items, problem = feed_entries(body, "https://kt.kz/rss")

    assert [item["url"] for item in items] == ["https://kt.kz/ru/news/a-1001"]
    assert problem.startswith("malformed")


def test_relative_links_are_resolved_against_the_feed_url():
    body = (
        b'<rss version="2.0"><channel><item><title>A</title><link>/kz/news/1001</link></item></channel></rss>'
    )
    items, _ = feed_entries(body, "https://egemen.kz/rss")

    assert items[0]["url"] == "https://egemen.kz/kz/news/1001"


def test_an_item_updated_after_it_was_published_says_when():
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Portal</title>
<entry><title>Edited</title><link href="https://portal.kz/news/1"/>
<published>2025-03-14T10:00:00+05:00</published><updated>2025-03-14T15:30:00+05:00</updated></entry>
<entry><title>As published</title><link href="https://portal.kz/news/2"/>
<published>2025-03-14T11:00:00+05:00</published><updated>2025-03-14T11:00:00+05:00</updated></entry>
</feed>"""
    edited, untouched = feed_entries(atom, "https://portal.kz/atom.xml")[0]

    assert edited["modified"] == datetime.fromisoformat("2025-03-14T10:30:00+00:00")
    assert untouched["modified"] is None
