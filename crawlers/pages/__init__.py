"""Extraction: html + url -> Article. Pure functions over lxml trees; no Scrapy imports here.

Public API:
- `extract_article(html, url, *, source=None, headers_charset=None, now=None) -> Article`
- `page_kind(html, url) -> str`: "article", "index", "tag", "contacts", "search", "empty" or "binary"
- `parse_date(text, *, tz="Asia/Almaty", now=None, languages=("ru", "kk")) -> datetime | None` (UTC)
- `decode_html(data, headers_charset=None) -> (text, codec)`
- `release_models()`: drop the language model this process holds (its extraction moved to workers)
"""

from __future__ import annotations

from crawlers.pages.dates import parse_date, parse_iso, to_utc
from crawlers.pages.encoding import decode_html
from crawlers.pages.extract import extract_article, page_kind
from crawlers.pages.language import release_models
from crawlers.pages.selectors import SelectorError

__all__ = [
    "SelectorError",
    "decode_html",
    "extract_article",
    "page_kind",
    "parse_date",
    "parse_iso",
    "release_models",
    "to_utc",
]
