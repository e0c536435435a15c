"""Extraction: html + url -> Article. No Scrapy imports here.

Placeholder implementation; replaced by the full extractor (crawlers/pages/extract.py).
"""

from __future__ import annotations

import trafilatura

from newsmon.models import Article


def extract_article(html: str | bytes, url: str) -> Article:
    """Extract one article from a page."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return Article(url=url, text="", warnings=("no_text",))
    return Article(url=url, text=doc.text or "", title=doc.title, canonical_url=doc.url)
