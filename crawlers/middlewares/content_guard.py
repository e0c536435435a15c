"""Article URLs that turn out to be PDFs, images or other non-pages are not downloaded in full."""

from __future__ import annotations

from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import Headers

from crawlers.middlewares.conditional_get import header_text

# Content types an article page may have; anything else is stopped after the headers.
PAGE_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")


class NonPageGuardExtension:
    """Stops downloading an article URL once its headers say it is a PDF, an image or other non-page.

    The spider then receives the headers-only response and counts it.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls()
        crawler.signals.connect(extension.headers_received, signal=signals.headers_received)
        return extension

    def headers_received(self, headers: Headers, request: Request, **_: object) -> None:
        if not request.meta.get("newsmon_article"):
            return
        kind = (header_text(headers, "Content-Type") or "").lower()
        if kind and not kind.startswith(PAGE_TYPES):
            raise StopDownload(fail=False)
