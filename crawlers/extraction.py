"""What the extraction process runs on one downloaded page: extract it, complete the article with what the
feed or sitemap said of it and where it came from, and analyse it for the pipelines.

No Scrapy here: the crawl hands `read_page` to its extraction process by name, and that process imports
this module to call it. In the spiders' module it took Scrapy and Twisted with it (0.2 s at the first page
and 33 MB of the process's memory) for nothing.
"""

from __future__ import annotations

import contextlib
import pkgutil
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from newsmon.models import Article, Source

# Less text than this is no article body (a page of navigation only), whatever the page looks like.
MIN_TEXT_CHARS = 80


@lru_cache(maxsize=8)
def load_analysis(path: str) -> Callable[[Article, Source | None], Article]:
    """The function a dotted path (the NEWSMON_ANALYSE_EXTRACTED setting) names."""
    return pkgutil.resolve_name(path)  # type: ignore[no-any-return]


def extract_page(body: bytes, url: str, source: Source, charset: str | None) -> tuple[Article, str]:
    """Extract one page; returns the article and the page kind ("article" or why it is not one). The
    extraction is imported here, not with this module: the crawl process imports this module too, and
    loads the extraction (trafilatura, the language model) only when it extracts a page itself."""
    from crawlers.pages import extract_article, page_kind

    article = extract_article(body, url, source=source, headers_charset=charset)
    if "not_article" not in article.warnings:
        return article, "article"
    # Only pages already judged not to be articles are classified again, to name the reason.
    return article, page_kind(body, url)


def read_page(
    body: bytes,
    url: str,
    source: Source,
    charset: str | None,
    hints: dict[str, Any],
    origin: dict[str, Any],
    analyse: str | None,
) -> tuple[Article, str]:
    """Extract one page and, when it is an article, complete it: the hints of the feed or sitemap entry
    that led to it, where it came from (`origin`: source, discovered_by, fetched_at), and the analysis
    named by `analyse` (a dotted path, the NEWSMON_ANALYSE_EXTRACTED setting), run here in the
    extraction's process rather than on the crawl's. An analysis that fails leaves the article as it is,
    for the pipelines' stages to analyse: a failure there is counted and logged with the article's URL."""
    article, kind = extract_page(body, url, source, charset)
    if kind != "article" or len(article.text.strip()) < MIN_TEXT_CHARS:
        return article, kind
    article = apply_hints(article, hints).with_changes(**origin)
    if analyse:
        with contextlib.suppress(Exception):  # the stages analyse it again, and count and log what fails
            article = load_analysis(analyse)(article, source)
    return article, kind


def apply_hints(article: Article, hints: dict[str, Any]) -> Article:
    """Fill what the page lacks from the feed item or news sitemap entry that led to it."""
    changes: dict[str, Any] = {}
    warnings = list(article.warnings)
    if not article.title and hints.get("title"):
        changes["title"] = hints["title"]
        warnings = [w for w in warnings if w != "no_title"]
    if article.published is None and hints.get("published"):
        changes["published"] = hints["published"]
        changes["date_source"] = hints.get("date_source", "feed")
        warnings = [w for w in warnings if w != "no_date"]
    if changes:
        changes["warnings"] = tuple(warnings)
    return article.with_changes(**changes) if changes else article
