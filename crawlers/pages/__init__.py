"""Extraction: html + url -> Article. Pure functions over lxml trees; no Scrapy imports here.

Public API:
- `extract_article(html, url, *, source=None, headers_charset=None, now=None) -> Article`
- `page_kind(html, url) -> str`: "article", "index", "tag", "contacts", "search", "empty" or "binary"
- `parse_date(text, *, tz="Asia/Almaty", now=None, languages=("ru", "kk")) -> datetime | None` (UTC)
- `decode_html(data, headers_charset=None) -> (text, codec)`
- `release_models()`: drop the language model this process holds (its extraction moved to workers)

Each name is imported on first use: a crawl process that hands extraction to a worker process and needs
only the time zones of its sources (`crawlers.pages.zones`) or a feed's dates does not load trafilatura,
htmldate and the rest (a third of a second at the start of every crawl, and their memory).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawlers.pages.dates import parse_date, parse_iso, to_utc
    from crawlers.pages.encoding import decode_html
    from crawlers.pages.extract import extract_article, page_kind
    from crawlers.pages.language import release_models
    from crawlers.pages.selectors import SelectorError

# The module that holds what extraction needs: the extraction processes import it before their first page.
EXTRACTION_MODULE = "crawlers.pages.extract"

_HOMES = {
    "SelectorError": "crawlers.pages.selectors",
    "decode_html": "crawlers.pages.encoding",
    "extract_article": EXTRACTION_MODULE,
    "page_kind": EXTRACTION_MODULE,
    "parse_date": "crawlers.pages.dates",
    "parse_iso": "crawlers.pages.dates",
    "release_models": "crawlers.pages.language",
    "to_utc": "crawlers.pages.dates",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
